package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * The handshakers {@link DeflateExtensions} installs, driven through Netty's {@link
 * EmbeddedChannel} with frames compressed as a browser does (raw deflate, context takeover, sync
 * flush, the 4-byte tail stripped): messages inflate to what was sent, in one buffer each, across
 * messages sharing one window; outgoing frames under the threshold pass plain, larger ones are
 * compressed.
 */
class DeflateExtensionsTest {

  private static final WebSocketExtensionData OFFER =
      new WebSocketExtensionData("permessage-deflate", Map.of());

  /** Compresses messages as one client does, in one context. */
  private static final class BrowserDeflater {
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);

    byte[] compress(String text) {
      deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[4096];
      int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
      return Arrays.copyOf(out, n - 4); // RFC 7692 §7.2.1: drop 00 00 ff ff
    }
  }

  private static EmbeddedChannel decoderOf(WebSocketServerExtensionHandshaker handshaker) {
    WebSocketServerExtension extension = handshaker.handshakeExtension(OFFER);
    assertThat(extension).as("the offer accepted").isNotNull();
    return new EmbeddedChannel(extension.newExtensionDecoder());
  }

  private static EmbeddedChannel encoderOf(WebSocketServerExtensionHandshaker handshaker) {
    return new EmbeddedChannel(handshaker.handshakeExtension(OFFER).newExtensionEncoder());
  }

  /** A chat message as the benchmark sends: a stamp, then padding that compresses well. */
  private static String chatMessage(int i) {
    String head = System.nanoTime() + ":" + i + ":";
    return head + "x".repeat(100 - head.length());
  }

  private static int componentsOf(ByteBuf content) {
    return content instanceof CompositeByteBuf composite ? composite.numComponents() : 1;
  }

  @Test
  void messagesInflateToWhatWasSentInOneBufferEachAcrossOneWindow() {
    EmbeddedChannel channel =
        decoderOf(DeflateExtensions.handshakers(WebSocketCompressionOptions.defaults())[0]);
    BrowserDeflater client = new BrowserDeflater();
    for (int i = 0; i < 20; i++) {
      String sent = chatMessage(i);
      channel.writeInbound(
          new TextWebSocketFrame(
              true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(client.compress(sent))));
      WebSocketFrame frame = channel.readInbound();
      assertThat(frame.rsv()).as("RSV1 cleared").isZero();
      assertThat(((TextWebSocketFrame) frame).text()).isEqualTo(sent);
      assertThat(componentsOf(frame.content())).as("buffers holding message %d", i).isEqualTo(1);
      frame.release();
    }
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void nettysDefaultOutputLimitSplitsTheSameMessagesIntoManyBuffers() {
    // What INFLATE_MAX_ALLOCATION avoids: with Netty's (and Vert.x's) 0, the same message arrives
    // as several buffers (gathered, and copied once there are more than 16).
    EmbeddedChannel channel = decoderOf(new PerMessageDeflateServerExtensionHandshaker());
    BrowserDeflater client = new BrowserDeflater();
    int mostBuffers = 0;
    for (int i = 0; i < 20; i++) {
      String sent = chatMessage(i);
      channel.writeInbound(
          new TextWebSocketFrame(
              true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(client.compress(sent))));
      WebSocketFrame frame = channel.readInbound();
      assertThat(((TextWebSocketFrame) frame).text()).isEqualTo(sent);
      mostBuffers = Math.max(mostBuffers, componentsOf(frame.content()));
      frame.release();
    }
    assertThat(mostBuffers).isGreaterThan(1);
    channel.finishAndReleaseAll();
  }

  @Test
  void outgoingFramesUnderTheThresholdGoPlainAndLargerOnesCompressed() {
    EmbeddedChannel channel =
        encoderOf(DeflateExtensions.handshakers(WebSocketCompressionOptions.defaults())[0]);
    channel.writeOutbound(new TextWebSocketFrame("x".repeat(1023)));
    WebSocketFrame small = channel.readOutbound();
    assertThat(small.rsv()).isZero();
    assertThat(small.content().readableBytes()).isEqualTo(1023);
    small.release();
    channel.writeOutbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[1024])));
    WebSocketFrame large = channel.readOutbound();
    assertThat(large.rsv()).isEqualTo(WebSocketExtension.RSV1);
    assertThat(large.content().readableBytes()).isLessThan(100);
    large.release();
    channel.finishAndReleaseAll();
  }

  @Test
  void withAThresholdOfZeroEveryFrameIsCompressed() {
    EmbeddedChannel channel =
        encoderOf(
            DeflateExtensions.handshakers(
                WebSocketCompressionOptions.defaults().withThresholdBytes(0))[0]);
    channel.writeOutbound(new TextWebSocketFrame("hello"));
    WebSocketFrame frame = channel.readOutbound();
    assertThat(frame.rsv()).isEqualTo(WebSocketExtension.RSV1);
    frame.release();
    channel.finishAndReleaseAll();
  }
}
