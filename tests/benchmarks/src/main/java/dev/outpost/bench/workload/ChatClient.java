package dev.outpost.bench.workload;

import dev.outpost.bench.load.LatencyHistograms;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * One chat client: a WebSocket in one room. It stamps each message it sends with {@code
 * <nanoTime>:<client index>:} (padded to the message size) and, for every message it receives,
 * records {@code nanoTime() - stamp} as end-to-end latency. All its callbacks run on its socket's
 * event loop, so its fields need no synchronisation; the shared counters are {@link LongAdder}s.
 */
final class ChatClient {

  /** Counters shared by every client of one run. */
  static final class Counters {
    final LongAdder sent = new LongAdder(); // stamped inside the measurement window
    final LongAdder delivered = new LongAdder(); // received, stamped inside the window
    final LongAdder received = new LongAdder(); // everything received
    final LongAdder errors = new LongAdder();
    // Why sockets closed before the end (close code, or "none" without a close frame) -> count.
    final java.util.concurrent.ConcurrentHashMap<String, LongAdder> closes =
        new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean stopping; // closes after this are ours, not errors
  }

  /** When messages count, and whether the client drives itself (closed loop). */
  record Timing(long windowStartNanos, long windowEndNanos, boolean closedLoop) {
    boolean inWindow(long stampNanos) {
      return stampNanos >= windowStartNanos && stampNanos < windowEndNanos;
    }
  }

  private final int index;
  private final String padding;
  private final int messageBytes;
  private final Counters counters;
  private final LatencyHistograms latencies;
  private WebSocket ws;
  private String extensions = ""; // the server's Sec-WebSocket-Extensions answer; "" if none
  private Histogram latency; // this event loop's histogram, looked up once
  private Timing timing; // null until start()

  ChatClient(int index, int messageBytes, Counters counters, LatencyHistograms latencies) {
    this.index = index;
    this.messageBytes = messageBytes;
    this.padding = "x".repeat(messageBytes);
    this.counters = counters;
    this.latencies = latencies;
  }

  /** Takes the connected socket; on its event loop. */
  void attach(WebSocket socket) {
    this.ws = socket;
    String answer =
        socket.headers() == null ? null : socket.headers().get("Sec-WebSocket-Extensions");
    this.extensions = answer == null ? "" : answer.trim();
    this.latency = latencies.current();
    socket.handler(this::onMessage);
    socket.exceptionHandler(e -> counters.errors.increment());
    socket.closeHandler(
        v -> {
          if (!counters.stopping) {
            counters.errors.increment();
            Short code = socket.closeStatusCode();
            counters
                .closes
                .computeIfAbsent(code == null ? "none" : code.toString(), k -> new LongAdder())
                .increment();
          }
        });
  }

  /** Starts the run: in closed loop, puts {@code window} messages in flight. On its event loop. */
  void start(Timing value, int window) {
    this.timing = value;
    if (value.closedLoop()) {
      for (int i = 0; i < window; i++) {
        send(System.nanoTime());
      }
    }
  }

  /** Sends one message stamped {@code stampNanos}; on its event loop. */
  void send(long stampNanos) {
    if (timing.inWindow(stampNanos)) {
      counters.sent.increment();
    }
    StringBuilder text = new StringBuilder(messageBytes + 24);
    text.append(stampNanos).append(':').append(index).append(':');
    if (text.length() < messageBytes) {
      text.append(padding, 0, messageBytes - text.length());
    }
    ws.writeTextMessage(text.toString());
  }

  /**
   * The extensions the server's handshake answer accepted ({@code Sec-WebSocket-Extensions}, for
   * example {@code permessage-deflate}), or {@code ""} if none or not yet connected.
   */
  String extensions() {
    return extensions;
  }

  /** Closes the socket normally; completes when the close handshake is done. */
  Future<Void> close() {
    return ws == null ? Future.succeededFuture() : ws.close();
  }

  private void onMessage(Buffer data) {
    long now = System.nanoTime();
    counters.received.increment();
    int length = data.length();
    int i = 0;
    long stamp = 0;
    byte b;
    while (i < length && (b = data.getByte(i)) != ':') {
      stamp = stamp * 10 + (b - '0');
      i++;
    }
    i++;
    int sender = 0;
    while (i < length && (b = data.getByte(i)) != ':') {
      sender = sender * 10 + (b - '0');
      i++;
    }
    if (i >= length) {
      counters.errors.increment(); // not a message of this generator
      return;
    }
    Timing t = timing;
    if (t == null) {
      return; // another client started first: warm-up traffic
    }
    if (t.inWindow(stamp)) {
      counters.delivered.increment();
      LatencyHistograms.record(latency, now - stamp);
    }
    if (t.closedLoop() && sender == index && now < t.windowEndNanos()) {
      send(System.nanoTime());
    }
  }
}
