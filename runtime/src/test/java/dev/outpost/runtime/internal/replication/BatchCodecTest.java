package dev.outpost.runtime.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.bundle.ObjectIds;
import dev.outpost.runtime.spi.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchCodecTest {

  @Test
  void aBatchSurvivesTheLogEntryExactly() {
    DurableObjectId id = new ObjectIds("key").fromName("chat", "room é", Optional.of("eu"));
    ObjectAddress object = new ObjectAddress("chat", id);
    WriteBatch batch =
        new WriteBatch(7)
            .clearAll()
            .put(bytes("a"), bytes("1"))
            .delete(bytes("b"))
            .put(bytes("c"), new byte[0])
            .alarm(Instant.ofEpochMilli(1_234_567));

    BatchCodec.Entry entry = BatchCodec.decode(BatchCodec.encode(object, batch));

    assertThat(entry.object()).isEqualTo(object);
    assertThat(entry.object().id().name()).contains("room é");
    assertThat(entry.object().id().jurisdiction()).contains("eu");
    WriteBatch decoded = entry.batch();
    assertThat(decoded.epoch()).isEqualTo(7);
    assertThat(decoded.isClearAll()).isTrue();
    assertThat(decoded.mutations()).hasSize(3);
    assertThat(decoded.mutations().get(0).value()).isEqualTo(bytes("1"));
    assertThat(decoded.mutations().get(1).isDelete()).isTrue();
    assertThat(decoded.mutations().get(2).value()).isEmpty();
    assertThat(decoded.alarm()).contains(Instant.ofEpochMilli(1_234_567));
  }

  @Test
  void aDeletedAlarmStaysDeleted() {
    ObjectAddress object = new ObjectAddress("c", new ObjectIds("key").fromName("c", "x"));
    WriteBatch decoded =
        BatchCodec.decode(BatchCodec.encode(object, new WriteBatch(1).alarm(null))).batch();
    assertThat(decoded.alarmChanged()).isTrue();
    assertThat(decoded.alarm()).isEmpty();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
