package dev.outpost.runtime;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.spi.ClientConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ClientConnection} that records what the runtime sends, for unit tests. */
final class RecordingConnection implements ClientConnection {

  private final String name;
  private final LinkedBlockingQueue<WebSocketMessage> received = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<Integer> closes = new LinkedBlockingQueue<>();

  RecordingConnection(String name) {
    this.name = name;
  }

  @Override
  public void send(WebSocketMessage message) {
    received.add(message);
  }

  @Override
  public void close(int code, String reason) {
    closes.add(code);
  }

  @Override
  public String describe() {
    return "recording:" + name;
  }

  /** The next message, waiting up to 10 s. */
  String nextText() {
    try {
      WebSocketMessage message = received.poll(10, TimeUnit.SECONDS);
      if (message == null) {
        throw new AssertionError(describe() + ": no message within 10 s");
      }
      return message.text();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** Messages received so far, without waiting. */
  List<String> drainTexts() {
    List<WebSocketMessage> out = new ArrayList<>();
    received.drainTo(out);
    return out.stream().map(WebSocketMessage::text).toList();
  }

  /** Whether nothing arrives within {@code wait}. */
  boolean staysQuiet(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS) == null;
  }

  /** The close code the runtime sent, waiting up to 10 s. */
  int awaitClose() throws InterruptedException {
    Integer code = closes.poll(10, TimeUnit.SECONDS);
    if (code == null) {
      throw new AssertionError(describe() + ": not closed within 10 s");
    }
    return code;
  }
}
