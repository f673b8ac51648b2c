package dev.outpost.samples.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream times its tokens on the object's clock, so the harness's manual clock drives it from a
 * fixed start; tokens are 10 s apart (the {@code stream.token-ms} setting); each advance goes half
 * a token past the due time.
 */
class AnswerStreamTest {

  private static final Duration TOKEN = Duration.ofSeconds(10);

  private final ObjectHarness harness =
      ObjectHarness.builder()
          .namespace("stream", AnswerStream.class)
          .setting("stream.token-ms", Long.toString(TOKEN.toMillis()))
          .start(Instant.parse("2026-01-01T00:00:00Z"))
          .build();
  private final ObjectUnderTest chat = harness.object("c1");

  @AfterEach
  void close() {
    harness.close();
  }

  /** Advances to half a token past the n-th token's due time, counted from the question. */
  private void untilToken(int n, Duration[] clock) {
    Duration target = TOKEN.multipliedBy(n).plus(TOKEN.dividedBy(2));
    harness.advance(target.minus(clock[0]));
    clock[0] = target;
  }

  @Test
  void theAnswerStreamsTokenByTokenToEveryClient() {
    RecordingSocket ann = chat.connect("/");
    RecordingSocket bob = chat.connect("/");
    assertThat(ann.takeTexts())
        .containsExactly(
            "{\"type\":\"snapshot\",\"answer\":0,\"question\":\"\",\"text\":\"\",\"done\":true}");
    bob.takeTexts();

    ann.send("ask what is \"durable\"?");
    String[] tokens = AnswerStream.model("what is \"durable\"?");
    Duration[] clock = {Duration.ZERO};
    untilToken(2, clock);

    assertThat(bob.takeTexts())
        .containsExactly(
            "{\"type\":\"question\",\"answer\":1,\"question\":\"what is \\\"durable\\\"?\"}",
            "{\"type\":\"token\",\"answer\":1,\"index\":0,\"text\":\"You \"}",
            "{\"type\":\"token\",\"answer\":1,\"index\":1,\"text\":\"asked: \"}");

    untilToken(tokens.length, clock);
    List<String> rest = bob.takeTexts();
    assertThat(rest).hasSize(tokens.length - 2 + 1);
    assertThat(rest.getLast()).isEqualTo("{\"type\":\"done\",\"answer\":1}");
    assertThat(ann.takeTexts()).hasSize(tokens.length + 2);
    assertThat(chat.alarm()).isEmpty();
    assertThat(chat.get("/").bodyText())
        .contains("\"done\":true", "with no token lost or repeated.\"");
  }

  @Test
  void aNewClientGetsTheAnswerSoFarAndTheStreamSurvivesEviction() {
    assertThat(chat.post("/ask", "hello").status()).isEqualTo(200);
    Duration[] clock = {Duration.ZERO};
    untilToken(3, clock);
    assertThat(chat.evict()).isTrue();

    RecordingSocket late = chat.connect("/");
    assertThat(late.takeTexts())
        .containsExactly(
            "{\"type\":\"snapshot\",\"answer\":1,\"question\":\"hello\","
                + "\"text\":\"You asked: \\\"hello\\\". \",\"done\":false}");
    untilToken(4, clock);
    assertThat(late.takeTexts())
        .containsExactly("{\"type\":\"token\",\"answer\":1,\"index\":3,\"text\":\"Here \"}");
  }

  @Test
  void questionsAreRefusedWhileAnAnswerStreamsOrWhenBlank() {
    RecordingSocket ann = chat.connect("/");
    ann.takeTexts();

    ann.send("ask    ");
    ann.send("hello");
    ann.send("ask one");
    ann.send("ask two");

    assertThat(ann.takeTexts())
        .satisfiesExactly(
            t -> assertThat(t).contains("rejected", "a question has 1-500 characters"),
            t -> assertThat(t).contains("rejected", "the only command is: ask QUESTION"),
            t -> assertThat(t).contains("\"type\":\"question\"", "one"),
            t -> assertThat(t).contains("rejected", "an answer is streaming (0/"));
    assertThat(chat.post("/ask", "three").status()).isEqualTo(409);
  }
}
