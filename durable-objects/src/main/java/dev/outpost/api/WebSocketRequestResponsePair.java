package dev.outpost.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * An automatic reply: a text frame equal to {@link #request()} on any of an object's hibernatable
 * sockets is answered with {@link #response()} by the runtime, without waking the object. Both are
 * at most 2,048 UTF-8 bytes.
 *
 * @param request the exact text to answer
 * @param response the text sent back
 */
public record WebSocketRequestResponsePair(String request, String response) {

  /** Longest request or response, in UTF-8 bytes. */
  public static final int MAX_BYTES = 2048;

  /** Validates both strings. */
  public WebSocketRequestResponsePair {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(response, "response");
    check("request", request);
    check("response", response);
  }

  private static void check(String what, String text) {
    int size = text.getBytes(StandardCharsets.UTF_8).length;
    if (size > MAX_BYTES) {
      throw new StorageLimitException(
          "auto-response " + what + " is " + size + " bytes; the limit is " + MAX_BYTES + " bytes");
    }
  }
}
