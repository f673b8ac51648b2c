package dev.outpost.testkit;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The client end of a WebSocket an object accepted in an {@link ObjectHarness}: send it messages,
 * close it, and read everything the object sent to it, in order. The object sees a {@link
 * dev.outpost.api.HibernatableWebSocket} that survives eviction, exactly as behind a router.
 *
 * <p>Call the sending methods from the test's thread; they return once the object has handled the
 * event (the harness settled), so {@link #received()} already holds any reply. The recorded lists
 * are thread-safe snapshots.
 */
public final class RecordingSocket {

  /** What the object did to the socket: its close code and reason. */
  public record Close(int code, String reason) {}

  private final ObjectHarness harness;
  private final String description;
  private final Connection connection = new Connection();
  private final List<WebSocketMessage> received = new ArrayList<>(); // guarded by this
  private Close closedByObject; // guarded by this; null while the object has not closed it
  private boolean closedByClient; // guarded by this
  private int taken; // guarded by this; how many received messages takeTexts returned

  RecordingSocket(ObjectHarness harness, String description) {
    this.harness = harness;
    this.description = description;
  }

  ClientConnection connection() {
    return connection;
  }

  /** Sends a text message to the object ({@code webSocketMessage}). */
  public void send(String text) {
    send(WebSocketMessage.text(Objects.requireNonNull(text, "text")));
  }

  /** Sends a binary message to the object. */
  public void send(byte[] bytes) {
    send(WebSocketMessage.binary(Objects.requireNonNull(bytes, "bytes")));
  }

  /**
   * Sends {@code message} to the object. A message to a socket that is closed is dropped, as the
   * runtime drops it.
   */
  public void send(WebSocketMessage message) {
    harness.host().socketMessage(connection, Objects.requireNonNull(message, "message"));
    harness.settle();
  }

  /** Closes the socket from the client with a close frame ({@code webSocketClose}, clean). */
  public void close(int code, String reason) {
    closeFromClient(code, reason, true);
  }

  /** Drops the connection without a close frame: the object sees code 1006, not clean. */
  public void drop() {
    closeFromClient(1006, "", false);
  }

  private void closeFromClient(int code, String reason, boolean clean) {
    synchronized (this) {
      closedByClient = true;
    }
    harness.host().socketClosed(connection, code, reason, clean);
    harness.settle();
  }

  /** Every message the object sent to this socket so far, in order. */
  public synchronized List<WebSocketMessage> received() {
    return List.copyOf(received);
  }

  /** The text messages the object sent so far, in order (binary ones left out). */
  public synchronized List<String> texts() {
    return textsOf(received);
  }

  /**
   * The text messages received since the previous call of {@code takeTexts} (since the socket
   * opened, the first time): convenient for checking one exchange at a time.
   */
  public synchronized List<String> takeTexts() {
    List<String> fresh = textsOf(received.subList(taken, received.size()));
    taken = received.size();
    return fresh;
  }

  private static List<String> textsOf(List<WebSocketMessage> messages) {
    return messages.stream().filter(WebSocketMessage::isText).map(WebSocketMessage::text).toList();
  }

  /** How the object closed the socket, if it did. */
  public synchronized Optional<Close> closedByObject() {
    return Optional.ofNullable(closedByObject);
  }

  /** Whether the socket is still open: neither side closed it. */
  public synchronized boolean isOpen() {
    return closedByObject == null && !closedByClient;
  }

  @Override
  public String toString() {
    return description;
  }

  /** What the runtime holds: records sends and closes. Never blocks. */
  private final class Connection implements ClientConnection {
    @Override
    public void send(WebSocketMessage message) {
      synchronized (RecordingSocket.this) {
        if (closedByObject == null) {
          received.add(message);
        }
      }
    }

    @Override
    public void close(int code, String reason) {
      synchronized (RecordingSocket.this) {
        if (closedByObject == null) {
          closedByObject = new Close(code, reason);
        }
      }
    }

    @Override
    public String describe() {
      return "recording:" + description;
    }
  }
}
