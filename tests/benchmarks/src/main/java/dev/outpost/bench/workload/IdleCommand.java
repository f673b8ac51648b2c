package dev.outpost.bench.workload;

import dev.outpost.bench.load.Connector;
import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.LatencyHistograms;
import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.ResultFile;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildJvm;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.MemoryReport;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code idle}: N WebSockets to chat rooms held open, idle, while the rooms hibernate; the server's
 * heap after GC and RSS per connection (goal: ≤ 4 KiB), against Outpost and the bare baseline.
 *
 * <p>Method: the server starts ({@code -Xms256m -Xmx1g} by default, the heap of the first bare
 * Vert.x idle measurement), takes a few warm-up connections (code paths and the chat class loaded)
 * and drops them; its memory after GC is read; then client processes ({@link IdleClient}, at most
 * {@code --per-process} sockets each, on source addresses 127.0.0.2, .3, ...) open N sockets in
 * rooms of {@code --room-size}; once every socket is open and (Outpost) every room has hibernated,
 * memory after GC is read again. Per connection = difference / N. The open-file limit is 20,000 per
 * process here, for the server too: N must stay below about 19,900.
 */
@Command(
    name = "idle",
    mixinStandardHelpOptions = true,
    description =
        "Idle hibernated WebSockets: heap after GC and RSS per connection, Outpost and baseline.")
public final class IdleCommand extends WorkloadCommand {

  /** Goal of issue 6: memory per idle hibernated connection. */
  public static final long BYTES_PER_CONNECTION_GOAL = 4096;

  private static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(15);

  @Option(
      names = "--connections",
      defaultValue = "1000",
      description = "Idle sockets N (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--room-size",
      defaultValue = "100",
      description = "Sockets per room (default ${DEFAULT-VALUE}).")
  int roomSize;

  @Option(
      names = "--per-process",
      defaultValue = "9000",
      description = "Most sockets per client process (default ${DEFAULT-VALUE}).")
  int perProcess;

  @Option(
      names = "--idle-timeout-ms",
      defaultValue = "2000",
      description =
          "Outpost's idle timeout: rooms hibernate after this (default ${DEFAULT-VALUE}).")
  long idleTimeoutMs;

  @Option(
      names = "--histogram-top",
      defaultValue = "30",
      description =
          "Classes of the per-connection heap histogram to save (growth between before and"
              + " after, per connection); 0 for none (default ${DEFAULT-VALUE}).")
  int histogramTop;

  @Option(
      names = "--targets",
      split = ",",
      defaultValue = "outpost,baseline",
      description =
          "Servers to measure, in order: outpost, outpost-untrimmed (the node with"
              + " ListenerOptions.trimWebSockets off: Vert.x's full per-socket state), baseline"
              + " (default ${DEFAULT-VALUE}).")
  List<String> targets;

  @Override
  protected String workload() {
    return "idle";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    if (connections < 1 || roomSize < 1 || perProcess < 1 || perProcess > 19_000) {
      throw new IllegalArgumentException(
          "--connections and --room-size must be >= 1, --per-process 1..19000");
    }
    List<String> jvm = common.serverJvmOptions("-Xms256m -Xmx1g");
    List<String> loops = List.of("--event-loops", Integer.toString(common.serverEventLoops));
    for (String target : targets) {
      awaitQuiet();
      try (ServerProcess server =
          switch (target) {
            case "baseline" -> children.startBaseline("baseline", "idle-baseline", jvm, loops);
            case "outpost", "outpost-untrimmed" -> {
              List<String> args = new ArrayList<>(loops);
              args.addAll(List.of("--idle-timeout-ms", Long.toString(idleTimeoutMs)));
              if (target.equals("outpost-untrimmed")) {
                args.add("--no-trim-websockets");
              }
              yield children.startOutpost(
                  target,
                  "idle-" + target,
                  children.workDir().resolve("idle-" + target),
                  jvm,
                  args);
            }
            default ->
                throw new IllegalArgumentException(
                    "unknown target '"
                        + target
                        + "'; use outpost, outpost-untrimmed and/or baseline");
          }) {
        report(measure(children, server));
      }
    }
  }

  private RunResult measure(ChildProcesses children, ServerProcess server) throws Exception {
    Vertx vertx = EventLoops.create(1);
    List<ChildJvm> clients = new ArrayList<>();
    try {
      warmUp(vertx, server);
      awaitSettled(vertx, server, 0);
      MemoryReport before = server.memory();
      Map<String, long[]> histogramBefore = histogramTop > 0 ? server.classHistogram() : Map.of();
      int processes = (connections + perProcess - 1) / perProcess;
      for (int p = 0; p < processes; p++) {
        int first = p * perProcess;
        int count = Math.min(perProcess, connections - first);
        clients.add(
            children.start(
                "idle-client-" + server.target() + "-" + p,
                IdleClient.class,
                List.of("-Xmx512m"),
                List.of(
                    "--port", Integer.toString(server.port()),
                    "--source", "127.0.0." + (2 + p),
                    "--first", Integer.toString(first),
                    "--count", Integer.toString(count),
                    "--room-size", Integer.toString(roomSize))));
      }
      long opened = 0;
      long failed = 0;
      long connectMs = 0;
      String firstFailure = "";
      Histogram handshakes = LatencyHistograms.newHistogram();
      for (ChildJvm client : clients) {
        String line = client.awaitLine("connected", CONNECT_TIMEOUT);
        opened += field(line, "opened");
        failed += field(line, "failed");
        connectMs = Math.max(connectMs, field(line, "ms"));
        handshakes.add(IdleClient.decode(word(line, "handshakes")));
        if (firstFailure.isEmpty()) {
          firstFailure = word(line, "first_failure");
        }
      }
      MemoryReport settled = awaitSettled(vertx, server, opened);
      MemoryReport after = server.memory();
      if (histogramTop > 0 && opened > 0) {
        writeHistogram(server, histogramBefore, opened);
      }
      long dropped = 0;
      long clientRss = 0;
      for (ChildJvm client : clients) {
        client.send("stats");
        dropped += field(client.awaitLine("stats", Duration.ofSeconds(30)), "dropped");
        clientRss = Math.max(clientRss, client.residentBytes());
      }
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("connections", opened);
      extra.put("heap_per_conn_B", perConnection(after.heapUsed(), before.heapUsed(), opened));
      extra.put("rss_per_conn_B", perConnection(after.rss(), before.rss(), opened));
      extra.put("heap_before_MB", mib(before.heapUsed()));
      extra.put("heap_after_MB", mib(after.heapUsed()));
      extra.put("rss_before_MB", mib(before.rss()));
      extra.put("rss_after_MB", mib(after.rss()));
      extra.put("server_sockets", settled.sockets());
      extra.put("live_objects", settled.objects());
      extra.put("server_fds", settled.fds());
      extra.put("client_processes", clients.size());
      extra.put("client_rss_MB_max", mib(clientRss));
      if (!firstFailure.isEmpty()) {
        extra.put("first_failure", firstFailure);
      }
      long missing = Math.max(0, opened - settled.sockets());
      return new RunResult(
          "idle",
          server.target(),
          connections + " sockets, rooms of " + roomSize,
          connectMs / 1000.0,
          connectMs == 0 ? 0 : opened * 1000.0 / connectMs,
          "handshakes/s",
          Percentiles.of(handshakes),
          failed + dropped + missing,
          extra);
    } finally {
      clients.forEach(ChildJvm::close);
      EventLoops.close(vertx);
    }
  }

  /**
   * Writes what the connections are made of, next to the results: for each class, the growth of the
   * server's heap histogram between before and after, per connection; prints the top lines.
   */
  private void writeHistogram(ServerProcess server, Map<String, long[]> before, long connections)
      throws Exception {
    Map<String, long[]> after = server.classHistogram();
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "%s: heap histogram growth over %d idle connections (per connection)",
            server.target(),
            connections));
    lines.add(String.format(Locale.ROOT, "%10s %12s  %s", "bytes", "instances", "class"));
    after.entrySet().stream()
        .map(
            e -> {
              long[] was = before.getOrDefault(e.getKey(), new long[2]);
              return Map.entry(
                  e.getKey(), new long[] {e.getValue()[0] - was[0], e.getValue()[1] - was[1]});
            })
        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
        .limit(histogramTop)
        .forEach(
            e ->
                lines.add(
                    String.format(
                        Locale.ROOT,
                        "%10.1f %12.2f  %s",
                        (double) e.getValue()[1] / connections,
                        (double) e.getValue()[0] / connections,
                        e.getKey())));
    Path dir = common.resultsDir();
    Files.createDirectories(dir);
    Path file =
        dir.resolve("idle-" + server.target() + "-histogram-" + ResultFile.stamp() + ".txt");
    Files.write(file, lines);
    out().println("written to " + file + ":");
    lines.stream().limit(14).forEach(line -> out().println("  " + line));
  }

  /** Opens and closes a few sockets, so that first-use costs are not counted per connection. */
  private static void warmUp(Vertx vertx, ServerProcess server) {
    List<WebSocket> sockets = new CopyOnWriteArrayList<>();
    WebSocketClient client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(64));
    Connector.Outcome outcome =
        Connector.connect(
            EventLoops.contexts(vertx, 1),
            client,
            20,
            i ->
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(server.port())
                    .setURI("/objects/chat/idle-warm-up"),
            (i, ws) -> sockets.add(ws),
            20,
            Duration.ofSeconds(30),
            new LatencyHistograms());
    if (outcome.failed() > 0) {
      throw new IllegalStateException(
          server.target()
              + ": warm-up handshakes failed ("
              + outcome.firstFailure()
              + "); "
              + server.logTail());
    }
    EventLoops.await(
        Future.join(sockets.stream().map(WebSocket::close).toList()),
        Duration.ofSeconds(10),
        "closing the warm-up sockets");
    // Vert.x 5 shuts an unreachable WebSocketClient down (eclipse-vertx/vert.x#5839).
    java.lang.ref.Reference.reachabilityFence(client);
  }

  /**
   * Waits until the server holds {@code sockets} sockets and no live object (every room
   * hibernated); returns its last counters, settled or not after the timeout.
   */
  private MemoryReport awaitSettled(Vertx vertx, ServerProcess server, long sockets)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs + 60_000);
    while (true) {
      MemoryReport stats = server.stats();
      boolean settled = stats.sockets() == sockets && stats.objects() <= 0;
      if (settled || System.nanoTime() > deadline) {
        return stats;
      }
      EventLoops.pause(vertx, TimeUnit.MILLISECONDS.toNanos(250));
    }
  }

  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    JsonObject summary = new JsonObject();
    for (RunResult run : runs) {
      double heap = run.extraNumber("heap_per_conn_B", -1);
      double rss = run.extraNumber("rss_per_conn_B", -1);
      out.println(
          String.format(
              Locale.ROOT,
              "idle %s: %s connections, %s B heap and %s B RSS per connection%s",
              run.target(),
              RunResult.format(run.extraNumber("connections", 0)),
              RunResult.format(heap),
              RunResult.format(rss),
              run.target().startsWith("outpost")
                  ? String.format(
                      Locale.ROOT,
                      " (goal <= %d B: heap %s, RSS %s)",
                      BYTES_PER_CONNECTION_GOAL,
                      heap <= BYTES_PER_CONNECTION_GOAL ? "met" : "missed",
                      rss <= BYTES_PER_CONNECTION_GOAL ? "met" : "missed")
                  : ""));
      summary.put(run.target() + "_heap_per_conn_B", Math.round(heap));
      summary.put(run.target() + "_rss_per_conn_B", Math.round(rss));
    }
    return summary;
  }

  private static long perConnection(long after, long before, long connections) {
    return after < 0 || before < 0 || connections == 0 ? -1 : (after - before) / connections;
  }

  private static double mib(long bytes) {
    return bytes < 0 ? -1 : Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
  }

  private static String word(String line, String key) {
    for (String token : line.split("\\s+")) {
      if (token.startsWith(key + "=")) {
        return token.substring(key.length() + 1);
      }
    }
    return "";
  }

  private static long field(String line, String key) {
    String value = word(line, key);
    return value.isEmpty() ? 0 : Long.parseLong(value);
  }
}
