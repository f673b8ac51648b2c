package dev.outpost.runtime.internal.activation;

import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.StorageLimitException;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.internal.hibernation.HibernationManager;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.internal.storage.Sizes;
import dev.outpost.runtime.internal.storage.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link HibernatableWebSocket} user code holds: one per socket, so the same socket is the same
 * handle before and after hibernation. Sends and closes become held outputs of the running turn of
 * the owning object.
 */
final class SocketHandle implements HibernatableWebSocket {

  /** 125 bytes of control-frame payload minus the 2-byte code (RFC 6455 §5.5). */
  static final int MAX_CLOSE_REASON_BYTES = 123;

  private final SocketRecord record;
  private final HibernationManager hibernation;
  private final int maxAttachmentSize;

  SocketHandle(SocketRecord record, HibernationManager hibernation, int maxAttachmentSize) {
    this.record = record;
    this.hibernation = hibernation;
    this.maxAttachmentSize = maxAttachmentSize;
  }

  SocketRecord record() {
    return record;
  }

  private TurnContext turn() {
    TurnContext turn = TurnContext.current();
    if (turn == null || !turn.activation.address().equals(record.owner())) {
      throw new IllegalStateException(
          "a socket of " + record.owner() + " can only be used from that object's own turns");
    }
    turn.activation.checkLive(turn);
    return turn;
  }

  @Override
  public void send(String text) {
    send(WebSocketMessage.text(text));
  }

  @Override
  public void send(byte[] bytes) {
    send(WebSocketMessage.binary(bytes));
  }

  @Override
  public void send(WebSocketMessage message) {
    Objects.requireNonNull(message, "message");
    turn()
        .output(
            new HeldOutput() {
              @Override
              public void release() {
                if (record.isOpen()) {
                  record.connection().send(message);
                }
              }

              @Override
              public void drop(Throwable cause) {}
            });
  }

  @Override
  public void close(int code, String reason) {
    Objects.requireNonNull(reason, "reason");
    int sent = CloseCodes.requireSendable(code);
    int reasonBytes = reason.getBytes(StandardCharsets.UTF_8).length;
    if (reasonBytes > MAX_CLOSE_REASON_BYTES) {
      throw new IllegalArgumentException(
          "close reason is "
              + reasonBytes
              + " UTF-8 bytes; the limit is "
              + MAX_CLOSE_REASON_BYTES
              + " (a close frame's payload is at most 125 bytes, RFC 6455 §5.5)");
    }
    turn()
        .output(
            new HeldOutput() {
              @Override
              public void release() {
                hibernation.closeByObject(record, sent, reason);
              }

              @Override
              public void drop(Throwable cause) {}
            });
  }

  @Override
  public void serializeAttachment(Object value) {
    turn();
    if (value == null) {
      record.attachment(null);
      return;
    }
    byte[] encoded = ValueCodec.encode(value, "socket attachment");
    if (encoded.length - 1 > maxAttachmentSize) {
      throw new StorageLimitException(
          "socket attachment is "
              + Sizes.describe(encoded.length - 1)
              + "; the limit is "
              + Sizes.describe(maxAttachmentSize)
              + " (outpost.websocket.max-attachment-size)");
    }
    record.attachment(encoded);
  }

  @Override
  public <T> Optional<T> deserializeAttachment(Class<T> type) {
    byte[] encoded = record.attachment();
    return encoded == null
        ? Optional.empty()
        : Optional.of(ValueCodec.decode(encoded, type, "socket attachment"));
  }

  @Override
  public boolean isOpen() {
    return record.isOpen();
  }

  @Override
  public String toString() {
    return "HibernatableWebSocket(" + record.connection().describe() + ")";
  }
}
