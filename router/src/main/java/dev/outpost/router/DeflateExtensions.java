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
 * not Netty's encoder filter (which frames skip compression) nor its decoders' output limit: it
 * builds Netty's {@code PerMessageDeflateServerExtensionHandshaker} itself, with a filter that
 * never skips and no limit (0, which makes Netty inflate a message into many tiny buffers; see
 * {@link #INFLATE_MAX_ALLOCATION}). So when compression is accepted, {@link #install} replaces the
 * handler Vert.x put in each HTTP/1.x connection's pipeline ({@code "webSocketExtensionHandler"},
 * added before the user's connection handler runs) with one built from the same Netty handshakers,
 * with the same parameters as Vert.x (level 6, context takeover as offered, 15-bit windows), the
 * per-message one given a filter that skips small single-frame messages (netty#8910; with a
 * threshold of 0 it skips none), both given an output limit so that a message inflates into one
 * buffer. Skipping is safe with context takeover: a plain message never enters either side's
 * window. Incoming messages are never filtered.
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

  /**
   * Netty's inflater output limit as given to its decoders: no limit, as Vert.x has it (the
   * router's message size limit applies to the inflated message), but not 0. With 0, Netty's {@code
   * JdkZlibDecoder} hands on every {@code Inflater.inflate} call's output as its own buffer, sized
   * twice the compressed bytes still unread: for a well-compressed message that is dozens of
   * buffers of a few bytes, which the per-message decoder then gathers into a {@code
   * CompositeByteBuf} and consolidates (copies). With a limit it inflates into one buffer that
   * grows. Measured in docs/benchmarks.md ("Idle sockets and compression, round three").
   */
  static final int INFLATE_MAX_ALLOCATION = Integer.MAX_VALUE;

  private final WebSocketServerExtensionHandshaker[] handshakers; // null: compression refused

  DeflateExtensions(WebSocketCompressionOptions options) {
    this.options = options;
    this.handshakers = options.enabled() ? handshakers(options) : null;
  }

  /** Sets what Vert.x itself configures: compression accepted or not. */
  HttpServerOptions configure(HttpServerOptions http) {
    return http.setPerMessageWebSocketCompressionSupported(options.enabled())
        .setPerFrameWebSocketCompressionSupported(options.enabled());
  }

  /**
   * Replaces Vert.x's extension handler of an accepted connection with ours, when compression is
   * accepted; otherwise does nothing. On the connection's event loop, from the server's connection
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

  /**
   * The handshakers {@link #install} puts in each pipeline: per-message, then per-frame deflate.
   */
  static WebSocketServerExtensionHandshaker[] handshakers(WebSocketCompressionOptions options) {
    int level = HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL;
    return new WebSocketServerExtensionHandshaker[] {
      new PerMessageDeflateServerExtensionHandshaker(
          level,
          ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
          PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
          HttpServerOptions.DEFAULT_WEBSOCKET_ALLOW_SERVER_NO_CONTEXT,
          HttpServerOptions.DEFAULT_WEBSOCKET_PREFERRED_CLIENT_NO_CONTEXT,
          new SizeFilters(options.thresholdBytes()),
          INFLATE_MAX_ALLOCATION),
      // Per-frame deflate (old Safari, "x-webkit-deflate-frame"): as Vert.x has it.
      new DeflateFrameServerExtensionHandshaker(
          level, WebSocketExtensionFilterProvider.DEFAULT, INFLATE_MAX_ALLOCATION)
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
