package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chat}: R rooms × C clients against an Outpost node and against the bare Vert.x baselines
 * (broadcast off the event loop, and inline), in the same invocation, one server process at a time;
 * prints each run, Outpost's ratios to each baseline, and the goals checked against the ceiling
 * (the best baseline figure): delivered messages/s ≥ 0.70 of it, p99 ≤ 2× it.
 */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description =
        "Chat fan-out: R rooms x C WebSocket clients on /objects/chat/{room}, against Outpost and"
            + " the bare Vert.x baselines; delivered messages/s and end-to-end latency.")
public final class ChatCommand extends WorkloadCommand {

  /** Goal of issue 6: Outpost delivers at least this share of the baseline's messages/s. */
  public static final double DELIVERED_RATIO_GOAL = 0.70;

  /** Goal of issue 6: Outpost's p99 is at most this multiple of the baseline's. */
  public static final double P99_RATIO_GOAL = 2.0;

  @Mixin LoadShape shape;

  @Option(names = "--rooms", defaultValue = "1", description = "Rooms (default ${DEFAULT-VALUE}).")
  int rooms;

  @Option(
      names = "--clients",
      defaultValue = "50",
      description = "Clients per room (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--message-bytes",
      defaultValue = "100",
      description = "Size of each text message (default ${DEFAULT-VALUE}).")
  int messageBytes;

  @Option(
      names = "--targets",
      split = ",",
      defaultValue = "baseline,baseline-inline,outpost",
      description =
          "Servers to measure, in order; outpost-untrimmed is the node without"
              + " ListenerOptions.trimWebSockets (default ${DEFAULT-VALUE}).")
  List<String> targets;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description = "Measure the targets this many times, alternating (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--drain-s",
      defaultValue = "5",
      description =
          "Longest wait for in-flight messages after the window (default ${DEFAULT-VALUE}).")
  double drainS;

  @Override
  protected String workload() {
    return "chat";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    shape.validate();
    if (rooms < 1 || clients < 1 || messageBytes < 32 || rounds < 1) {
      throw new IllegalArgumentException(
          "--rooms, --clients and --rounds must be >= 1, --message-bytes >= 32");
    }
    List<String> jvm = common.serverJvmOptions("-Xms1g -Xmx1g");
    List<String> loops = List.of("--event-loops", Integer.toString(common.serverEventLoops));
    for (int round = 0; round < rounds; round++) {
      for (String target : targets) {
        String name = target + "-" + round;
        awaitQuiet();
        try (ServerProcess server =
            switch (target) {
              case "baseline", "baseline-inline" ->
                  children.startBaseline(target, name, jvm, loops);
              case "outpost" ->
                  children.startOutpost(name, children.workDir().resolve(name), jvm, loops);
              case "outpost-untrimmed" ->
                  children.startOutpost(
                      target,
                      name,
                      children.workDir().resolve(name),
                      jvm,
                      concat(loops, "--no-trim-websockets"));
              default ->
                  throw new IllegalArgumentException(
                      "unknown target '"
                          + target
                          + "'; use baseline, baseline-inline, outpost and/or outpost-untrimmed");
            }) {
          ChatLoad.Settings settings =
              new ChatLoad.Settings(
                  rooms,
                  clients,
                  messageBytes,
                  shape.rate,
                  shape.window,
                  shape.warmupS,
                  shape.durationS,
                  drainS,
                  shape.eventLoops,
                  common.recording("chat-" + name));
          report(ChatLoad.run(server, settings));
        }
      }
    }
  }

  /**
   * Prints Outpost's ratios to each baseline, and checks the goals against the ceiling: the best
   * delivered/s and the best p99 of the baselines measured (medians over rounds).
   */
  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    double[] outpost = medians(runs, "outpost");
    if (outpost == null) {
      return new JsonObject();
    }
    String scenario = runs.get(0).scenario();
    JsonObject summary = new JsonObject().put("scenario", scenario);
    double bestDelivered = 0;
    double bestP99 = Double.MAX_VALUE;
    for (String baseline : List.of("baseline", "baseline-inline")) {
      double[] base = medians(runs, baseline);
      if (base == null || base[0] == 0 || base[1] == 0) {
        continue;
      }
      bestDelivered = Math.max(bestDelivered, base[0]);
      bestP99 = Math.min(bestP99, base[1]);
      out.println(
          String.format(
              Locale.ROOT,
              "chat outpost/%s [%s]: delivered/s ratio %.2f, p99 ratio %.2fx",
              baseline,
              scenario,
              outpost[0] / base[0],
              outpost[1] / base[1]));
      summary.put(
          baseline,
          new JsonObject()
              .put("delivered_ratio", round3(outpost[0] / base[0]))
              .put("p99_ratio", round3(outpost[1] / base[1]))
              .put("delivered_per_s", new JsonArray(deliveredOf(runs, baseline))));
    }
    if (bestDelivered == 0) {
      return summary;
    }
    double delivered = outpost[0] / bestDelivered;
    double p99 = outpost[1] / bestP99;
    out.println(
        String.format(
            Locale.ROOT,
            "chat outpost/ceiling [%s]: delivered/s ratio %.2f (goal >= %.2f: %s), p99 ratio"
                + " %.2fx (goal <= %.1fx: %s)",
            scenario,
            delivered,
            DELIVERED_RATIO_GOAL,
            delivered >= DELIVERED_RATIO_GOAL ? "met" : "missed",
            p99,
            P99_RATIO_GOAL,
            p99 <= P99_RATIO_GOAL ? "met" : "missed"));
    return summary
        .put("delivered_ratio", round3(delivered))
        .put("p99_ratio", round3(p99))
        .put("outpost_delivered_per_s", new JsonArray(deliveredOf(runs, "outpost")));
  }

  private static double round3(double value) {
    return Math.round(value * 1000) / 1000.0;
  }

  /** Median delivered/s and median p99 of one target's runs, or null if it has none. */
  private static double[] medians(List<RunResult> runs, String target) {
    List<RunResult> mine = runs.stream().filter(r -> r.target().equals(target)).toList();
    if (mine.isEmpty()) {
      return null;
    }
    return new double[] {
      median(mine.stream().mapToDouble(RunResult::throughput).toArray()),
      median(mine.stream().mapToDouble(r -> r.latency().p99Us()).toArray())
    };
  }

  private static List<Double> deliveredOf(List<RunResult> runs, String target) {
    return runs.stream()
        .filter(r -> r.target().equals(target))
        .map(r -> (double) Math.round(r.throughput()))
        .toList();
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static List<String> concat(List<String> list, String more) {
    List<String> all = new java.util.ArrayList<>(list);
    all.add(more);
    return all;
  }
}
