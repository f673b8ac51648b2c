package dev.outpost.bench.workload;

import dev.outpost.bench.load.Connector;
import dev.outpost.bench.load.CpuMeter;
import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.LatencyHistograms;
import dev.outpost.bench.load.MachineCpu;
import dev.outpost.bench.load.Pacer;
import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * One chat run against one server: {@code rooms × clients} WebSockets on {@code
 * /objects/chat/{room}}, measured as for the bare Vert.x baseline (docs/benchmarks.md, Method).
 *
 * <p><b>Load.</b> Closed loop (rate 0): each client keeps {@code window} of its own messages in
 * flight and sends the next when one comes back to it (the room echoes to the sender). Open loop:
 * each event loop runs a {@link Pacer} for its share of {@code rate} messages/s in total,
 * round-robin over its clients, and stamps each message with its intended send time, so latency
 * includes any time the generator or server fell behind. Its lateness (actual minus intended send
 * time) is reported as a check on the generator itself.
 *
 * <p><b>Measurement.</b> Warm-up, then a window of {@code durationS}; a message counts when its
 * stamp falls in the window. Sending stops at the window's end; then the run waits (at most {@code
 * drainS}) until every expected delivery (sent × clients per room) has arrived or nothing arrived
 * for 500 ms. Undelivered messages are reported as {@code lost} and counted as errors, as are
 * socket errors and closes the generator did not ask for.
 *
 * <p><b>Threads.</b> The clients live on their sockets' event loops (one context per loop);
 * counters are {@link LongAdder}s; latency is recorded per loop and merged after a barrier.
 */
final class ChatLoad {

  /**
   * The shape of a run.
   *
   * @param rate open loop: messages/s sent in total; 0 for closed loop
   * @param window closed loop: own messages in flight per client
   * @param deflate whether the clients offer {@code permessage-deflate} (as browsers do); the run
   *     reports what the server actually accepted
   */
  record Settings(
      int rooms,
      int clientsPerRoom,
      int messageBytes,
      double rate,
      int window,
      double warmupS,
      double durationS,
      double drainS,
      int eventLoops,
      WindowRecording recording,
      boolean deflate) {

    String scenario() {
      String shape = rooms + "x" + clientsPerRoom;
      return rate > 0
          ? shape + " open " + RunResult.format(rate) + " msg/s"
          : shape + " closed w=" + window;
    }
  }

  /** A JFR recording is started this long before the window (jcmd takes a while). */
  static final long PROFILE_LEAD_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** {@code deflate} figure of a run whose server accepted no {@code permessage-deflate}. */
  static final String NOT_NEGOTIATED = "none";

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final ServerProcess server;
  private final Settings settings;
  private final ServerMeters meters;
  private final List<Context> contexts;
  private final List<ChatClient> clients = new ArrayList<>();
  private final ChatClient.Counters counters = new ChatClient.Counters();
  private final LatencyHistograms latencies = new LatencyHistograms();
  private final LatencyHistograms lateness = new LatencyHistograms();

  private ChatLoad(Vertx vertx, ServerProcess server, ServerMeters meters, Settings settings) {
    this.vertx = vertx;
    this.server = server;
    this.meters = meters;
    this.settings = settings;
    this.contexts = EventLoops.contexts(vertx, settings.eventLoops());
  }

  /** Runs the load against {@code server} and measures it. */
  static RunResult run(ServerProcess server, Settings settings) {
    return run(server, ServerMeters.of(server, settings.recording()), settings);
  }

  /**
   * Runs the load through {@code server} (in a cluster, the node the clients connect to); {@code
   * meters} measure the servers over the window.
   */
  static RunResult run(ServerProcess server, ServerMeters meters, Settings settings) {
    Vertx vertx = EventLoops.create(settings.eventLoops());
    try {
      return new ChatLoad(vertx, server, meters, settings).execute();
    } finally {
      EventLoops.close(vertx);
    }
  }

  private RunResult execute() {
    int total = settings.rooms() * settings.clientsPerRoom();
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(total + 16)
                .setTcpNoDelay(true)
                .setConnectTimeout(30_000)
                .setMaxFrameSize(1024 * 1024)
                .setMaxMessageSize(1024 * 1024)
                // As browsers: permessage-deflate with context takeover both ways, 15-bit windows.
                .setTryUsePerMessageCompression(settings.deflate()));
    connectAll(client, total);
    String negotiated = negotiated();

    long start = System.nanoTime();
    long windowStart = start + seconds(settings.warmupS());
    long windowEnd = windowStart + seconds(settings.durationS());
    boolean closedLoop = settings.rate() <= 0;
    ChatClient.Timing timing = new ChatClient.Timing(windowStart, windowEnd, closedLoop);
    for (int i = 0; i < clients.size(); i++) {
      ChatClient c = clients.get(i);
      contexts.get(i % contexts.size()).runOnContext(v -> c.start(timing, settings.window()));
    }
    if (!closedLoop) {
      startPacers(start, windowEnd, timing);
    }

    EventLoops.pauseUntil(vertx, windowStart - PROFILE_LEAD_NANOS);
    meters.startRecordings();
    EventLoops.pauseUntil(vertx, windowStart);
    meters.startCpu();
    CpuMeter generatorCpu = CpuMeter.startSelf();
    MachineCpu machineCpu = MachineCpu.start();
    EventLoops.pauseUntil(vertx, windowEnd);
    double serverCores = meters.stopCpu();
    double generatorCores = generatorCpu.cores();
    double otherCores = machineCpu.busyCores() - serverCores - generatorCores;
    meters.stopRecordings();
    EventLoops.pause(vertx, TimeUnit.MILLISECONDS.toNanos(20)); // sends racing the end
    drain(windowEnd + seconds(settings.drainS()));

    EventLoops.barrier(contexts);
    long sent = counters.sent.sum();
    long delivered = counters.delivered.sum();
    long expected = sent * settings.clientsPerRoom();
    long lost = Math.max(0, expected - delivered);
    counters.stopping = true;
    closeAll();
    // Vert.x 5 shuts a WebSocketClient down once it is unreachable, closing its sockets
    // (eclipse-vertx/vert.x#5839): keep it reachable until they are closed.
    java.lang.ref.Reference.reachabilityFence(client);
    Histogram merged = latencies.merged();
    double seconds = settings.durationS();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("deflate", negotiated);
    extra.put("sent/s", sent / seconds);
    extra.put("lost", lost);
    extra.put(
        "delivery_ratio", expected == 0 ? 0.0 : Math.round(1000.0 * delivered / expected) / 1000.0);
    meters.putFigures(extra, delivered, seconds);
    extra.put("generator_cpu", Math.round(generatorCores * 100) / 100.0);
    extra.put("other_cpu", Math.round(Math.max(0, otherCores) * 100) / 100.0);
    // Server CPU time per delivered message over the window: cores x seconds / delivered.
    extra.put(
        "server_us_per_msg",
        delivered == 0 ? 0.0 : Math.round(serverCores * seconds * 1e8 / delivered) / 100.0);
    if (!closedLoop) {
      extra.put("lateness_p99_us", Percentiles.of(lateness.merged()).p99Us());
    }
    extra.put("sockets", total);
    if (!counters.closes.isEmpty()) {
      // Sockets the server closed during the run, by close code (RFC 6455 §7.4; 4008: too slow a
      // reader, 4029: over the inbound rate): an open-loop rate the node could not keep up with.
      extra.put("closed_early", new java.util.TreeMap<>(counters.closes).toString());
    }
    return new RunResult(
        "chat",
        server.target(),
        settings.scenario() + (negotiated.equals(NOT_NEGOTIATED) ? " plain" : " deflate"),
        seconds,
        delivered / seconds,
        "delivered/s",
        Percentiles.of(merged),
        counters.errors.sum() + lost,
        extra);
  }

  /**
   * What the server accepted: the {@code permessage-deflate} answer every socket got (for example
   * {@code permessage-deflate} or {@code permessage-deflate;server_no_context_takeover}), or {@link
   * #NOT_NEGOTIATED}.
   *
   * @throws IllegalStateException if the sockets of one run got different answers: a figure must be
   *     for one or the other
   */
  private String negotiated() {
    java.util.Set<String> answers = new java.util.TreeSet<>();
    for (ChatClient c : clients) {
      String deflate = NOT_NEGOTIATED;
      for (String ext : c.extensions().split(",")) {
        if (ext.trim().startsWith("permessage-deflate")) {
          deflate = ext.replace(" ", "").trim();
        }
      }
      answers.add(deflate);
    }
    if (answers.size() != 1) {
      throw new IllegalStateException(
          server.target() + ": the sockets negotiated different compression: " + answers);
    }
    return answers.iterator().next();
  }

  private void connectAll(WebSocketClient client, int total) {
    for (int i = 0; i < total; i++) {
      clients.add(new ChatClient(i, settings.messageBytes(), counters, latencies));
    }
    Connector.Outcome outcome =
        Connector.connect(
            contexts,
            client,
            total,
            i ->
                new WebSocketConnectOptions()
                    .setHost("127.0.0.1")
                    .setPort(server.port())
                    .setURI("/objects/chat/room-" + (i / settings.clientsPerRoom())),
            (i, ws) -> clients.get(i).attach(ws),
            256,
            CONNECT_TIMEOUT,
            new LatencyHistograms());
    if (outcome.failed() > 0) {
      throw new IllegalStateException(
          server.target()
              + ": "
              + outcome.failed()
              + " of "
              + total
              + " WebSocket handshakes failed (first: "
              + outcome.firstFailure()
              + "); "
              + server.logTail());
    }
  }

  private void closeAll() {
    try {
      EventLoops.await(
          Future.join(clients.stream().map(ChatClient::close).toList()),
          Duration.ofSeconds(10),
          "closing the clients");
    } catch (RuntimeException e) {
      // the server may already be gone; the generator's Vert.x closes what is left
    }
  }

  private void startPacers(long start, long end, ChatClient.Timing timing) {
    int loops = contexts.size();
    for (int l = 0; l < loops; l++) {
      List<ChatClient> mine = new ArrayList<>();
      for (int i = l; i < clients.size(); i += loops) {
        mine.add(clients.get(i));
      }
      double share = settings.rate() * mine.size() / clients.size();
      if (mine.isEmpty() || share <= 0) {
        continue;
      }
      int maxPerTick = (int) Math.max(64, share / 1000 * 20);
      contexts
          .get(l)
          .runOnContext(
              v -> {
                Pacer pacer = new Pacer(start, end, share, maxPerTick);
                Histogram late = lateness.current();
                int[] next = {0};
                vertx.setPeriodic(
                    1,
                    id -> {
                      long now = System.nanoTime();
                      pacer.tick(
                          now,
                          intended -> {
                            if (timing.inWindow(intended)) {
                              LatencyHistograms.record(late, now - intended);
                            }
                            mine.get(next[0]++ % mine.size()).send(intended);
                          });
                      if (pacer.finished()) {
                        vertx.cancelTimer(id);
                      }
                    });
              });
    }
  }

  /** Waits until all expected deliveries arrived, nothing arrived for 500 ms, or the deadline. */
  private void drain(long deadline) {
    long last = -1;
    long lastChange = System.nanoTime();
    while (System.nanoTime() < deadline) {
      if (counters.delivered.sum() >= counters.sent.sum() * settings.clientsPerRoom()) {
        return;
      }
      long received = counters.received.sum();
      long now = System.nanoTime();
      if (received != last) {
        last = received;
        lastChange = now;
      } else if (now - lastChange > TimeUnit.MILLISECONDS.toNanos(500)) {
        return;
      }
      EventLoops.pause(vertx, TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
  }
}
