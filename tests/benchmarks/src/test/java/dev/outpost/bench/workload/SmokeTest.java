package dev.outpost.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;
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
    // The clients offer permessage-deflate as browsers do; every server here accepts it.
    assertThat(runs)
        .allSatisfy(
            r -> {
              assertThat(r.extra()).containsEntry("deflate", "permessage-deflate");
              assertThat(r.scenario()).endsWith(" deflate");
              assertThat(r.extraNumber("server_us_per_msg", 0)).isPositive();
            });
  }

  @Test
  void chatRunsInOpenLoopAtTheRateAskedAndPlainWhenToldNoDeflate() {
    List<RunResult> runs =
        run(
            "chat",
            "--targets",
            "outpost",
            "--rooms",
            "1",
            "--clients",
            "4",
            "--rate",
            "500",
            "--no-deflate");

    assertThat(runs).singleElement().satisfies(SmokeTest::assertSane);
    assertThat(runs.get(0).extra()).containsEntry("deflate", "none");
    assertThat(runs.get(0).scenario()).endsWith(" plain");
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
  void counterRunsAgainstOutpostAndTheBareVertxBaselineWithTheSameChecks() {
    List<RunResult> runs =
        run("counter", "--targets", "outpost,baseline", "--objects", "2", "--callers", "4");

    assertThat(runs).extracting(RunResult::target).containsExactly("outpost", "baseline");
    runs.forEach(SmokeTest::assertSane);
    assertThat(runs)
        .allSatisfy(
            r -> {
              assertThat(r.extraNumber("violations", -1)).as(r.toLine()).isZero();
              assertThat(r.extraNumber("acknowledged", 0)).as(r.toLine()).isPositive();
              assertThat(r.extraNumber("server_cpu", 0)).as(r.toLine()).isPositive();
            });
  }

  @Test
  void counterRunsAgainstWorkerdWithTheSameChecks() throws Exception {
    WorkerdInstall.ensure();
    List<RunResult> runs =
        run("counter", "--targets", "workerd", "--objects", "2", "--callers", "4");

    assertThat(runs).singleElement().satisfies(SmokeTest::assertSane);
    assertThat(runs.get(0).target()).isEqualTo("workerd");
    assertThat(runs.get(0).extraNumber("violations", -1)).isZero();
    assertThat(runs.get(0).extraNumber("acknowledged", 0)).isPositive();
    assertThat(runs.get(0).extraNumber("server_cpu", 0)).isPositive();
  }

  @Test
  void chatRunsAgainstWorkerdAndDeliversEveryMessage() throws Exception {
    WorkerdInstall.ensure();
    List<RunResult> runs = run("chat", "--targets", "workerd", "--rooms", "2", "--clients", "3");

    assertThat(runs).singleElement().satisfies(SmokeTest::assertSane);
    assertThat(runs.get(0).extraNumber("lost", -1)).isZero();
    assertThat(runs.get(0).extraNumber("server_cpu", 0)).isPositive();
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
        BenchMain.run(
            "activate",
            "--objects",
            "50",
            "--warmup-objects",
            "20",
            "--keys",
            "5",
            "--stored",
            "300",
            "--live",
            "40");

    assertThat(runs).hasSize(3).allSatisfy(SmokeTest::assertSane);
    assertThat(runs.get(0).latency().count()).isEqualTo(50);
    assertThat(runs.get(0).extraNumber("stored_objects", 0)).isEqualTo(300);
    assertThat(runs.get(0).extraNumber("disk_bytes_per_object", 0)).isPositive();
    RunResult live = runs.get(2);
    assertThat(live.latency().count()).isEqualTo(40);
    assertThat(live.extraNumber("live_after", 0) - live.extraNumber("live_before", 0))
        .isEqualTo(40);
    assertThat(live.extra()).containsKeys("heap_bytes_per_live", "rss_bytes_per_live");
  }

  @Test
  void forwardRunsCounterAndChatDirectAndThroughTheOtherNode() {
    List<RunResult> runs =
        run("forward", "--callers", "4", "--rooms", "1", "--clients", "3", "--window", "2");

    assertThat(runs)
        .extracting(r -> r.workload() + " " + r.target())
        .containsExactly("counter direct", "counter forwarded", "chat direct", "chat forwarded");
    runs.forEach(SmokeTest::assertSane);
    for (RunResult r : runs) {
      assertThat(r.extra().get("entry"))
          .as(r.toLine())
          .isEqualTo(
              r.target().equals("direct")
                  ? r.extra().get("owner")
                  : r.extra().get("owner").equals("a") ? "b" : "a");
      assertThat(r.extraNumber("cpu_" + r.extra().get("owner"), -1)).as(r.toLine()).isPositive();
      assertThat(r.extraNumber("cpu_" + r.extra().get("entry"), -1)).as(r.toLine()).isPositive();
    }
    RunResult counterDirect = runs.get(0);
    RunResult counterForwarded = runs.get(1);
    assertThat(counterDirect.extraNumber("forwarded", -1)).isZero();
    assertThat(counterForwarded.extraNumber("violations", -1)).isZero();
    // every increment and the final read went over the link
    assertThat(counterForwarded.extraNumber("forwarded", -1))
        .as(counterForwarded.toLine())
        .isEqualTo(counterForwarded.extraNumber("acknowledged", 0) + 1);
    assertThat(runs.get(2).extraNumber("forwarded", -1)).isZero();
    assertThat(runs.get(3).extraNumber("forwarded", -1)).as(runs.get(3).toLine()).isEqualTo(3);
    assertThat(runs).allSatisfy(r -> assertThat(r.extraNumber("lost", 0)).isZero());
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
