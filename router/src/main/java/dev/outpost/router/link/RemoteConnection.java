package dev.outpost.router.link;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;

/**
 * A client socket that lives behind another node's router, as the owner sees it. Sends travel as
 * MESSAGE frames on the link, within the credit the router grants as its client drains; beyond the
 * credit they wait here, and a client that lets more than {@link #MAX_QUEUED} wait is closed with
 * {@link CloseCodes#SLOW_CONSUMER}, so a slow client never makes the owner buffer without bound.
 */
final class RemoteConnection implements ClientConnection {

  /** Messages the owner may send before the router grants more. */
  static final int INITIAL_CREDIT = 256;

  /** Messages that may wait for credit before the client is disconnected. */
  static final int MAX_QUEUED = 4096;

  private final ServerWebSocket link;
  private final int stream;
  private final String describe;
  private final Runnable onSlowConsumer;
  private final Runnable onClosed; // forgets the stream once the owner closed it
  private final ArrayDeque<WebSocketMessage> waiting = new ArrayDeque<>();
  private int credit = INITIAL_CREDIT;
  private boolean closed;

  RemoteConnection(
      ServerWebSocket link, int stream, String peer, Runnable onSlowConsumer, Runnable onClosed) {
    this.onClosed = onClosed;
    this.link = link;
    this.stream = stream;
    this.describe = "link:" + peer + "#" + stream;
    this.onSlowConsumer = onSlowConsumer;
  }

  @Override
  public void send(WebSocketMessage message) {
    boolean tooSlow = false;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (credit > 0 && waiting.isEmpty()) {
        credit--;
        link.writeBinaryMessage(LinkFrame.message(stream, message));
        return;
      }
      if (waiting.size() >= MAX_QUEUED) {
        tooSlow = true;
      } else {
        waiting.add(message);
      }
    }
    if (tooSlow) {
      close(CloseCodes.SLOW_CONSUMER, "client too slow: " + MAX_QUEUED + " messages waiting");
      onSlowConsumer.run();
    }
  }

  /** The router can take {@code count} more messages. */
  synchronized void credit(int count) {
    credit += count;
    while (credit > 0 && !waiting.isEmpty() && !closed) {
      credit--;
      link.writeBinaryMessage(LinkFrame.message(stream, waiting.poll()));
    }
  }

  @Override
  public void close(int code, String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      waiting.clear();
    }
    link.writeBinaryMessage(LinkFrame.close(stream, code, reason));
    onClosed.run();
  }

  /** The client side is gone; drop anything waiting. */
  synchronized void closedByPeer() {
    closed = true;
    waiting.clear();
  }

  @Override
  public String describe() {
    return describe;
  }
}
