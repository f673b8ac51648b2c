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
import dev.outpost.bench.server.MemoryReport;
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
 *
 * <p>Scale ({@code --stored}, {@code --live}): the fill may store many more objects than are timed
 * (e.g. 1,000,000), so the timed ones are found among them in a large RocksDB; the data directory's
 * size over the stored objects gives the bytes on disk per object (after the fill node closed
 * RocksDB cleanly). With {@code --live L}, after the two passes L more objects are activated (16 at
 * a time) and the node's heap after GC is read before and after: the difference over L is the heap
 * one live activation holds.
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

  @Option(
      names = "--stored",
      defaultValue = "0",
      description =
          "Objects stored by the fill in all (at least M + W + L; default ${DEFAULT-VALUE}: just"
              + " those), to time activations in a large store (e.g. 1000000).")
  int stored;

  @Option(
      names = "--live",
      defaultValue = "0",
      description =
          "After the timed passes, activate this many more objects and report the heap each live"
              + " activation holds (default ${DEFAULT-VALUE}: off).")
  int live;

  @Override
  protected String workload() {
    return "activate";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    if (objects < 1 || keys < 1 || valueBytes < 1 || warmupObjects < 0 || stored < 0 || live < 0) {
      throw new IllegalArgumentException(
          "--objects, --keys and --value-bytes must be >= 1, --warmup-objects, --stored and"
              + " --live >= 0");
    }
    Path dataDir = children.workDir().resolve("activate");
    List<String> jvm = common.serverJvmOptions("-Xms1g -Xmx1g");
    List<String> loops = List.of("--event-loops", Integer.toString(common.serverEventLoops));
    int total = Math.max(stored, objects + warmupObjects + live);
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
      long diskBytes = directorySize(dataDir);
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
        RunResult coldResult =
            result(node, "cold first request", cold, serverCores, generatorCores, otherCores);
        Map<String, Object> scale = new LinkedHashMap<>(coldResult.extra());
        scale.put("stored_objects", total);
        scale.put("disk_bytes", diskBytes);
        scale.put("disk_bytes_per_object", diskBytes / total);
        report(
            new RunResult(
                coldResult.workload(),
                coldResult.target(),
                coldResult.scenario()
                    + (total > objects + warmupObjects ? ", " + total + " stored" : ""),
                coldResult.seconds(),
                coldResult.throughput(),
                coldResult.unit(),
                coldResult.latency(),
                coldResult.errors(),
                scale));
        report(result(node, "second request (active)", again, -1, -1, -1));
        if (live > 0) {
          report(liveMemory(contexts, client, node, answer));
        }
      }
    } finally {
      EventLoops.close(vertx);
    }
  }

  /**
   * Activates {@code live} objects beyond the timed ones (16 requests at a time) and measures the
   * node's heap after GC before and after.
   */
  private RunResult liveMemory(
      List<Context> contexts, HttpClient client, ServerProcess node, String answer)
      throws InterruptedException {
    MemoryReport before = node.memory();
    int first = objects + warmupObjects;
    RequestChains.Outcome activated =
        RequestChains.run(
            contexts,
            client,
            node.port(),
            HttpMethod.GET,
            live,
            i -> uri(first + i) + "/read",
            r -> r.status() == 200 && r.body().trim().equals(answer),
            16,
            TIMEOUT);
    failIfAny(activated, "activating the live objects", node);
    MemoryReport after = node.memory();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("live_before", before.objects());
    extra.put("live_after", after.objects());
    extra.put("heap_before", before.heapUsed());
    extra.put("heap_after", after.heapUsed());
    extra.put("rss_after", after.rss());
    long added = Math.max(1, after.objects() - before.objects());
    extra.put("heap_bytes_per_live", (after.heapUsed() - before.heapUsed()) / added);
    extra.put("rss_bytes_per_live", (after.rss() - before.rss()) / added);
    double seconds = activated.nanos() / 1e9;
    return new RunResult(
        "activate",
        node.target(),
        live + " more live activations (16 at a time)",
        seconds,
        activated.ok() / seconds,
        "requests/s",
        Percentiles.of(activated.latency()),
        activated.failed(),
        extra);
  }

  private static long directorySize(Path dir) throws java.io.IOException {
    try (var files = java.nio.file.Files.walk(dir)) {
      return files
          .filter(java.nio.file.Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return java.nio.file.Files.size(f);
                } catch (java.io.IOException e) {
                  return 0; // removed meanwhile (a rolled log)
                }
              })
          .sum();
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
    Object perObject = runs.get(0).extra().get("disk_bytes_per_object");
    if (perObject != null) {
      out.println(
          String.format(
              Locale.ROOT,
              "activate: %s objects stored, %s bytes on disk each",
              RunResult.format(((Number) runs.get(0).extra().get("stored_objects")).doubleValue()),
              RunResult.format(((Number) perObject).doubleValue())));
    }
    if (runs.size() > 2) {
      Map<String, Object> mem = runs.get(2).extra();
      out.println(
          String.format(
              Locale.ROOT,
              "activate: %s live activations, %s bytes of heap each (after GC), %s bytes RSS each",
              RunResult.format(((Number) mem.get("live_after")).doubleValue()),
              RunResult.format(((Number) mem.get("heap_bytes_per_live")).doubleValue()),
              RunResult.format(((Number) mem.get("rss_bytes_per_live")).doubleValue())));
    }
    return new JsonObject()
        .put("cold_p50_us", cold)
        .put("cold_p99_us", runs.get(0).latency().p99Us())
        .put("active_p50_us", warm);
  }
}
