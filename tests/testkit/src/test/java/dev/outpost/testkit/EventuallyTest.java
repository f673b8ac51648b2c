package dev.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {

  @Test
  void returnsTheFirstValueThatIsDone() {
    AtomicInteger calls = new AtomicInteger();

    int value =
        Eventually.waitUntil(
            Duration.ofSeconds(10),
            Duration.ofMillis(1),
            calls::incrementAndGet,
            n -> n >= 3,
            "three calls");

    assertThat(value).isEqualTo(3);
  }

  @Test
  void aThrowingProbeCountsAsNotYet() {
    AtomicInteger calls = new AtomicInteger();

    String value =
        Eventually.waitUntil(
            Duration.ofSeconds(10),
            Duration.ofMillis(1),
            () -> {
              if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("not listening yet");
              }
              return "up";
            },
            "up"::equals,
            "the server to answer");

    assertThat(value).isEqualTo("up");
  }

  @Test
  void aTimeoutNamesWhatWasAwaitedAndTheLastValueSeen() {
    assertThatThrownBy(
            () ->
                Eventually.waitUntil(
                    Duration.ofMillis(100),
                    Duration.ofMillis(10),
                    () -> 2,
                    n -> n == 3,
                    "3 members"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("timed out after PT0.1S waiting for: 3 members; last seen: 2");
  }

  @Test
  void aTimeoutAfterAThrowingProbeCarriesItsException() {
    IllegalStateException refused = new IllegalStateException("connection refused");

    assertThatThrownBy(
            () ->
                Eventually.waitUntil(
                    Duration.ofMillis(100),
                    Duration.ofMillis(10),
                    () -> {
                      throw refused;
                    },
                    v -> true,
                    "the node to listen"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("waiting for: the node to listen")
        .hasMessageContaining("connection refused")
        .hasCause(refused);
  }
}
