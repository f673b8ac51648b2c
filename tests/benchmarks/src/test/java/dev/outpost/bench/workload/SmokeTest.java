package dev.outpost.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import dev.outpost.bench.BenchMain;
import dev.outpost.bench.load.RunResult;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short run of every workload, so that the benchmarks never rot: each must run end to end against
 * real server processes and produce sane figures (non-zero throughput, no errors). These are not
 * measurements; nothing here asserts a speed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SmokeTest {

  private static final String[] SHORT = {"--warmup-s", "1", "--duration-s", "2"};

  @Test
  void chatRunsAgainstOutpostAndBothBaselinesAndComparesThem() {
    List<RunResult> runs = run("chat", "--rooms", "2", "--clients", "3");

    assertThat(runs)
        .extracting(RunResult::target)
        .containsExactly("baseline", "baseline-inline", "outpost");
    runs.forEach(SmokeTest::assertSane);
    assertThat(runs).allSatisfy(r -> assertThat(r.extraNumber("lost", -1)).isZero());
  }

  @Test
  void chatRunsInOpenLoopAtTheRateAsked() {
    List<RunResult> runs =
        run("chat", "--targets", "outpost", "--rooms", "1", "--clients", "4", "--rate", "500");

    assertThat(runs).singleElement().satisfies(SmokeTest::assertSane);
    assertThat(runs.get(0).extraNumber("sent/s", 0)).isCloseTo(500, offset(50.0));
  }

  @Test
  void counterIncrementsWithoutLosingOrRepeatingAnAnswer() {
    List<RunResult> runs = run("counter", "--objects", "2", "--callers", "4");

    assertThat(runs).singleElement().satisfies(SmokeTest::assertSane);
    assertThat(runs.get(0).extraNumber("violations", -1)).isZero();
    assertThat(runs.get(0).extraNumber("acknowledged", 0)).isPositive();
  }

  @Test
  void idleHoldsConnectionsOnOutpostAndTheBaselineAndWeighsThem() {
    List<RunResult> runs =
        BenchMain.run(
            "idle",
            "--connections",
            "50",
            "--room-size",
            "10",
            "--targets",
            "outpost,outpost-untrimmed,baseline");

    assertThat(runs)
        .extracting(RunResult::target)
        .containsExactly("outpost", "outpost-untrimmed", "baseline");
    runs.forEach(SmokeTest::assertIdleSane);
  }

  @Test
  void activateTimesTheFirstRequestToObjectsWithStoredState() {
    List<RunResult> runs =
        BenchMain.run("activate", "--objects", "50", "--warmup-objects", "20", "--keys", "5");

    assertThat(runs).hasSize(2).allSatisfy(SmokeTest::assertSane);
    assertThat(runs.get(0).latency().count()).isEqualTo(50);
  }

  @Test
  void forwardSaysItNeedsTheCluster() {
    assertThatThrownBy(() -> BenchMain.run("forward"))
        .hasMessageContaining("exited with " + ForwardCommand.NOT_AVAILABLE);
  }

  private static List<RunResult> run(String workload, String... args) {
    String[] all = new String[1 + SHORT.length + args.length];
    all[0] = workload;
    System.arraycopy(SHORT, 0, all, 1, SHORT.length);
    System.arraycopy(args, 0, all, 1 + SHORT.length, args.length);
    return BenchMain.run(all);
  }

  private static void assertSane(RunResult run) {
    assertThat(run.throughput()).as(run.toLine()).isPositive();
    assertThat(run.errors()).as(run.toLine()).isZero();
    assertThat(run.latency().count()).as(run.toLine()).isPositive();
    assertThat(run.latency().p50Us()).as(run.toLine()).isPositive();
  }

  private static void assertIdleSane(RunResult run) {
    assertSane(run);
    assertThat(run.extraNumber("connections", 0)).as(run.toLine()).isEqualTo(50);
    assertThat(run.extraNumber("server_sockets", 0)).as(run.toLine()).isEqualTo(50);
    assertThat(run.extraNumber("live_objects", -1)).as(run.toLine()).isZero();
    assertThat(run.extraNumber("heap_per_conn_B", 0)).as(run.toLine()).isPositive();
  }
}
