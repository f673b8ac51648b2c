package dev.outpost.router;

import dev.outpost.api.WebSocketMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reassembles a client's WebSocket frames into messages and enforces the message size limit: a
 * message larger than {@code maxMessageSize} closes the socket with 1009 and is never delivered.
 * Ping, pong and close frames are left to Vert.x. One per socket; event-loop thread only.
 */
public final class MessageAssembler {

  /** Close code for a message over the limit. */
  public static final short MESSAGE_TOO_BIG = 1009;

  private final int maxMessageSize;
  private Buffer partial; // null between messages, and after a refused message
  private boolean partialIsText;

  public MessageAssembler(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Installs itself as {@code ws}'s frame handler, passing whole messages to {@code sink}. */
  public void attach(ServerWebSocket ws, Consumer<WebSocketMessage> sink) {
    ws.frameHandler(frame -> onFrame(frame, ws, sink));
  }

  private void onFrame(WebSocketFrame frame, ServerWebSocket ws, Consumer<WebSocketMessage> sink) {
    if (!frame.isText() && !frame.isBinary() && !frame.isContinuation()) {
      return;
    }
    if (!frame.isContinuation()) {
      partial = Buffer.buffer();
      partialIsText = frame.isText();
    } else if (partial == null) {
      return; // the rest of a refused message
    }
    if (partial.length() + frame.binaryData().length() > maxMessageSize) {
      partial = null;
      ws.close(
          MESSAGE_TOO_BIG,
          "message exceeds " + maxMessageSize + " bytes (outpost.websocket.max-message-size)");
      return;
    }
    partial.appendBuffer(frame.binaryData());
    if (!frame.isFinal()) {
      return;
    }
    byte[] bytes = partial.getBytes();
    partial = null;
    sink.accept(
        partialIsText
            ? WebSocketMessage.text(new String(bytes, StandardCharsets.UTF_8))
            : WebSocketMessage.binary(bytes));
  }
}
