package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.WorkerdRuntime;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The comparison with Cloudflare's runtime, for the workloads that take target {@code workerd}
 * ({@code chat}, {@code counter}): Outpost's figures as multiples of workerd's, measured in the
 * same invocation. Throughput is the median over each target's runs; latency the median of their
 * p50s and p99s; server CPU per operation the median of {@code server_cpu / throughput} (µs of the
 * server process's CPU per delivered message or per acknowledged increment).
 *
 * <p>workerd is not a JVM, so it gets no JFR recording ({@code --jfr-dir} records the JVM servers
 * only); {@code perf record -g -p PID} profiles it.
 */
final class AgainstWorkerd {

  private AgainstWorkerd() {}

  /** The run's JFR recording: none for workerd, else {@code --jfr-dir}'s. */
  static WindowRecording recording(CommonOptions common, String target, String name) {
    if (target.equals("workerd")) {
      if (common.jfrDir != null) {
        System.out.println("note: no JFR for workerd (not a JVM); profile it with perf");
      }
      return WindowRecording.NONE;
    }
    return common.recording(name);
  }

  /**
   * Prints Outpost against workerd and returns the figures, if both were measured: {@code
   * throughput_ratio} (Outpost / workerd, the "×N workerd"), both targets' medians and workerd's
   * version.
   */
  static Optional<JsonObject> summarize(List<RunResult> runs, PrintWriter out) {
    return runs.stream().anyMatch(r -> r.target().equals("workerd"))
        ? summarize(runs, out, version())
        : Optional.empty();
  }

  /** As {@link #summarize(List, PrintWriter)}, with workerd's version as given. */
  static Optional<JsonObject> summarize(List<RunResult> runs, PrintWriter out, String version) {
    Optional<Medians> outpost = Medians.of(runs, "outpost");
    Optional<Medians> workerd = Medians.of(runs, "workerd");
    if (outpost.isEmpty() || workerd.isEmpty()) {
      return Optional.empty();
    }
    Medians o = outpost.get();
    Medians w = workerd.get();
    RunResult first = runs.get(0);
    out.println(
        String.format(
            Locale.ROOT,
            "%s outpost/workerd [%s]: x%.2f workerd %s (%s vs %s), p50 %s vs %s us, p99 %s vs %s"
                + " us, server CPU %.2f vs %.2f us per operation (%s)",
            first.workload(),
            o.scenario,
            o.throughput / w.throughput,
            first.unit(),
            RunResult.format(o.throughput),
            RunResult.format(w.throughput),
            RunResult.format(o.p50),
            RunResult.format(w.p50),
            RunResult.format(o.p99),
            RunResult.format(w.p99),
            o.cpuUsPerOp,
            w.cpuUsPerOp,
            version));
    return Optional.of(
        new JsonObject()
            .put("throughput_ratio", round3(o.throughput / w.throughput))
            .put("outpost", o.toJson())
            .put("workerd", w.toJson())
            .put("workerd_version", version));
  }

  private static String version() {
    try {
      WorkerdRuntime runtime = WorkerdRuntime.locate();
      return "npm workerd " + runtime.packageVersion() + ", " + runtime.binaryVersion();
    } catch (RuntimeException e) {
      return "version unknown: " + e.getMessage();
    }
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** One target's medians over its runs. */
  private record Medians(
      String scenario, int runs, double throughput, double p50, double p99, double cpuUsPerOp) {

    static Optional<Medians> of(List<RunResult> all, String target) {
      List<RunResult> mine = all.stream().filter(r -> r.target().equals(target)).toList();
      if (mine.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(
          new Medians(
              mine.get(0).scenario(),
              mine.size(),
              median(mine.stream().mapToDouble(RunResult::throughput).toArray()),
              median(mine.stream().mapToDouble(r -> r.latency().p50Us()).toArray()),
              median(mine.stream().mapToDouble(r -> r.latency().p99Us()).toArray()),
              median(
                  mine.stream()
                      .mapToDouble(
                          r ->
                              r.throughput() > 0
                                  ? r.extraNumber("server_cpu", Double.NaN) * 1e6 / r.throughput()
                                  : Double.NaN)
                      .toArray())));
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("scenario", scenario)
          .put("runs", runs)
          .put("throughput", Math.round(throughput))
          .put("p50_us", Math.round(p50))
          .put("p99_us", Math.round(p99))
          .put("server_cpu_us_per_op", Math.round(cpuUsPerOp * 100) / 100.0);
    }
  }

  private static double median(double[] values) {
    return ChatCommand.median(values);
  }
}
