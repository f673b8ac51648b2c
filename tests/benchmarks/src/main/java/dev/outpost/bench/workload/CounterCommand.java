package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code counter}: persisted increments over K counter objects with N concurrent callers, against
 * an Outpost node (WAL on; {@code --sync-writes} also fsyncs each commit). K = 1 shows the
 * per-object ceiling (goal: ≥ 20,000/s with the default durability). {@code --targets
 * outpost,workerd} also runs the same load against Cloudflare's runtime ({@link AgainstWorkerd}).
 */
@Command(
    name = "counter",
    mixinStandardHelpOptions = true,
    description =
        "Persisted increments (POST /objects/counter/{name}) over K objects with N callers;"
            + " checks that no acknowledged increment is lost or applied twice.")
public final class CounterCommand extends WorkloadCommand {

  /** Goal of issue 2: persisted increments per second on a single object. */
  public static final double SINGLE_OBJECT_GOAL = 20_000;

  /**
   * Goal of issue 16: persisted increments per second with 100 objects × 1 caller, and with one
   * object.
   */
  public static final double MANY_OBJECTS_GOAL = 50_000;

  /** Goal of issue 12: persisted increments per second on a single object with 3 copies. */
  public static final double REPLICATED_GOAL = 10_000;

  /**
   * Below this warm-up a replicated figure is mostly the JIT: three node JVMs on 2 cores were still
   * compiling (jstat -compiler) 60 s into a run and settled after about 150 s.
   */
  static final int REPLICATED_SETTLED_WARMUP_S = 150;

  @Mixin LoadShape shape;

  @Option(
      names = "--objects",
      defaultValue = "1",
      description = "Counter objects K (default ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--callers",
      defaultValue = "64",
      description =
          "Closed loop: concurrent callers N, one request each (default ${DEFAULT-VALUE}).")
  int callers;

  @Option(
      names = "--connections",
      description = "HTTP connections (default: N in closed loop, 64 in open loop).")
  Integer connections;

  @Option(
      names = "--sync-writes",
      description = "Run the node with fsync of the write-ahead log on every commit.")
  boolean syncWrites;

  @Option(
      names = "--replicas",
      defaultValue = "0",
      description =
          "Also run against a cluster of this many node processes with Raft-replicated storage"
              + " (every increment on a majority's disk), through the object's leader, after the"
              + " single unreplicated node in the same run (default ${DEFAULT-VALUE}: off).")
  int replicas;

  @Option(
      names = "--targets",
      split = ",",
      defaultValue = "outpost",
      description =
          "Servers to measure, in order: outpost, baseline (the bare Vert.x server with one"
              + " RocksDB write per increment: the ceiling), workerd (Cloudflare's runtime, from"
              + " tests/benchmarks/workerd; --sync-writes and --replicas apply to outpost only)"
              + " (default ${DEFAULT-VALUE}).")
  List<String> targets;

  @Override
  protected String workload() {
    return "counter";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    shape.validate();
    if (objects < 1 || callers < 1) {
      throw new IllegalArgumentException("--objects and --callers must be >= 1");
    }
    int pool = connections != null ? connections : shape.rate > 0 ? 64 : callers;
    String prefix = "bench-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    for (int i = 0; i < targets.size(); i++) {
      String target = targets.get(i);
      // A target may be named twice (outpost,baseline,outpost): each run counts its own objects.
      String names = i == 0 ? prefix : prefix + "-" + i;
      switch (target) {
        case "outpost" -> runOutpost(children, settings(target, pool, names));
        case "workerd" -> runWorkerd(children, settings(target, pool, names));
        case "baseline" -> runBaseline(children, settings(target, pool, names));
        default ->
            throw new IllegalArgumentException(
                "unknown target '" + target + "'; use outpost, baseline and/or workerd");
      }
    }
  }

  private CounterLoad.Settings settings(String target, int pool, String prefix) {
    return new CounterLoad.Settings(
        objects,
        callers,
        shape.rate,
        shape.warmupS,
        shape.durationS,
        shape.eventLoops,
        pool,
        prefix,
        AgainstWorkerd.recording(common, target, "counter-k" + objects));
  }

  private void runWorkerd(ChildProcesses children, CounterLoad.Settings settings) throws Exception {
    awaitQuiet();
    try (ServerProcess server =
        children.startWorkerd("workerd", children.workDir().resolve("workerd"))) {
      report(CounterLoad.run(server, settings));
    }
  }

  private void runBaseline(ChildProcesses children, CounterLoad.Settings settings)
      throws Exception {
    awaitQuiet();
    try (ServerProcess server =
        children.startCounterBaseline(
            "counter-baseline",
            children.workDir().resolve("counter-baseline"),
            common.serverJvmOptions("-Xms1g -Xmx1g"),
            List.of("--event-loops", Integer.toString(common.serverEventLoops)))) {
      report(CounterLoad.run(server, settings));
    }
  }

  private void runOutpost(ChildProcesses children, CounterLoad.Settings settings) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("--event-loops", Integer.toString(common.serverEventLoops)));
    if (syncWrites) {
      args.add("--sync-writes");
    }
    awaitQuiet();
    try (ServerProcess node =
        children.startOutpost(
            "outpost",
            children.workDir().resolve("outpost"),
            common.serverJvmOptions("-Xms1g -Xmx1g"),
            args)) {
      RunResult result = CounterLoad.run(node, settings);
      if (replicas > 0) {
        report(result);
        result = ReplicatedRun.run(children, replicas, settings, common);
      }
      report(
          syncWrites
              ? new RunResult(
                  result.workload(),
                  result.target(),
                  result.scenario() + " fsync",
                  result.seconds(),
                  result.throughput(),
                  result.unit(),
                  result.latency(),
                  result.errors(),
                  result.extra())
              : result);
    }
  }

  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    List<RunResult> outpost = runs.stream().filter(r -> r.target().equals("outpost")).toList();
    JsonObject summary = summarizeOutpost(outpost, out);
    summarizeBaseline(runs, out).ifPresent(b -> summary.put("baseline", b));
    AgainstWorkerd.summarize(runs, out).ifPresent(w -> summary.put("workerd", w));
    return summary;
  }

  /**
   * Prints Outpost against the bare Vert.x ceiling measured in the same invocation (medians over
   * each target's runs) and the many-objects goal of issue 16 checked against both.
   */
  private java.util.Optional<JsonObject> summarizeBaseline(List<RunResult> runs, PrintWriter out) {
    double[] outpost = throughputs(runs, "outpost");
    double[] baseline = throughputs(runs, "baseline");
    if (outpost.length == 0 || baseline.length == 0) {
      return java.util.Optional.empty();
    }
    double o = median(outpost);
    double b = median(baseline);
    out.println(
        String.format(
            Locale.ROOT,
            "counter outpost/baseline [%s]: %.2f (%s vs %s increments/s); goal >= %s: outpost %s,"
                + " baseline %s",
            runs.get(0).scenario(),
            o / b,
            RunResult.format(o),
            RunResult.format(b),
            RunResult.format(MANY_OBJECTS_GOAL),
            o >= MANY_OBJECTS_GOAL ? "met" : "missed",
            b >= MANY_OBJECTS_GOAL ? "reaches it" : "below it"));
    return java.util.Optional.of(
        new JsonObject()
            .put("ratio", Math.round(o / b * 1000) / 1000.0)
            .put("outpost_per_s", Math.round(o))
            .put("baseline_per_s", Math.round(b)));
  }

  private static double[] throughputs(List<RunResult> runs, String target) {
    return runs.stream()
        .filter(r -> r.target().equals(target))
        .mapToDouble(RunResult::throughput)
        .toArray();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private JsonObject summarizeOutpost(List<RunResult> runs, PrintWriter out) {
    if (objects != 1 || runs.isEmpty()) {
      return new JsonObject();
    }
    double rate = runs.get(0).throughput();
    out.println(
        String.format(
            Locale.ROOT,
            "counter single object: %s increments/s (goal >= %s: %s)",
            RunResult.format(rate),
            RunResult.format(SINGLE_OBJECT_GOAL),
            rate >= SINGLE_OBJECT_GOAL
                ? "met"
                : "missed by " + percentShort(rate, SINGLE_OBJECT_GOAL)));
    JsonObject summary = new JsonObject().put("single_object_per_s", Math.round(rate));
    if (replicas > 0 && runs.size() > 1) {
      double replicated = runs.get(1).throughput();
      out.println(
          String.format(
              Locale.ROOT,
              "counter single object, %d copies: %s increments/s, %.2f of the unreplicated figure"
                  + " (goal >= %s: %s)%s",
              replicas,
              RunResult.format(replicated),
              replicated / rate,
              RunResult.format(REPLICATED_GOAL),
              replicated >= REPLICATED_GOAL
                  ? "met"
                  : "missed by " + percentShort(replicated, REPLICATED_GOAL),
              shape.warmupS < REPLICATED_SETTLED_WARMUP_S
                  ? "; warm-up "
                      + Math.round(shape.warmupS)
                      + " s is short for three JVMs on this machine's cores (settled after"
                      + " about "
                      + REPLICATED_SETTLED_WARMUP_S
                      + " s on 2 cores)"
                  : ""));
      summary
          .put("replicated_per_s", Math.round(replicated))
          .put("replicated_ratio", replicated / rate);
    }
    return summary;
  }

  private static String percentShort(double rate, double goal) {
    return String.format(Locale.ROOT, "%.0f%%", 100 * (1 - rate / goal));
  }
}
