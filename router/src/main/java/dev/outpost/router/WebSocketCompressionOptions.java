package dev.outpost.router;

/**
 * How the router answers a client's offer of {@code permessage-deflate} (RFC 7692), which every
 * browser makes. Applies to client WebSockets only (node links never offer it). An accepted offer
 * is answered as made (context takeover both ways, 15-bit windows, Vert.x's deflate level 6).
 *
 * @param enabled whether {@code permessage-deflate} is accepted at all; when false the handshake
 *     answer names no extension and every frame goes out plain. The older per-frame {@code
 *     x-webkit-deflate-frame} is never accepted (a client offering only it connects plain)
 * @param thresholdBytes outgoing text and binary messages sent as one frame with fewer payload
 *     bytes than this go out uncompressed (RSV1 clear, which RFC 7692 §6 allows after negotiation);
 *     larger ones are compressed. 0 compresses every message. Messages of several frames are always
 *     compressed whole. Incoming messages are inflated whatever their size, up to the router's
 *     message size limit once inflated (1009 past it)
 */
public record WebSocketCompressionOptions(boolean enabled, int thresholdBytes) {

  /**
   * Default threshold: 1 KiB, as the npm {@code ws} library's. Below it deflate cost the server
   * ~10× the CPU of the plain message and saved few bytes (docs/benchmarks.md, "Compression").
   */
  public static final int DEFAULT_THRESHOLD_BYTES = 1024;

  /** Validates the fields. */
  public WebSocketCompressionOptions {
    if (thresholdBytes < 0) {
      throw new IllegalArgumentException(
          "the WebSocket deflate threshold is a size in bytes >= 0 (0 compresses every message),"
              + " was "
              + thresholdBytes
              + " (outpost.websocket.deflate-threshold)");
    }
  }

  /** Deflate accepted; messages under {@link #DEFAULT_THRESHOLD_BYTES} go out plain. */
  public static WebSocketCompressionOptions defaults() {
    return new WebSocketCompressionOptions(true, DEFAULT_THRESHOLD_BYTES);
  }

  /** Compression refused: no extension is accepted. */
  public static WebSocketCompressionOptions off() {
    return new WebSocketCompressionOptions(false, DEFAULT_THRESHOLD_BYTES);
  }

  /** With another threshold, in bytes (0: compress every message). */
  public WebSocketCompressionOptions withThresholdBytes(int value) {
    return new WebSocketCompressionOptions(enabled, value);
  }
}
