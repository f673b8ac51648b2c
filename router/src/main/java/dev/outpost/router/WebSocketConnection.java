package dev.outpost.router;

import dev.outpost.api.WebSocketMessage;
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
 */
final class WebSocketConnection implements ClientConnection {

  private final String remote;
  private final int maxMessageSize;
  private ServerWebSocket socket; // null until bound
  private List<Runnable> early = new ArrayList<>(); // null once bound
  private boolean closed;

  WebSocketConnection(String remote, int maxMessageSize) {
    this.remote = remote;
    this.maxMessageSize = maxMessageSize;
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
    if (message.isText()) {
      socket.writeTextMessage(message.text());
    } else {
      socket.writeBinaryMessage(Buffer.buffer(message.bytes()));
    }
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
    new MessageAssembler(maxMessageSize).attach(ws, message -> inbox.socketMessage(this, message));
    ws.exceptionHandler(error -> inbox.socketError(this, error));
    ws.closeHandler(
        v -> {
          Short status = ws.closeStatusCode();
          synchronized (this) {
            closed = true;
          }
          onClosed.run();
          inbox.socketClosed(
              this,
              status == null ? 1006 : status,
              ws.closeReason() == null ? "" : ws.closeReason(),
              status != null);
        });
    List<Runnable> pending;
    synchronized (this) {
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
