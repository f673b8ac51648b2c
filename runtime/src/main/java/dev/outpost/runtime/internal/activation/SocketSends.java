package dev.outpost.runtime.internal.activation;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import java.util.Arrays;

/**
 * One message sent by a turn to several sockets one after another (a broadcast), held by the output
 * gate as one output: released, it goes to each socket in the order of the sends, skipping sockets
 * closed meanwhile. A turn adds a send here only while this is its latest output, so the order of
 * everything the turn sent is unchanged; a broadcast to N sockets costs one held output and one
 * array instead of N.
 *
 * <p>Used only by the activation's turn thread (added to while the turn runs, released or dropped
 * by the drain loop afterwards).
 */
final class SocketSends implements HeldOutput {

  private final WebSocketMessage message;
  private SocketRecord[] sockets;
  private int count;

  /** Sends of {@code message}; room for {@code expected} sockets before the array grows. */
  SocketSends(WebSocketMessage message, int expected) {
    this.message = message;
    this.sockets = new SocketRecord[Math.max(4, expected)];
  }

  /**
   * Whether a send of {@code other} may join this output: the very same message object, or a text
   * message of the very same {@code String} (what {@code send(String)} in a loop produces).
   */
  boolean carries(WebSocketMessage other) {
    return other == message
        || (other.isText() && message.isText() && other.text() == message.text());
  }

  /** Adds one more socket, after those already added. */
  void add(SocketRecord socket) {
    if (count == sockets.length) {
      sockets = Arrays.copyOf(sockets, count * 2);
    }
    sockets[count++] = socket;
  }

  /** How many sends this holds. */
  int size() {
    return count;
  }

  @Override
  public void release() {
    for (int i = 0; i < count; i++) {
      SocketRecord socket = sockets[i];
      if (socket.isOpen()) {
        socket.connection().send(message);
      }
    }
  }

  @Override
  public void drop(Throwable cause) {}
}
