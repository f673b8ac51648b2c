package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** Each record is one line holding one JSON object with exactly the documented fields. */
class JsonLogFormatterTest {

  private final JsonLogFormatter formatter = new JsonLogFormatter();

  @Test
  void aRecordWithParametersAndAnExceptionIsOneJsonLine() {
    LogRecord record = new LogRecord(Level.WARNING, "link to {0} lost after {1} ms");
    record.setParameters(new Object[] {"n2", "1500"});
    record.setLoggerName("dev.outpost.router.link.NodeLinks");
    record.setInstant(Instant.parse("2030-01-01T00:00:00.123Z"));
    record.setLongThreadID(42);
    record.setThrown(
        new java.io.IOException("broken \"pipe\"\nsecond line", new IllegalStateException("why")));

    String line = formatter.format(record);

    assertThat(line).endsWith("}\n");
    assertThat(line.strip().lines()).hasSize(1);
    JsonObject json = new JsonObject(line);
    assertThat(json.fieldNames())
        .containsExactlyInAnyOrder("time", "level", "logger", "thread", "message", "thrown");
    assertThat(json.getString("time")).isEqualTo("2030-01-01T00:00:00.123Z");
    assertThat(json.getString("level")).isEqualTo("WARNING");
    assertThat(json.getString("logger")).isEqualTo("dev.outpost.router.link.NodeLinks");
    assertThat(json.getLong("thread")).isEqualTo(42L);
    assertThat(json.getString("message")).isEqualTo("link to n2 lost after 1500 ms");
    assertThat(json.getString("thrown"))
        .startsWith("java.io.IOException: broken \"pipe\"\nsecond line\n\tat ")
        .contains("Caused by: java.lang.IllegalStateException: why");
  }

  @Test
  void aRecordWithoutExceptionHasNoThrownField() {
    LogRecord record = new LogRecord(Level.INFO, "plain");
    record.setLoggerName(null);
    JsonObject json = new JsonObject(formatter.format(record));
    assertThat(json.fieldNames()).doesNotContain("thrown");
    assertThat(json.getString("message")).isEqualTo("plain");
    assertThat(json.getString("logger")).isEmpty();
    assertThat(Instant.parse(json.getString("time"))).isEqualTo(record.getInstant());
  }
}
