package dev.outpost.router;

import io.vertx.core.http.ServerWebSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client WebSockets this node's router holds open (local and forwarded alike), so that a node
 * that stops or leaves can close them all with one code (1001 going away, 1012 service restart) and
 * clients reconnect elsewhere. Thread-safe: sockets are added and removed on their event loops and
 * closed from any thread.
 */
final class ClientSockets {

  private final Set<ServerWebSocket> open = ConcurrentHashMap.newKeySet();

  void add(ServerWebSocket ws) {
    open.add(ws);
  }

  void remove(ServerWebSocket ws) {
    open.remove(ws);
  }

  /** Closes every socket with {@code code} and {@code reason}; returns how many. */
  int closeAll(int code, String reason) {
    int closed = 0;
    for (ServerWebSocket ws : open) {
      ws.close((short) code, reason);
      closed++;
    }
    return closed;
  }

  int count() {
    return open.size();
  }
}
