package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chat}: R rooms × C clients against an Outpost node and against the bare Vert.x baselines
 * (broadcast off the event loop, and inline), in the same invocation, one server process at a time;
 * prints each run, Outpost's ratios to each baseline, and the goals checked against the ceiling
 * (the best baseline figure): delivered messages/s ≥ 0.70 of it, p99 ≤ 2× it. The clients offer
 * {@code permessage-deflate} as browsers do unless {@code --no-deflate}; every run's scenario ends
 * in {@code deflate} or {@code plain} after what the server accepted, and reports the server's CPU
 * per delivered message ({@code server_us_per_msg}). {@code --deflate-ab} measures each target both
 * ways in a row and compares that CPU figure; {@code --variant} adds Outpost nodes started with
 * other arguments (targets {@code outpost@NAME}). Target {@code workerd} runs the same load against
 * Cloudflare's runtime ({@link AgainstWorkerd}).
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

  /**
   * Goal of issue 16: with permessage-deflate negotiated, the server's CPU per delivered message is
   * at most this multiple of the figure without.
   */
  public static final double DEFLATE_CPU_RATIO_GOAL = 1.3;

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
          "Servers to measure, in order: baseline, baseline-inline, outpost, outpost-untrimmed (the"
              + " node without ListenerOptions.trimWebSockets), outpost@VARIANT, workerd"
              + " (Cloudflare's runtime, from tests/benchmarks/workerd) (default ${DEFAULT-VALUE}).")
  List<String> targets;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description = "Measure the targets this many times, alternating (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--deflate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Offer permessage-deflate, as browsers do (default); --no-deflate offers nothing. Each run"
              + " reports what the server accepted.")
  boolean deflate;

  @Option(
      names = "--deflate-ab",
      description =
          "Measure each target twice in a row, offering permessage-deflate and then not (overrides"
              + " --[no-]deflate); the summary compares server CPU per delivered message.")
  boolean deflateAb;

  @Option(
      names = "--variant",
      description =
          "NAME=ARGS: target outpost@NAME is an Outpost node started with these extra node"
              + " arguments (space-separated), e.g. --variant t1k='--ws-deflate-threshold 1024'"
              + " --targets outpost,outpost@t1k.")
  Map<String, String> variants = new LinkedHashMap<>();

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
    List<Boolean> offers = deflateAb ? List.of(true, false) : List.of(deflate);
    for (int round = 0; round < rounds; round++) {
      for (String target : targets) {
        for (boolean offer : offers) {
          String name = target.replace('@', '-') + (offer ? "-deflate-" : "-plain-") + round;
          runOnce(children, target, name, offer, jvm, loops);
        }
      }
    }
  }

  private void runOnce(
      ChildProcesses children,
      String target,
      String name,
      boolean offer,
      List<String> jvm,
      List<String> loops)
      throws Exception {
    awaitQuiet();
    String variant = target.startsWith("outpost@") ? target.substring("outpost@".length()) : null;
    if (variant != null && !variants.containsKey(variant)) {
      throw new IllegalArgumentException(
          "target " + target + " names no --variant " + variant + "=ARGS");
    }
    try (ServerProcess server =
        switch (variant != null ? "outpost@" : target) {
          case "baseline", "baseline-inline" -> children.startBaseline(target, name, jvm, loops);
          case "outpost" ->
              children.startOutpost(name, children.workDir().resolve(name), jvm, loops);
          case "workerd" -> children.startWorkerd(name, children.workDir().resolve(name));
          case "outpost-untrimmed" ->
              children.startOutpost(
                  target,
                  name,
                  children.workDir().resolve(name),
                  jvm,
                  concat(loops, "--no-trim-websockets"));
          case "outpost@" -> {
            List<String> args = new ArrayList<>(loops);
            args.addAll(Arrays.asList(variants.get(variant).trim().split("\\s+")));
            yield children.startOutpost(target, name, children.workDir().resolve(name), jvm, args);
          }
          default ->
              throw new IllegalArgumentException(
                  "unknown target '"
                      + target
                      + "'; use baseline, baseline-inline, outpost, outpost-untrimmed,"
                      + " outpost@VARIANT and/or workerd");
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
              AgainstWorkerd.recording(common, target, "chat-" + name),
              offer);
      report(ChatLoad.run(server, settings));
    }
  }

  /**
   * Per scenario (a run's scenario says whether deflate was negotiated), Outpost's ratios to the
   * baselines and the fan-out goals; with runs both with and without deflate, each target's server
   * CPU per delivered message with deflate over without, checked against {@link
   * #DEFLATE_CPU_RATIO_GOAL}.
   */
  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    Map<String, List<RunResult>> byScenario = new LinkedHashMap<>();
    runs.forEach(r -> byScenario.computeIfAbsent(r.scenario(), k -> new ArrayList<>()).add(r));
    if (byScenario.size() == 1) {
      JsonObject summary = summarizeScenario(runs, out);
      AgainstWorkerd.summarize(runs, out).ifPresent(w -> summary.put("workerd", w));
      return summary;
    }
    JsonObject summary = new JsonObject();
    byScenario.forEach((scenario, mine) -> summary.put(scenario, summarizeScenario(mine, out)));
    JsonObject deflate = new JsonObject();
    for (String target : runs.stream().map(RunResult::target).distinct().toList()) {
      double with = medianCpuPerMessage(runs, target, true);
      double without = medianCpuPerMessage(runs, target, false);
      if (Double.isNaN(with) || Double.isNaN(without) || without == 0) {
        continue;
      }
      double ratio = with / without;
      out.println(
          String.format(
              Locale.ROOT,
              "chat %s server CPU per delivered message: %.2f us with deflate, %.2f us without,"
                  + " ratio %.2f (goal <= %.1f: %s)",
              target,
              with,
              without,
              ratio,
              DEFLATE_CPU_RATIO_GOAL,
              ratio <= DEFLATE_CPU_RATIO_GOAL ? "met" : "missed"));
      deflate.put(
          target,
          new JsonObject()
              .put("us_per_msg_deflate", with)
              .put("us_per_msg_plain", without)
              .put("ratio", round3(ratio)));
    }
    AgainstWorkerd.summarize(runs, out).ifPresent(w -> summary.put("workerd", w));
    return summary.put("deflate_cpu", deflate);
  }

  /** Median server CPU per delivered message of one target's runs with or without deflate. */
  private static double medianCpuPerMessage(List<RunResult> runs, String target, boolean deflate) {
    double[] values =
        runs.stream()
            .filter(r -> r.target().equals(target))
            .filter(r -> r.scenario().endsWith(" deflate") == deflate)
            .mapToDouble(r -> r.extraNumber("server_us_per_msg", Double.NaN))
            .toArray();
    return values.length == 0 ? Double.NaN : median(values);
  }

  /**
   * Prints Outpost's ratios to each baseline, and checks the goals against the ceiling: the best
   * delivered/s and the best p99 of the baselines measured (medians over rounds); {@code runs}
   * share one scenario.
   */
  private static JsonObject summarizeScenario(List<RunResult> runs, PrintWriter out) {
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
