package dev.outpost.realtime;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A bare Vert.x WebSocket for protocol-level checks: records every text frame with its arrival time
 * ({@link System#nanoTime()}) and the close, and answers nothing by itself.
 */
final class RawSocket {

  record Frame(String text, long nanos) {
    JsonObject json() {
      return new JsonObject(text);
    }
  }

  private final List<Frame> frames = new ArrayList<>();
  private Integer closeCode;
  private long closeNanos;
  private int count;
  final ClientWebSocket ws;
  // Held as long as the socket: Vert.x shuts a client down once it is garbage collected, closing a
  // handshake in progress and, 30 s later, the socket (eclipse-vertx/vert.x#5839); ws does not
  // keep it reachable.
  private final WebSocketClient client;

  private RawSocket(WebSocketClient client, boolean keep) {
    this.client = client;
    this.ws = client.webSocket();
    ws.textMessageHandler(
        text -> {
          synchronized (this) {
            count++;
            if (keep) {
              frames.add(new Frame(text, System.nanoTime()));
            }
            notifyAll();
          }
        });
    ws.closeHandler(
        v -> {
          synchronized (this) {
            Short code = ws.closeStatusCode();
            closeCode = code == null ? 1006 : (int) code;
            closeNanos = System.nanoTime();
            notifyAll();
          }
        });
  }

  /** Connects to {@code uri}, offering {@code outpost.v1} when {@code outpost}. */
  static RawSocket connect(Vertx vertx, int port, String uri, boolean outpost, boolean keep)
      throws Exception {
    WebSocketClient client =
        vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100));
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri);
    if (outpost) {
      options.addSubProtocol("outpost.v1");
    }
    // handlers first, then the handshake: a frame sent right after the upgrade is not missed
    RawSocket raw = new RawSocket(client, keep);
    raw.ws.connect(options).await(10, TimeUnit.SECONDS);
    return raw;
  }

  synchronized List<Frame> frames() {
    return List.copyOf(frames);
  }

  synchronized int count() {
    return count;
  }

  synchronized Integer closeCode() {
    return closeCode;
  }

  synchronized long closeNanos() {
    return closeNanos;
  }

  synchronized void await(String what, Duration timeout, Predicate<RawSocket> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for "
                + what
                + "; saw "
                + count
                + " frames (last: "
                + frames.subList(Math.max(0, frames.size() - 3), frames.size())
                + "), close "
                + closeCode);
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** The first frame of type {@code t}, if any. */
  synchronized java.util.Optional<Frame> first(String t) {
    return frames.stream()
        .filter(f -> f.text().startsWith("{") && t.equals(f.json().getString("t")))
        .findFirst();
  }
}
