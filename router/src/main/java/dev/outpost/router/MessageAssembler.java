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
 * Ping and pong frames are left to Vert.x; a close frame is noted, so that {@link #closeStatus()}
 * reports the close as Cloudflare does. One per socket; event-loop thread only.
 *
 * <p>Text is decoded as UTF-8 with invalid sequences replaced by U+FFFD and delivered, as workerd
 * does, rather than closing with 1007 (a deliberate difference from RFC 6455, listed in the
 * README).
 */
public final class MessageAssembler {

  /** Close code for a message over the limit. */
  public static final short MESSAGE_TOO_BIG = 1009;

  /**
   * {@code message} cut to what a WebSocket close reason holds: 123 bytes of UTF-8 (a close frame's
   * payload is at most 125 bytes with the code, RFC 6455 §5.5). Any thread.
   */
  public static String closeReasonOf(String message) {
    String reason = message;
    while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
      reason = reason.substring(0, reason.length() - 1);
    }
    return reason;
  }

  private final int maxMessageSize;
  private Buffer partial; // null between messages, and after a refused message
  private boolean partialIsText;
  private CloseStatus received; // null until the client's close frame arrives

  /**
   * How a client's connection ended, as {@code webSocketClose(ws, code, reason, wasClean)} reports
   * it: the client's close frame with its code and reason; {@code 1005} and an empty reason for a
   * close frame without a status code; {@code 1006} with {@code wasClean = false} when the
   * connection ended without a close frame.
   */
  public record CloseStatus(int code, String reason, boolean wasClean) {

    /** No status code in the close frame (RFC 6455 §7.1.5); never sent on the wire. */
    public static final int NO_STATUS = 1005;

    /** The connection ended without a close frame; never sent on the wire. */
    public static final int ABNORMAL = 1006;

    /** The reason workerd gives for {@link #ABNORMAL}. */
    public static final String DROPPED_REASON =
        "WebSocket disconnected without sending Close frame.";

    /** The close of a connection that ended without a close frame. */
    public static CloseStatus dropped() {
      return new CloseStatus(ABNORMAL, DROPPED_REASON, false);
    }

    /** The close a close frame with {@code payload} (status code, then UTF-8 reason) means. */
    public static CloseStatus ofFrame(Buffer payload) {
      if (payload.length() < 2) {
        return new CloseStatus(NO_STATUS, "", true);
      }
      return new CloseStatus(
          payload.getUnsignedShort(0),
          payload.getString(2, payload.length(), StandardCharsets.UTF_8.name()),
          true);
    }
  }

  public MessageAssembler(int maxMessageSize) {
    this.maxMessageSize = maxMessageSize;
  }

  /**
   * Installs itself as {@code ws}'s frame handler, passing whole messages to {@code sink}; returns
   * itself.
   */
  public MessageAssembler attach(ServerWebSocket ws, Consumer<WebSocketMessage> sink) {
    ws.frameHandler(frame -> onFrame(frame, ws, sink));
    return this;
  }

  /** How the client ended the connection; {@link CloseStatus#dropped()} without a close frame. */
  public CloseStatus closeStatus() {
    return received == null ? CloseStatus.dropped() : received;
  }

  private void onFrame(WebSocketFrame frame, ServerWebSocket ws, Consumer<WebSocketMessage> sink) {
    if (frame.isClose()) {
      if (received == null) {
        received = CloseStatus.ofFrame(frame.binaryData());
      }
      return;
    }
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
