package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimeSourceTest {

  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2030-01-01T00:00:00Z"));

  @Test
  void tasksRunInTimeOrderSeeingTheirDueTimeAndCancelledOnesNever() {
    List<String> ran = new ArrayList<>();
    time.schedule(Duration.ofSeconds(5), () -> ran.add("5@" + time.now().getEpochSecond() % 60));
    time.schedule(Duration.ofSeconds(2), () -> ran.add("2@" + time.now().getEpochSecond() % 60));
    time.schedule(Duration.ofSeconds(3), () -> ran.add("never")).cancel();
    time.schedule(
        Duration.ofSeconds(1),
        () ->
            time.schedule(
                Duration.ofSeconds(1),
                () -> ran.add("nested@" + time.now().getEpochSecond() % 60)));

    time.advance(Duration.ofSeconds(4));
    assertThat(ran).containsExactly("2@2", "nested@2");
    time.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("2@2", "nested@2", "5@5");
    assertThat(time.now()).isEqualTo(Instant.parse("2030-01-01T00:00:05Z"));
    assertThat(time.pendingTasks()).isZero();
  }
}
