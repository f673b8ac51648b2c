package dev.outpost.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.RunResult;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgainstWorkerdTest {

  @Test
  void comparesMediansOfEachTargetAsMultiplesOfWorkerd() {
    List<RunResult> runs =
        List.of(
            run("outpost", 30_000, 1_000, 5_000, 1.2),
            run("workerd", 10_000, 4_000, 9_000, 0.9),
            run("outpost", 40_000, 800, 4_000, 1.2),
            run("workerd", 12_000, 3_000, 8_000, 0.96),
            run("outpost", 20_000, 1_200, 6_000, 1.0));
    StringWriter printed = new StringWriter();

    JsonObject summary =
        AgainstWorkerd.summarize(runs, new PrintWriter(printed, true), "workerd 2026-11-17").get();

    assertThat(summary.getDouble("throughput_ratio")).isEqualTo(2.727); // 30,000 / 11,000
    JsonObject outpost = summary.getJsonObject("outpost");
    assertThat(outpost.getLong("throughput")).isEqualTo(30_000);
    assertThat(outpost.getLong("p50_us")).isEqualTo(1_000);
    assertThat(outpost.getLong("p99_us")).isEqualTo(5_000);
    assertThat(outpost.getInteger("runs")).isEqualTo(3);
    assertThat(outpost.getDouble("server_cpu_us_per_op")).isEqualTo(40.0); // 1.2 cores / 30k
    JsonObject workerd = summary.getJsonObject("workerd");
    assertThat(workerd.getLong("throughput")).isEqualTo(11_000);
    assertThat(workerd.getLong("p50_us")).isEqualTo(3_500);
    assertThat(workerd.getDouble("server_cpu_us_per_op")).isEqualTo(85.0); // 90 and 80 µs
    assertThat(summary.getString("workerd_version")).isEqualTo("workerd 2026-11-17");
    assertThat(printed.toString()).startsWith("counter outpost/workerd [K=1 N=64 closed]: x2.73");
  }

  @Test
  void saysNothingWithoutBothTargets() {
    StringWriter printed = new StringWriter();
    List<RunResult> runs = List.of(run("outpost", 30_000, 1_000, 5_000, 1.2));

    assertThat(AgainstWorkerd.summarize(runs, new PrintWriter(printed, true), "v")).isEmpty();
    assertThat(printed.toString()).isEmpty();
  }

  private static RunResult run(
      String target, double throughput, double p50Us, double p99Us, double serverCores) {
    return new RunResult(
        "counter",
        target,
        "K=1 N=64 closed",
        20,
        throughput,
        "increments/s",
        new Percentiles(1000, p50Us, p99Us, p99Us * 2, p99Us * 3),
        0,
        Map.of("server_cpu", serverCores));
  }
}
