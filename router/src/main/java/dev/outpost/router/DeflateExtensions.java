package dev.outpost.router;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.compression.ZlibCodecFactory;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionDecoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.HttpServerConnection;

/**
 * Applies {@link WebSocketCompressionOptions} to the router's HTTP servers.
 *
 * <p><b>Design.</b> Vert.x 5.0 exposes whether compression is accepted ({@link #configure}), but
 * not Netty's encoder filter (which frames skip compression): it builds Netty's {@code
 * PerMessageDeflateServerExtensionHandshaker} itself, with a filter that never skips. So when
 * compression is accepted, {@link #install} replaces the handler Vert.x put in each HTTP/1.x
 * connection's pipeline ({@code "webSocketExtensionHandler"}, added before the user's connection
 * handler runs) with one built from the same Netty handshakers, with the same parameters as Vert.x
 * (level 6, context takeover as offered, 15-bit windows), the per-message one given a filter that
 * skips small single-frame messages (netty#8910; a threshold of 0 skips none) and our own {@link
 * MessageInflater} in place of Netty's decoder, which costs several times as much per message and
 * has no limit on what a message inflates to (ours closes with 1009 past the message size limit).
 * Skipping is safe with context takeover: a plain message never enters either side's window.
 * Incoming messages are never filtered.
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
  private final WebSocketServerExtensionHandshaker[] handshakers; // null: compression refused

  /**
   * @param options what to accept and what to compress
   * @param maxMessageBytes the largest incoming message once inflated (the router's {@code
   *     outpost.websocket.max-message-size}); a larger one closes the socket with 1009
   */
  DeflateExtensions(WebSocketCompressionOptions options, int maxMessageBytes) {
    this.options = options;
    this.handshakers = options.enabled() ? handshakers(options, maxMessageBytes) : null;
  }

  /** Sets what Vert.x itself configures: compression accepted or not. */
  HttpServerOptions configure(HttpServerOptions http) {
    return http.setPerMessageWebSocketCompressionSupported(options.enabled())
        // Per-frame deflate ("x-webkit-deflate-frame", Safari before 11) stays off: its Netty
        // decoder inflates without a limit, and a client that offers only it connects plain.
        .setPerFrameWebSocketCompressionSupported(false);
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
   * The handshakers {@link #install} puts in each pipeline: per-message deflate only (the per-frame
   * one Vert.x also offers inflates without a limit; see {@link #configure}).
   */
  static WebSocketServerExtensionHandshaker[] handshakers(
      WebSocketCompressionOptions options, int maxMessageBytes) {
    int level = HttpServerOptions.DEFAULT_WEBSOCKET_COMPRESSION_LEVEL;
    return new WebSocketServerExtensionHandshaker[] {
      new WithMessageInflater(
          maxMessageBytes,
          new PerMessageDeflateServerExtensionHandshaker(
              level,
              ZlibCodecFactory.isSupportingWindowSizeAndMemLevel(),
              PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE,
              HttpServerOptions.DEFAULT_WEBSOCKET_ALLOW_SERVER_NO_CONTEXT,
              HttpServerOptions.DEFAULT_WEBSOCKET_PREFERRED_CLIENT_NO_CONTEXT,
              new SizeFilters(options.thresholdBytes()),
              0))
    };
  }

  /**
   * Netty's per-message deflate as negotiated (its answer, its encoder), with a {@link
   * MessageInflater} as the decoder instead of Netty's.
   */
  private record WithMessageInflater(int maxMessageBytes, WebSocketServerExtensionHandshaker netty)
      implements WebSocketServerExtensionHandshaker {
    @Override
    public WebSocketServerExtension handshakeExtension(WebSocketExtensionData offer) {
      WebSocketServerExtension agreed = netty.handshakeExtension(offer);
      if (agreed == null) {
        return null;
      }
      boolean noContextTakeover =
          agreed.newReponseData().parameters().containsKey("client_no_context_takeover");
      return new WebSocketServerExtension() {
        @Override
        public int rsv() {
          return agreed.rsv();
        }

        @Override
        public WebSocketExtensionEncoder newExtensionEncoder() {
          return agreed.newExtensionEncoder();
        }

        @Override
        public WebSocketExtensionDecoder newExtensionDecoder() {
          return new MessageInflater(noContextTakeover, maxMessageBytes);
        }

        @Override
        public WebSocketExtensionData newReponseData() {
          return agreed.newReponseData();
        }
      };
    }
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
