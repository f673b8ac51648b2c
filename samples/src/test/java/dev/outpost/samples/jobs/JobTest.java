package dev.outpost.samples.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The job times its steps on the object's clock, so the harness's manual clock drives it from a
 * fixed start; steps are 10 s and each advance goes half a step past the due time.
 */
class JobTest {

  private final ObjectHarness harness =
      ObjectHarness.builder()
          .namespace("jobs", Job.class)
          .start(Instant.parse("2026-01-01T00:00:00Z"))
          .build();
  private final ObjectUnderTest job = harness.object("export");

  @AfterEach
  void close() {
    harness.close();
  }

  private static String status(String state, int progress, int steps, int stepMs) {
    return "{\"type\":\"job\",\"state\":\""
        + state
        + "\",\"progress\":"
        + progress
        + ",\"steps\":"
        + steps
        + ",\"stepMs\":"
        + stepMs
        + "}";
  }

  @Test
  void aJobAdvancesOneStepPerAlarmAndEveryWatcherSeesEachStep() {
    RecordingSocket ann = job.connect("/");
    RecordingSocket bob = job.connect("/");
    assertThat(ann.takeTexts()).containsExactly(status("idle", 0, 0, 0));
    bob.takeTexts();

    ann.send("start 3 10000");
    assertThat(job.alarm()).isPresent();
    harness.advance(Duration.ofMillis(15_000));
    harness.advance(Duration.ofMillis(10000));
    harness.advance(Duration.ofMillis(10000));

    assertThat(bob.takeTexts())
        .containsExactly(
            status("running", 0, 3, 10000),
            status("running", 1, 3, 10000),
            status("running", 2, 3, 10000),
            status("done", 3, 3, 10000));
    assertThat(ann.takeTexts()).hasSize(4);
    assertThat(job.alarm()).isEmpty();
    assertThat(job.get("/").bodyText()).isEqualTo(status("done", 3, 3, 10000));
  }

  @Test
  void theJobGoesOnAfterAnEvictionAndALateWatcherGetsTheStatusAtOnce() {
    assertThat(job.post("/start?steps=4&stepMs=10000", "").bodyText())
        .isEqualTo(status("running", 0, 4, 10000));
    harness.advance(Duration.ofMillis(15_000));

    assertThat(job.evict()).isTrue();
    harness.advance(Duration.ofMillis(10000));
    RecordingSocket late = job.connect("/");

    assertThat(late.takeTexts()).containsExactly(status("running", 2, 4, 10000));
    harness.advance(Duration.ofMillis(20_000));
    assertThat(late.takeTexts())
        .containsExactly(status("running", 3, 4, 10000), status("done", 4, 4, 10000));
  }

  @Test
  void commandsThatDoNotApplyAreRefusedToTheirSender() {
    RecordingSocket ann = job.connect("/");
    RecordingSocket bob = job.connect("/");
    ann.takeTexts();
    bob.takeTexts();

    ann.send("cancel");
    ann.send("start 0 1000");
    ann.send("start 5 10");
    ann.send("start x");
    ann.send("pause");

    assertThat(ann.takeTexts())
        .hasSize(5)
        .satisfiesExactly(
            t -> assertThat(t).contains("rejected", "the job is not running (idle)"),
            t -> assertThat(t).contains("1-1000 steps of 50-60000 ms, not 0 of 1000"),
            t -> assertThat(t).contains("not 5 of 10"),
            t -> assertThat(t).contains("numbers, not start x"),
            t -> assertThat(t).contains("unknown command pause"));
    assertThat(bob.takeTexts()).isEmpty();

    ann.send("start 5 10000");
    assertThat(job.post("/start", "").status()).isEqualTo(409);
    ann.send("cancel");
    assertThat(job.alarm()).isEmpty();
    assertThat(bob.takeTexts()).last().isEqualTo(status("cancelled", 0, 5, 10000));
    assertThat(job.post("/other", "").status()).isEqualTo(404);
  }
}
