package dev.outpost.router;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.DeflateFrameServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Applies {@link WebSocketCompressionOptions} to the router's HTTP servers.
 *
 * <p><b>Design.</b> Vert.x 5.0 exposes whether compression is accepted ({@link #configure}), but
 * not Netty's encoder filter (which frames skip compression): it builds Netty's {@code
 * PerMessageDeflateServerExtensionHandshaker} itself, with a filter that never skips. So when a
 * threshold is configured, {@link #install} replaces the handler Vert.x put in each HTTP/1.x
 * connection's pipeline ({@code "webSocketExtensionHandler"}, added before the user's connection
 * handler runs) with one built from the same Netty handshakers, with the same parameters as Vert.x
 * (level 6, context takeover as offered, 15-bit windows), the per-message one given a filter that
 * skips small single-frame messages (netty#8910). Skipping is safe with context takeover: a plain
 * message never enters either side's window. Incoming messages are never filtered.
 *
 * <p>This reaches into Vert.x's internal {@code HttpServerConnection} (for the Netty pipeline);
 * re-check it on Vert.x upgrades: {@link #install} refuses a connection whose HTTP/1.x pipeline no
 * longer has the handler, and {@code WebSocketCompressionIT} reads the frames' RSV1 bits.
 *
 * <p><b>Threads.</b> {@link #install} runs on the connection's event loop, before any request; the
 * handshakers are stateless and shared by every connection.
 */
final class DeflateExtensions {

  /** The name Vert.x gives the WebSocket extension handler in each HTTP/1.x pipeline. */
  static final String HANDLER_NAME = "webSocketExtensionHandler";

  private final WebSocketCompressionOptions options;
  private final WebSocketServerExtensionHandshaker[] handshakers; // null: Vert.x's own suffice

  DeflateExtensions(WebSocketCompressionOptions options) {
    this.options = options;
    this.handshakers =
        options.enabled() && options.thresholdBytes() > 0 ? handshakers(options) : null;
  }

  /** Sets what Vert.x itself configures: compression accepted or not. */
  HttpServerOptions configure(HttpServerOptions http) {
    return http.setPerMessageWebSocketCompressionSupported(options.enabled())
        .setPerFrameWebSocketCompressionSupported(options.enabled());
  }

  /**
   * Replaces Vert.x's extension handler of an accepted connection with ours, when the options need
   * it; otherwise does nothing. On the connection's event loop, from the server's connection
   * handler.
   *
   * @throws IllegalStateException if an HTTP/1.x connection has no handler of that name (Vert.x
   *     changed): better refused than silently compressing against the configuration
   */
  void install(HttpConnection connection) {
    if (handshakers == null || !(connection instanceof HttpServerConnection server)) {
      return;
    }
    ChannelPipeline pipeline = server.channelHandlerContext().pipeline();
    if (pipeline.get(HANDLER_NAME) == null) {
      if (pipeline.get("httpDecoder") == null) {
        return; // HTTP/2: no WebSocket upgrade on this connection
      }
      throw new IllegalStateException(
          "the HTTP/1.x pipeline has no '"
              + HANDLER_NAME
              + "' to replace (Vert.x changed?); handlers: "
              + pipeline.names());
    }
    pipeline.replace(HANDLER_NAME, HANDLER_NAME, new WebSocketServerExtensionHandler(handshakers));
  }

  private static WebSocketServerExtensionHandshaker[] handshakers(
      WebSocketCompressionOptions options) {
    int level = HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL;
    return new WebSocketServerExtensionHandshaker[] {
      new PerMessageDeflateServerExtensionHandshaker(
          level,
          ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
          PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
          HttpServerOptions.DEFAULT_WEBSOCKET_ALLOW_SERVER_NO_CONTEXT,
          HttpServerOptions.DEFAULT_WEBSOCKET_PREFERRED_CLIENT_NO_CONTEXT,
          new SizeFilters(options.thresholdBytes()),
          0),
      // Per-frame deflate (old Safari, "x-webkit-deflate-frame"): as Vert.x has it.
      new DeflateFrameServerExtensionHandshaker(level)
    };
  }

  /** Skips compression of whole text/binary messages under the threshold; never on decode. */
  private record SizeFilters(int thresholdBytes) implements WebSocketExtensionFilterProvider {
    @Override
    public WebSocketExtensionFilter encoderFilter() {
      return thresholdBytes == 0 ? WebSocketExtensionFilter.NEVER_SKIP : this::small;
    }

    @Override
    public WebSocketExtensionFilter decoderFilter() {
      return WebSocketExtensionFilter.NEVER_SKIP;
    }

    private boolean small(WebSocketFrame frame) {
      return frame.isFinalFragment()
          && (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame)
          && frame.content().readableBytes() < thresholdBytes;
    }
  }
}
