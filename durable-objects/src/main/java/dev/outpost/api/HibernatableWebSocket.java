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
   * @param code a close code that may be sent (1000, or 3000..4999); 1005 and 1006 are replaced by
   *     1000
   * @param reason a reason of at most 123 UTF-8 bytes
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
