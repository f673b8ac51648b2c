package dev.outpost.bench.workload;

import dev.outpost.bench.load.CpuMeter;
import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.HttpCalls;
import dev.outpost.bench.load.MachineCpu;
import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.RequestChains;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.objects.StoreObject;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code activate}: cold activation of objects with stored state (goal: p50 ≤ 1 ms).
 *
 * <p>Method: a node serving {@link StoreObject} creates M (+ W warm-up) objects, each with K keys
 * of B bytes, and is stopped (SIGTERM: RocksDB closed cleanly). A fresh node process opens the same
 * data directory, so no object is in memory and RocksDB's caches are cold. The W warm-up objects
 * are activated first, untimed, so that the JIT and class loading are out of the way; then the
 * first request to each of the M objects ({@code GET /read}: construct the object, read its K
 * entries) is timed, strictly one after another over one keep-alive connection. A second pass over
 * the same, now active, objects gives the cost of the request without activation.
 */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description =
        "Cold activation: the first request to each of M objects with stored state, after a"
            + " node restart on the same data.")
public final class ActivateCommand extends WorkloadCommand {

  /** Goal of issue 6: median cold activation with stored state, in microseconds. */
  public static final double COLD_P50_GOAL_US = 1000;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Option(
      names = "--objects",
      defaultValue = "1000",
      description = "Objects M timed (default ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--keys",
      defaultValue = "10",
      description = "Stored keys K per object (default ${DEFAULT-VALUE}).")
  int keys;

  @Option(
      names = "--value-bytes",
      defaultValue = "100",
      description = "Bytes B per stored value (default ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(
      names = "--warmup-objects",
      defaultValue = "3000",
      description =
          "Objects W activated untimed first, so that the JIT has compiled the path; with a few"
              + " hundred the figure includes compilation (default ${DEFAULT-VALUE}).")
  int warmupObjects;

  @Override
  protected String workload() {
    return "activate";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    if (objects < 1 || keys < 1 || valueBytes < 1 || warmupObjects < 0) {
      throw new IllegalArgumentException(
          "--objects, --keys and --value-bytes must be >= 1, --warmup-objects >= 0");
    }
    Path dataDir = children.workDir().resolve("activate");
    List<String> jvm = common.serverJvmOptions("-Xms1g -Xmx1g");
    List<String> loops = List.of("--event-loops", Integer.toString(common.serverEventLoops));
    int total = objects + warmupObjects;
    awaitQuiet();
    Vertx vertx = EventLoops.create(2);
    try {
      List<Context> contexts = EventLoops.contexts(vertx, 2);
      HttpClient client = HttpCalls.client(vertx, 16);
      try (ServerProcess fill =
          children.startOutpost("activate-fill", dataDir, jvm, nodeArgs(loops, false))) {
        RequestChains.Outcome created =
            RequestChains.run(
                contexts,
                client,
                fill.port(),
                HttpMethod.POST,
                total,
                i -> uri(i) + "/fill?keys=" + keys + "&bytes=" + valueBytes,
                r -> r.status() == 200 && r.body().trim().equals(Integer.toString(keys)),
                16,
                TIMEOUT);
        failIfAny(created, "creating the objects", fill);
      } // stopped by PID: SIGTERM, the node closes RocksDB
      EventLoops.close(vertx);
      vertx = EventLoops.create(1);
      contexts = EventLoops.contexts(vertx, 1);
      client = HttpCalls.client(vertx, 1);
      try (ServerProcess node =
          children.startOutpost("activate", dataDir, jvm, nodeArgs(loops, true))) {
        String answer = keys + ":" + (long) keys * valueBytes;
        RequestChains.Outcome warm =
            pass(contexts, client, node, objects, warmupObjects, answer); // untimed warm-up
        failIfAny(warm, "warming up", node);
        WindowRecording recording = common.recording("activate");
        recording.start(node);
        CpuMeter serverCpu = CpuMeter.start(node.pid());
        CpuMeter generatorCpu = CpuMeter.startSelf();
        MachineCpu machine = MachineCpu.start();
        RequestChains.Outcome cold = pass(contexts, client, node, 0, objects, answer);
        double serverCores = serverCpu.cores();
        double generatorCores = generatorCpu.cores();
        double otherCores = machine.busyCores() - serverCores - generatorCores;
        recording.stop(node);
        RequestChains.Outcome again = pass(contexts, client, node, 0, objects, answer);
        report(result(node, "cold first request", cold, serverCores, generatorCores, otherCores));
        report(result(node, "second request (active)", again, -1, -1, -1));
      }
    } finally {
      EventLoops.close(vertx);
    }
  }

  private List<String> nodeArgs(List<String> loops, boolean longIdle) {
    List<String> args = new java.util.ArrayList<>(loops);
    args.add("--store-objects");
    if (longIdle) {
      args.addAll(List.of("--idle-timeout-ms", "600000")); // nothing evicted between the passes
    }
    return args;
  }

  private RequestChains.Outcome pass(
      List<Context> contexts,
      HttpClient client,
      ServerProcess node,
      int first,
      int count,
      String answer) {
    return RequestChains.run(
        contexts,
        client,
        node.port(),
        HttpMethod.GET,
        count,
        i -> uri(first + i) + "/read",
        r -> r.status() == 200 && r.body().trim().equals(answer),
        1,
        TIMEOUT);
  }

  private RunResult result(
      ServerProcess node,
      String what,
      RequestChains.Outcome outcome,
      double serverCores,
      double generatorCores,
      double otherCores) {
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("objects", objects);
    extra.put("keys", keys);
    extra.put("value_bytes", valueBytes);
    if (serverCores >= 0) {
      extra.put("server_cpu", Math.round(serverCores * 100) / 100.0);
      extra.put("generator_cpu", Math.round(generatorCores * 100) / 100.0);
      extra.put("other_cpu", Math.round(Math.max(0, otherCores) * 100) / 100.0);
    }
    if (!outcome.firstFailure().isEmpty()) {
      extra.put("first_failure", outcome.firstFailure());
    }
    double seconds = outcome.nanos() / 1e9;
    return new RunResult(
        "activate",
        node.target(),
        what + ", " + keys + " keys x " + valueBytes + " B",
        seconds,
        outcome.ok() / seconds,
        "requests/s",
        Percentiles.of(outcome.latency()),
        outcome.failed(),
        extra);
  }

  private static void failIfAny(RequestChains.Outcome outcome, String phase, ServerProcess node) {
    if (outcome.failed() > 0) {
      throw new IllegalStateException(
          phase
              + ": "
              + outcome.failed()
              + " requests failed (first: "
              + outcome.firstFailure()
              + "); "
              + node.logTail());
    }
  }

  private static String uri(int i) {
    return "/objects/" + StoreObject.NAMESPACE + "/obj-" + i;
  }

  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    if (runs.size() < 2) {
      return new JsonObject();
    }
    double cold = runs.get(0).latency().p50Us();
    double warm = runs.get(1).latency().p50Us();
    out.println(
        String.format(
            Locale.ROOT,
            "activate: cold p50 %s us, active p50 %s us, activation adds about %s us"
                + " (goal: cold p50 <= %s us: %s)",
            RunResult.format(cold),
            RunResult.format(warm),
            RunResult.format(cold - warm),
            RunResult.format(COLD_P50_GOAL_US),
            cold <= COLD_P50_GOAL_US ? "met" : "missed"));
    return new JsonObject()
        .put("cold_p50_us", cold)
        .put("cold_p99_us", runs.get(0).latency().p99Us())
        .put("active_p50_us", warm);
  }
}
