package dev.outpost.router.link;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.realtime.OutboundBudget;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.ArrayDeque;

/**
 * A client socket that lives behind another node's router, as the owner sees it. Sends travel as
 * MESSAGE frames on the link, within the credit the router grants as its client drains; beyond the
 * credit they wait here within an {@link OutboundBudget} (the configured {@code
 * outpost.realtime.outbound-max-*}, the same bounds as a local socket), and a client whose output
 * does not fit is closed with {@link CloseCodes#SLOW_CONSUMER}, so a slow client never makes the
 * owner buffer without bound.
 */
final class RemoteConnection implements ClientConnection {

  /** Messages the owner may send before the router grants more. */
  static final int INITIAL_CREDIT = 256;

  private final LinkWriter link;
  private final int stream;
  private final String describe;
  private final Runnable onSlowConsumer;
  private final Runnable onClosed; // forgets the stream once the owner closed it
  private final OutboundBudget waitingBudget; // holds exactly the messages in waiting
  private final ArrayDeque<WebSocketMessage> waiting = new ArrayDeque<>();
  private int credit = INITIAL_CREDIT;
  private boolean closed;

  RemoteConnection(
      LinkWriter link,
      int stream,
      String peer,
      OutboundBudget waitingBudget,
      Runnable onSlowConsumer,
      Runnable onClosed) {
    this.onClosed = onClosed;
    this.waitingBudget = waitingBudget;
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
        link.write(LinkFrame.message(stream, message));
        return;
      }
      if (waitingBudget.tryAdmit(message.size())) {
        waiting.add(message);
      } else {
        tooSlow = true;
      }
    }
    if (tooSlow) {
      close(
          CloseCodes.SLOW_CONSUMER,
          "client too slow: output queue full (outpost.realtime.outbound-max-*)");
      onSlowConsumer.run();
    }
  }

  /** The router can take {@code count} more messages. */
  synchronized void credit(int count) {
    credit += count;
    while (credit > 0 && !waiting.isEmpty() && !closed) {
      credit--;
      WebSocketMessage next = waiting.poll();
      waitingBudget.release(next.size());
      link.write(LinkFrame.message(stream, next));
    }
  }

  @Override
  public void close(int code, String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      dropWaiting();
    }
    link.write(LinkFrame.close(stream, code, reason));
    onClosed.run();
  }

  /** The client side is gone; drop anything waiting. */
  synchronized void closedByPeer() {
    closed = true;
    dropWaiting();
  }

  private void dropWaiting() {
    for (WebSocketMessage dropped : waiting) {
      waitingBudget.release(dropped.size());
    }
    waiting.clear();
  }

  @Override
  public String describe() {
    return describe;
  }
}
