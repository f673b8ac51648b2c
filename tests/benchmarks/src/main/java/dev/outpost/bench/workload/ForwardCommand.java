package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code forward}: the counter and chat loads through the owner's router (direct) and through the
 * other node's router (forwarded over the node link), against one 2-node cluster ({@link
 * TwoNodeCluster}) in the same invocation. The objects are placed first; whichever node owns them
 * is "direct", the other "forwarded". Each run reports the CPU of both nodes and per operation, and
 * how many exchanges the entry node forwarded (0 for direct, every request or socket for
 * forwarded). Goal (issue 16): forwarded counter ≥ 80% of the direct throughput, p50 at most 0.3 ms
 * above it.
 */
@Command(
    name = "forward",
    mixinStandardHelpOptions = true,
    description =
        "Counter and chat through the owner's router and through a non-owner router (forwarded"
            + " over the node link) of one 2-node cluster, in the same run; ratio and p50"
            + " difference.")
public final class ForwardCommand extends WorkloadCommand {

  /** Goal of issue 16: forwarded counter throughput at least this share of the direct one. */
  public static final double THROUGHPUT_RATIO_GOAL = 0.80;

  /** Goal of issue 16: forwarded counter p50 at most this much above the direct one, µs. */
  public static final double P50_EXTRA_GOAL_US = 300;

  static final String DIRECT = "direct";
  static final String FORWARDED = "forwarded";

  @Mixin LoadShape shape;

  @Option(
      names = "--loads",
      split = ",",
      defaultValue = "counter,chat",
      description = "Loads to run, in order (default ${DEFAULT-VALUE}).")
  List<String> loads;

  @Option(
      names = "--objects",
      defaultValue = "1",
      description = "counter: objects K (default ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--callers",
      defaultValue = "64",
      description = "counter: closed-loop callers N (default ${DEFAULT-VALUE}).")
  int callers;

  @Option(names = "--rooms", defaultValue = "1", description = "chat: rooms (default 1).")
  int rooms;

  @Option(
      names = "--clients",
      defaultValue = "20",
      description = "chat: clients per room (default ${DEFAULT-VALUE}).")
  int clients;

  @Option(
      names = "--message-bytes",
      defaultValue = "100",
      description = "chat: size of each text message (default ${DEFAULT-VALUE}).")
  int messageBytes;

  @Option(
      names = "--rounds",
      defaultValue = "1",
      description =
          "Measure direct and forwarded this many times; odd rounds start with forwarded"
              + " (default ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  protected String workload() {
    return "forward";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    shape.validate();
    if (objects < 1 || callers < 1 || rooms < 1 || clients < 1 || rounds < 1) {
      throw new IllegalArgumentException(
          "--objects, --callers, --rooms, --clients and --rounds must be >= 1");
    }
    for (String load : loads) {
      if (!load.equals("counter") && !load.equals("chat")) {
        throw new IllegalArgumentException("unknown load '" + load + "'; use counter and/or chat");
      }
    }
    try (TwoNodeCluster cluster = TwoNodeCluster.start(children, common)) {
      // Rooms first, while both nodes are equally idle: placement then prefers the asking node.
      String roomOwner =
          loads.contains("chat")
              ? cluster.place(TwoNodeCluster.NODES.get(0), "chat", roomNames())
              : null;
      for (int round = 0; round < rounds; round++) {
        List<String> order =
            round % 2 == 0 ? List.of(DIRECT, FORWARDED) : List.of(FORWARDED, DIRECT);
        for (String load : loads) {
          for (String via : order) {
            awaitQuiet();
            report(
                load.equals("counter")
                    ? counter(cluster, via, round)
                    : chat(cluster, roomOwner, via, round));
          }
        }
      }
    }
  }

  private List<String> roomNames() {
    List<String> names = new ArrayList<>();
    for (int r = 0; r < rooms; r++) {
      names.add("room-" + r); // ChatLoad's names
    }
    return names;
  }

  private RunResult counter(TwoNodeCluster cluster, String via, int round) throws Exception {
    String prefix =
        "fwd-" + via + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    List<String> names = new ArrayList<>();
    for (int k = 0; k < objects; k++) {
      names.add(prefix + "-" + k); // CounterLoad's names
    }
    String owner = cluster.place(TwoNodeCluster.NODES.get(0), "counter", names);
    String entry = via.equals(DIRECT) ? owner : cluster.other(owner);
    CounterLoad.Settings settings =
        new CounterLoad.Settings(
            objects,
            callers,
            shape.rate,
            shape.warmupS,
            shape.durationS,
            shape.eventLoops,
            shape.rate > 0 ? 64 : callers,
            prefix,
            common.recording("forward-counter-" + via + "-r" + round));
    long before = cluster.forwarded(entry, "request");
    RunResult result =
        CounterLoad.run(
            cluster.node(entry), ServerMeters.of(cluster.nodes(), settings.recording()), settings);
    return labelled(result, via, owner, entry, cluster.forwarded(entry, "request") - before);
  }

  private RunResult chat(TwoNodeCluster cluster, String owner, String via, int round)
      throws Exception {
    String entry = via.equals(DIRECT) ? owner : cluster.other(owner);
    ChatLoad.Settings settings =
        new ChatLoad.Settings(
            rooms,
            clients,
            messageBytes,
            shape.rate,
            shape.window,
            shape.warmupS,
            shape.durationS,
            5,
            shape.eventLoops,
            common.recording("forward-chat-" + via + "-r" + round),
            true); // clients offer permessage-deflate, as browsers (and the chat workload) do
    long before = cluster.forwarded(entry, "upgrade");
    RunResult result =
        ChatLoad.run(
            cluster.node(entry), ServerMeters.of(cluster.nodes(), settings.recording()), settings);
    return labelled(result, via, owner, entry, cluster.forwarded(entry, "upgrade") - before);
  }

  private static RunResult labelled(
      RunResult result, String via, String owner, String entry, long forwarded) {
    Map<String, Object> more = new LinkedHashMap<>();
    more.put("owner", owner);
    more.put("entry", entry);
    more.put("forwarded", forwarded);
    return result.relabelled(via, more);
  }

  /**
   * Per load: the forwarded median throughput over the direct one and the difference of the median
   * p50s; for the counter, the goals.
   */
  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    JsonObject summary = new JsonObject();
    for (String load : List.of("counter", "chat")) {
      double[] direct = medians(runs, load, DIRECT);
      double[] forwarded = medians(runs, load, FORWARDED);
      if (direct == null || forwarded == null || direct[0] == 0) {
        continue;
      }
      double ratio = forwarded[0] / direct[0];
      double p50Extra = forwarded[1] - direct[1];
      String verdict = "";
      if (load.equals("counter")) {
        verdict =
            String.format(
                Locale.ROOT,
                " (goals: >= %.2f %s, <= +%.0f us %s)",
                THROUGHPUT_RATIO_GOAL,
                ratio >= THROUGHPUT_RATIO_GOAL ? "met" : "missed",
                P50_EXTRA_GOAL_US,
                p50Extra <= P50_EXTRA_GOAL_US ? "met" : "missed");
      }
      out.println(
          String.format(
              Locale.ROOT,
              "forward %s: forwarded/direct throughput %.2f (%s vs %s %s), p50 %+.0f us (%s vs %s"
                  + " us)%s",
              load,
              ratio,
              RunResult.format(forwarded[0]),
              RunResult.format(direct[0]),
              runs.stream()
                  .filter(r -> r.workload().equals(load))
                  .findFirst()
                  .map(RunResult::unit)
                  .orElse(""),
              p50Extra,
              RunResult.format(forwarded[1]),
              RunResult.format(direct[1]),
              verdict));
      summary.put(
          load,
          new JsonObject()
              .put("throughput_ratio", Math.round(ratio * 1000) / 1000.0)
              .put("p50_extra_us", Math.round(p50Extra))
              .put("direct_throughput", Math.round(direct[0]))
              .put("forwarded_throughput", Math.round(forwarded[0])));
    }
    return summary;
  }

  /** Median throughput and median p50 of one load's runs via one path, or null if none. */
  private static double[] medians(List<RunResult> runs, String load, String via) {
    List<RunResult> mine =
        runs.stream().filter(r -> r.workload().equals(load) && r.target().equals(via)).toList();
    if (mine.isEmpty()) {
      return null;
    }
    return new double[] {
      ChatCommand.median(mine.stream().mapToDouble(RunResult::throughput).toArray()),
      ChatCommand.median(mine.stream().mapToDouble(r -> r.latency().p50Us()).toArray())
    };
  }
}
