package dev.outpost.runtime.spi;

import dev.outpost.api.WebSocketMessage;

/**
 * One client's bidirectional connection as the runtime sees it, whatever the transport. The router
 * implements it over a Vert.x WebSocket; the runtime keeps it in the {@code HibernationManager} for
 * as long as it is open, across evictions of the owning object.
 *
 * <p>Implementations must be thread-safe, keep the order of calls made by one thread, and never
 * block: a slow client is the transport's problem, not the object's. Identity is object identity.
 */
public interface ClientConnection {

  /** Sends a message; ignored if the connection is closed. */
  void send(WebSocketMessage message);

  /** Starts the close handshake with {@code code} and {@code reason}; ignored if closed. */
  void close(int code, String reason);

  /** A short description for logs, such as the peer's address. */
  String describe();
}
