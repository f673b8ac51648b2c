package dev.outpost.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One WebSocket message: text or binary. Immutable; binary content is copied in and out.
 *
 * <p>{@link HibernatableWebSocket#send(WebSocketMessage)} sends it back unchanged, which makes
 * relaying a message (a chat broadcast) one call.
 */
public final class WebSocketMessage {

  private final String text; // null for binary messages
  private final byte[] binary; // null for text messages

  private WebSocketMessage(String text, byte[] binary) {
    this.text = text;
    this.binary = binary;
  }

  /** A text message. */
  public static WebSocketMessage text(String text) {
    return new WebSocketMessage(Objects.requireNonNull(text, "text"), null);
  }

  /** A binary message holding a copy of {@code bytes}. */
  public static WebSocketMessage binary(byte[] bytes) {
    return new WebSocketMessage(null, Objects.requireNonNull(bytes, "bytes").clone());
  }

  /** Whether this is a text message. */
  public boolean isText() {
    return text != null;
  }

  /**
   * The text of a text message.
   *
   * @throws IllegalStateException if this is a binary message
   */
  public String text() {
    if (text == null) {
      throw new IllegalStateException("this is a binary message; use bytes()");
    }
    return text;
  }

  /** The content as bytes: a copy of a binary message, or the UTF-8 encoding of a text message. */
  public byte[] bytes() {
    return text != null ? text.getBytes(StandardCharsets.UTF_8) : binary.clone();
  }

  /** The size of the content in bytes (UTF-8 for text). */
  public int size() {
    return text != null ? text.getBytes(StandardCharsets.UTF_8).length : binary.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WebSocketMessage that
        && Objects.equals(text, that.text)
        && Arrays.equals(binary, that.binary);
  }

  @Override
  public int hashCode() {
    return text != null ? text.hashCode() : Arrays.hashCode(binary);
  }

  @Override
  public String toString() {
    return text != null ? "text(" + text.length() + " chars)" : "binary(" + binary.length + " B)";
  }
}
