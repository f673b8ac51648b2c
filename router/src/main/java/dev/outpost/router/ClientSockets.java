package dev.outpost.router;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client WebSockets this node's router holds open (local and forwarded alike), so that a node
 * that stops or leaves can close them all with one code (1001 going away, 1012 service restart) and
 * clients reconnect elsewhere; and their liveness: every {@code pingInterval} each socket gets a
 * ping (RFC 6455 §5.5.2), and one that has not answered the previous ping with a pong (§5.5.3) is
 * closed with 1001, so a half-open connection (a peer gone without a TCP close) is noticed within
 * two intervals, whatever the client (as y-websocket's server does every 30 s). Pings are answered
 * by every conforming client and browser without any code of its own, and never wake the object.
 * Thread-safe: sockets are added and removed on their event loops and closed from any thread.
 */
final class ClientSockets {

  // Each open socket, with whether it answered since the last ping.
  private final Map<ServerWebSocket, AtomicBoolean> open = new ConcurrentHashMap<>();

  /** Starts pinging every {@code interval} on {@code vertx}; call once. */
  void startPinging(Vertx vertx, Duration interval) {
    vertx.setPeriodic(interval.toMillis(), id -> sweep(interval));
  }

  void add(ServerWebSocket ws) {
    AtomicBoolean answered = new AtomicBoolean(true);
    ws.pongHandler(pong -> answered.set(true));
    open.put(ws, answered);
  }

  void remove(ServerWebSocket ws) {
    open.remove(ws);
  }

  private void sweep(Duration interval) {
    open.forEach(
        (ws, answered) -> {
          if (ws.isClosed()) {
            open.remove(ws);
          } else if (answered.getAndSet(false)) {
            ws.writePing(Buffer.buffer());
          } else {
            ws.close(
                (short) 1001, "no pong to a ping within " + interval.toMillis() + " ms; reconnect");
          }
        });
  }

  /** Closes every socket with {@code code} and {@code reason}; returns how many. */
  int closeAll(int code, String reason) {
    int closed = 0;
    for (ServerWebSocket ws : open.keySet()) {
      ws.close((short) code, reason);
      closed++;
    }
    return closed;
  }

  int count() {
    return open.size();
  }
}
