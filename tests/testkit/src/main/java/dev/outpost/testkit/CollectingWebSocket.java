package dev.outpost.testkit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client WebSocket that records what it receives, so a test can arm a wait, act, and then await a
 * condition instead of sleeping.
 *
 * <p>Text messages are kept in arrival order; binary messages are only counted. The close status is
 * recorded when the connection closes (1006 if it dropped without a close frame).
 *
 * <p><b>Threads.</b> Handlers run on the socket's event loop and record under this object's
 * monitor; the {@code await*} methods wait on that monitor from the test thread and wake on every
 * change. Sends may come from any thread; the messages of one thread leave in call order.
 */
public final class CollectingWebSocket implements AutoCloseable {

  /** How a socket closed. */
  public record CloseStatus(int code, String reason) {}

  private final String uri;
  private final ClientWebSocket socket;
  private final List<String> texts = new ArrayList<>(); // guarded by this
  private int binaries; // guarded by this
  private CloseStatus closeStatus; // null while open; guarded by this
  private Throwable error; // first transport error, or null; guarded by this

  CollectingWebSocket(String uri, ClientWebSocket socket) {
    this.uri = uri;
    this.socket = socket;
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    socket.exceptionHandler(this::onError);
    socket.closeHandler(v -> onClose());
  }

  private synchronized void onText(String text) {
    texts.add(text);
    notifyAll();
  }

  private synchronized void onBinary(Buffer bytes) {
    binaries++;
    notifyAll();
  }

  private synchronized void onError(Throwable e) {
    if (error == null) {
      error = e;
    }
    notifyAll();
  }

  private void onClose() {
    Short code = socket.closeStatusCode();
    String reason = socket.closeReason();
    synchronized (this) {
      closeStatus = new CloseStatus(code == null ? 1006 : code, reason == null ? "" : reason);
      notifyAll();
    }
  }

  /** The URI this socket connected to. */
  public String uri() {
    return uri;
  }

  /** Sends a text message. */
  public Future<Void> sendText(String text) {
    return socket.writeTextMessage(text);
  }

  /** Sends a binary message. */
  public Future<Void> sendBinary(byte[] bytes) {
    return socket.writeBinaryMessage(Buffer.buffer(bytes));
  }

  /** The text messages received so far, in arrival order. */
  public synchronized List<String> texts() {
    return List.copyOf(texts);
  }

  /** How many binary messages were received. */
  public synchronized int binaryCount() {
    return binaries;
  }

  /** How the socket closed, or empty while it is open. */
  public synchronized Optional<CloseStatus> closeStatus() {
    return Optional.ofNullable(closeStatus);
  }

  /**
   * Waits until at least {@code count} text messages have arrived and returns all of them.
   *
   * @throws AssertionError after {@code timeout}, or if the socket closes first, naming how many of
   *     the expected messages arrived and the last ones seen
   */
  public List<String> awaitTexts(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (texts.size() < count) {
        if (closeStatus != null) {
          throw new AssertionError(
              describe("closed with " + closeStatus + " while waiting for", count));
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(describe("timed out after " + timeout + " waiting for", count));
        }
        waitNanos(left);
      }
      return List.copyOf(texts);
    }
  }

  /**
   * Waits until the socket is closed and returns how.
   *
   * @throws AssertionError after {@code timeout}, naming what was received meanwhile
   */
  public CloseStatus awaitClose(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (closeStatus == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              uri
                  + ": still open after "
                  + timeout
                  + " waiting for a close; received "
                  + texts.size()
                  + " text and "
                  + binaries
                  + " binary messages"
                  + (error == null ? "" : ", transport error " + error));
        }
        waitNanos(left);
      }
      return closeStatus;
    }
  }

  private void waitNanos(long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedWait(this, nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(uri + ": interrupted while waiting", e);
    }
  }

  private String describe(String what, int count) {
    int from = Math.max(0, texts.size() - 3);
    return uri
        + ": "
        + what
        + " "
        + count
        + " text messages; received "
        + texts.size()
        + (texts.isEmpty() ? "" : " (last: " + texts.subList(from, texts.size()) + ")")
        + (error == null ? "" : "; transport error " + error);
  }

  /** Starts the close handshake with 1000 and waits at most 10 s for it to finish. */
  @Override
  public void close() {
    if (closeStatus().isPresent()) {
      return;
    }
    try {
      socket.close().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(uri + ": close handshake took longer than 10 s", e);
    }
  }

  @Override
  public String toString() {
    return "CollectingWebSocket(" + uri + ")";
  }
}
