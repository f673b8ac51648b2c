package dev.outpost.router;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.realtime.OutboundBudget;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A client WebSocket as the runtime sees it. Created before the handshake (the object accepts it
 * during its turn), bound to the Vert.x socket once the handshake is done; sends made before that
 * wait here, in order.
 *
 * <p>Incoming frames are reassembled here, so that the message size limit is ours: a message larger
 * than {@code maxMessageSize} closes the socket with 1009 and is never delivered.
 *
 * <p>Output is bounded by an {@link OutboundBudget} ({@code outpost.realtime.outbound-max-*}): a
 * message counts as queued from {@link #send} until Netty has written it to the socket (its write
 * future completes). One message is always admitted when nothing is queued, so a message up to the
 * message-size limit reaches a client that keeps up; a client that lets more pile up behind it is
 * closed with {@link CloseCodes#SLOW_CONSUMER}, the code node links use, and its close is reported
 * to the inbox at once rather than after the close handshake times out, so the heap never grows
 * with a slow client.
 */
final class WebSocketConnection implements ClientConnection {

  private final String remote;
  private final int maxMessageSize;
  private final OutboundBudget output;
  private ObjectInbox inbox; // set by bind
  private boolean reported; // the inbox heard of the close
  private ServerWebSocket socket; // null until bound
  private List<Runnable> early = new ArrayList<>(); // null once bound
  private boolean closed;

  WebSocketConnection(String remote, int maxMessageSize, OutboundBudget output) {
    this.remote = remote;
    this.maxMessageSize = maxMessageSize;
    this.output = output;
  }

  @Override
  public void send(WebSocketMessage message) {
    synchronized (this) {
      if (closed) {
        return;
      }
      if (socket == null) {
        early.add(() -> write(message));
        return;
      }
    }
    write(message);
  }

  private void write(WebSocketMessage message) {
    byte[] binary = message.isText() ? null : message.bytes();
    int size = binary == null ? message.text().length() : binary.length;
    if (!output.tryAdmit(size)) {
      slowConsumer();
      return;
    }
    io.vertx.core.Future<Void> written =
        binary == null
            ? socket.writeTextMessage(message.text())
            : socket.writeBinaryMessage(Buffer.buffer(binary));
    written.onComplete(r -> output.release(size));
  }

  private void slowConsumer() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      reported = true;
    }
    String reason = "client too slow: output queue full (outpost.realtime.outbound-max-*)";
    socket.close((short) CloseCodes.SLOW_CONSUMER, reason);
    inbox.socketClosed(this, CloseCodes.SLOW_CONSUMER, reason, false);
  }

  @Override
  public void close(int code, String reason) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (socket == null) {
        early.add(() -> socket.close((short) code, reason));
        return;
      }
    }
    socket.close((short) code, reason);
  }

  @Override
  public String describe() {
    return "ws:" + remote;
  }

  /** Binds the handshaken socket: flushes early sends and starts reporting to {@code inbox}. */
  void bind(ServerWebSocket ws, ObjectInbox inbox, Runnable onClosed) {
    MessageAssembler assembler =
        new MessageAssembler(maxMessageSize)
            .attach(ws, message -> inbox.socketMessage(this, message));
    ws.exceptionHandler(error -> inbox.socketError(this, error));
    ws.closeHandler(
        v -> {
          MessageAssembler.CloseStatus status = assembler.closeStatus();
          boolean report;
          synchronized (this) {
            closed = true;
            report = !reported;
            reported = true;
          }
          onClosed.run();
          if (report) {
            inbox.socketClosed(this, status.code(), status.reason(), status.wasClean());
          }
        });
    List<Runnable> pending;
    synchronized (this) {
      this.inbox = inbox;
      socket = ws;
      pending = early;
      early = null;
    }
    pending.forEach(Runnable::run);
  }

  /** The handshake failed after the object accepted: report a dropped connection. */
  void handshakeFailed(ObjectInbox inbox) {
    synchronized (this) {
      closed = true;
    }
    inbox.socketClosed(this, 1006, "handshake failed", false);
  }
}
