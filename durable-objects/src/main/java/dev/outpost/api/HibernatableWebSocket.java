package dev.outpost.api;

import java.util.Optional;

/**
 * A server-side WebSocket accepted through {@link DurableObjectState#acceptWebSocket(Request,
 * String...)}. It belongs to the node, not to the object instance: it stays open while the object
 * hibernates, and a new instance sees the same socket (with its tags and attachment) after waking.
 *
 * <p>Methods may only be called from inside one of the owning object's turns. Sends and closes are
 * held by the output gate until the writes made before them are durable, then leave in call order.
 * Sending on a closed socket does nothing.
 */
public interface HibernatableWebSocket {

  /** Sends a text message. */
  void send(String text);

  /** Sends a binary message (the bytes are copied). */
  void send(byte[] bytes);

  /** Sends a message of either kind unchanged. */
  void send(WebSocketMessage message);

  /**
   * Starts the close handshake.
   *
   * <p>{@code code} may be any code RFC 6455 lets an endpoint send, as workerd allows on a
   * server-side socket: 1000–1003 and 1007–1011 (RFC 6455 §7.4.1), 1012–1014 (IANA registry, RFC
   * 6455 §11.7) and 3000–4999 (RFC 6455 §7.4.2). 1011 reports an internal error.
   *
   * @param code the close code
   * @param reason a reason of at most 123 UTF-8 bytes (a close frame carries at most 125 bytes, RFC
   *     6455 §5.5)
   * @throws IllegalArgumentException if {@code code} is one an endpoint must not send: 1004, 1005,
   *     1006 and 1015 (reserved, RFC 6455 §7.4.1; a {@code webSocketClose} handler that echoes the
   *     code it received must send 1000 for 1005 and 1006), 1016–2999, below 1000 or above 4999
   *     (RFC 6455 §7.4.2); or if the reason is too long
   */
  void close(int code, String reason);

  /**
   * Keeps a value with this socket across hibernation. The value is serialized as JSON (a record, a
   * map, a string, a number...) and must fit in 16 KiB.
   *
   * @throws StorageLimitException if the serialized value is larger than 16 KiB
   * @throws IllegalArgumentException if the value cannot be serialized
   */
  void serializeAttachment(Object value);

  /**
   * The value kept by {@link #serializeAttachment(Object)}, read as {@code type}; empty if none was
   * set.
   */
  <T> Optional<T> deserializeAttachment(Class<T> type);

  /** Whether the socket is still open (no close sent or received). */
  boolean isOpen();
}
