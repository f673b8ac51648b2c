package dev.outpost.router.link;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.router.MessageAssembler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A client socket whose object lives on another node: client frames go to the owner over the link,
 * the owner's messages come back and are written to the client on the client socket's own event
 * loop. Credit goes back to the owner only as the client drains, so a slow client slows (and
 * finally disconnects) itself rather than filling the owner's memory.
 */
public final class ProxiedSocket implements NodeLink.SocketPeer {

  private static final int GRANT_BATCH = 64;

  private final int maxMessageSize;
  private NodeLink link; // set by attach, before any frame can arrive
  private int stream;
  private ServerWebSocket ws; // null until the client handshake completes
  private Context context;
  private List<Runnable> early = new ArrayList<>(); // null once bound
  private int ungranted; // client event loop only

  ProxiedSocket(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  void attach(NodeLink link, int stream) {
    this.link = link;
    this.stream = stream;
  }

  @Override
  public void message(WebSocketMessage message) {
    onClientLoop(() -> deliver(message));
  }

  @Override
  public void closed(int code, String reason) {
    onClientLoop(() -> ws.close((short) code, reason));
  }

  private void onClientLoop(Runnable action) {
    synchronized (this) {
      if (ws == null) {
        early.add(action);
        return;
      }
    }
    context.runOnContext(v -> action.run());
  }

  private void deliver(WebSocketMessage message) {
    if (message.isText()) {
      ws.writeTextMessage(message.text());
    } else {
      ws.writeBinaryMessage(Buffer.buffer(message.bytes()));
    }
    if (++ungranted >= GRANT_BATCH) {
      grant();
    }
  }

  private void grant() {
    if (!ws.writeQueueFull()) {
      link.credit(stream, ungranted);
      ungranted = 0;
    } else {
      ws.drainHandler(
          v -> {
            link.credit(stream, ungranted);
            ungranted = 0;
          });
    }
  }

  /** The client handshake completed: start piping. Call on the client socket's event loop. */
  public void bind(ServerWebSocket client, Runnable onClosed) {
    MessageAssembler assembler =
        new MessageAssembler(maxMessageSize).attach(client, message -> link.send(stream, message));
    client.closeHandler(
        v -> {
          // 1006 on the link means "no close frame": the owner reports it with wasClean = false.
          MessageAssembler.CloseStatus status = assembler.closeStatus();
          onClosed.run();
          link.close(stream, status.code(), status.reason());
        });
    List<Runnable> pending;
    synchronized (this) {
      ws = client;
      context = Vertx.currentContext();
      pending = early;
      early = null;
    }
    pending.forEach(Runnable::run);
  }

  /** The client handshake failed after the owner accepted: tell the owner. */
  public void handshakeFailed() {
    link.close(stream, 1006, "client handshake failed");
  }
}
