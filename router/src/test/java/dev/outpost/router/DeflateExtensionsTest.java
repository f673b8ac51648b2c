package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtension;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

/**
 * The handshakers {@link DeflateExtensions} installs, driven through Netty's {@link
 * EmbeddedChannel} with frames compressed as a browser does (raw deflate, sync flush, the 4-byte
 * tail stripped, RFC 7692 §7.2.1): incoming messages inflate to what was sent, in one buffer each,
 * across messages sharing one window or with the window reset when agreed, whole or in fragments;
 * plain frames pass untouched; bad data closes with 1007, a message inflating past the limit with
 * 1009; outgoing frames under the threshold pass plain, larger ones are compressed.
 */
class DeflateExtensionsTest {

  /** The router's message size limit in these tests: 256 KiB, inflated. */
  private static final int LIMIT = 256 * 1024;

  private static final WebSocketExtensionData OFFER =
      new WebSocketExtensionData("permessage-deflate", Map.of());
  private static final WebSocketExtensionData OFFER_NO_CONTEXT =
      new WebSocketExtensionData(
          "permessage-deflate", Collections.singletonMap("client_no_context_takeover", null));

  /** Compresses messages as one client does: in one context, or a fresh one per message. */
  private static final class ClientDeflater {
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    private final boolean resetEachMessage;

    ClientDeflater(boolean resetEachMessage) {
      this.resetEachMessage = resetEachMessage;
    }

    byte[] compress(byte[] message) {
      deflater.setInput(message);
      byte[] out = new byte[message.length + 1024];
      int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
      if (resetEachMessage) {
        deflater.reset();
      }
      // Drop 00 00 ff ff; an empty message is one empty block (RFC 7692 §7.2.3.6).
      return n >= 4 ? Arrays.copyOf(out, n - 4) : new byte[] {0x00};
    }
  }

  private static WebSocketServerExtension agreed(WebSocketExtensionData offer) {
    WebSocketServerExtension extension =
        DeflateExtensions.handshakers(WebSocketCompressionOptions.defaults(), LIMIT)[0]
            .handshakeExtension(offer);
    assertThat(extension).as("the offer accepted").isNotNull();
    return extension;
  }

  private static EmbeddedChannel decoder(WebSocketExtensionData offer) {
    return new EmbeddedChannel(agreed(offer).newExtensionDecoder());
  }

  /** A chat message as the benchmark sends: a stamp, then padding that compresses well. */
  private static String chatMessage(int i) {
    String head = System.nanoTime() + ":" + i + ":";
    return head + "x".repeat(100 - head.length());
  }

  /**
   * The inflater handed on a close frame of {@code code} in place of the message (as if the client
   * had closed with it, RFC 6455 §7.4.1) and nothing else, sent nothing itself, and drops what
   * still arrives.
   */
  private static void assertClosedWith(EmbeddedChannel channel, int code) {
    CloseWebSocketFrame close = channel.readInbound();
    assertThat(close).as("the close frame handed on").isNotNull();
    assertThat(close.statusCode()).isEqualTo(code);
    assertThat(close.reasonText()).isNotBlank();
    assertThat(close.content().readableBytes())
        .as("a control payload (RFC 6455 §5.5)")
        .isLessThan(126);
    close.release();
    assertThat((Object) channel.readInbound()).as("anything else handed on").isNull();
    assertThat((Object) channel.readOutbound()).as("what it sent itself").isNull();
    ByteBuf later = Unpooled.wrappedBuffer(new byte[] {1, 2, 3});
    channel.writeInbound(new TextWebSocketFrame(true, WebSocketExtension.RSV1, later));
    assertThat((Object) channel.readInbound()).as("a frame after the failure").isNull();
    assertThat(later.refCnt()).as("the dropped frame released").isZero();
  }

  private static int componentsOf(ByteBuf content) {
    return content instanceof CompositeByteBuf composite ? composite.numComponents() : 1;
  }

  private static String roundTrip(EmbeddedChannel channel, ClientDeflater client, String text) {
    channel.writeInbound(
        new TextWebSocketFrame(
            true,
            WebSocketExtension.RSV1,
            Unpooled.wrappedBuffer(client.compress(text.getBytes(StandardCharsets.UTF_8)))));
    TextWebSocketFrame frame = channel.readInbound();
    try {
      assertThat(frame.rsv()).as("RSV1 cleared").isZero();
      assertThat(componentsOf(frame.content())).as("buffers holding one message").isEqualTo(1);
      return frame.text();
    } finally {
      frame.release();
    }
  }

  @Test
  void messagesInflateToWhatWasSentInOneBufferEachAcrossOneWindow() {
    EmbeddedChannel channel = decoder(OFFER);
    ClientDeflater client = new ClientDeflater(false);
    for (int i = 0; i < 50; i++) {
      String sent = chatMessage(i);
      assertThat(roundTrip(channel, client, sent)).isEqualTo(sent);
    }
    assertThat(roundTrip(channel, client, "")).isEmpty();
    assertThat(roundTrip(channel, client, "héllo ✓")).isEqualTo("héllo ✓");
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void aClientThatResetsItsWindowEachMessageIsUnderstoodWhateverWasAgreed() {
    for (EmbeddedChannel channel :
        new EmbeddedChannel[] {
          decoder(OFFER_NO_CONTEXT), new EmbeddedChannel(new MessageInflater(true, LIMIT))
        }) {
      ClientDeflater client = new ClientDeflater(true);
      for (int i = 0; i < 20; i++) {
        String sent = chatMessage(i);
        assertThat(roundTrip(channel, client, sent)).isEqualTo(sent);
      }
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void withNoContextTakeoverTheWindowIsEmptiedAfterEachMessage() {
    // A client keeping its window refers back to the previous message; an inflater that agreed to
    // no context takeover no longer has it and must refuse rather than guess.
    EmbeddedChannel channel = new EmbeddedChannel(new MessageInflater(true, LIMIT));
    ClientDeflater keeps = new ClientDeflater(false);
    String first = chatMessage(1);
    assertThat(roundTrip(channel, keeps, first)).isEqualTo(first);
    channel.writeInbound(
        new TextWebSocketFrame(
            true,
            WebSocketExtension.RSV1,
            Unpooled.wrappedBuffer(keeps.compress(first.getBytes(StandardCharsets.UTF_8)))));
    assertClosedWith(channel, 1007);
    channel.finishAndReleaseAll();
  }

  @Test
  void aLargeMessageInFragmentsInflatesWhole() {
    EmbeddedChannel channel = decoder(OFFER);
    ClientDeflater client = new ClientDeflater(false);
    byte[] sent = new byte[200_000];
    Random random = new Random(16);
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) ('a' + random.nextInt(8)); // compresses ~2.5x: the buffer must grow
    }
    byte[] compressed = client.compress(sent);
    int third = compressed.length / 3;
    channel.writeInbound(
        new BinaryWebSocketFrame(
            false,
            WebSocketExtension.RSV1,
            Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, 0, third))));
    channel.writeInbound(
        new ContinuationWebSocketFrame(
            false, 0, Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, third, 2 * third))));
    channel.writeInbound(
        new ContinuationWebSocketFrame(
            true,
            0,
            Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, 2 * third, compressed.length))));
    ByteBuf whole = Unpooled.buffer();
    WebSocketFrame first = channel.readInbound();
    assertThat(first).isInstanceOf(BinaryWebSocketFrame.class);
    assertThat(first.rsv()).isZero();
    assertThat(first.isFinalFragment()).isFalse();
    whole.writeBytes(first.content());
    first.release();
    for (int i = 0; i < 2; i++) {
      WebSocketFrame next = channel.readInbound();
      assertThat(next).isInstanceOf(ContinuationWebSocketFrame.class);
      assertThat(next.isFinalFragment()).isEqualTo(i == 1);
      whole.writeBytes(next.content());
      next.release();
    }
    byte[] received = new byte[whole.readableBytes()];
    whole.readBytes(received);
    assertThat(received).isEqualTo(sent);
    // The window carried over: a following message still inflates.
    assertThat(roundTrip(channel, client, "after")).isEqualTo("after");
    channel.finishAndReleaseAll();
  }

  @Test
  void framesTheClientDidNotCompressPassUntouched() {
    EmbeddedChannel channel = decoder(OFFER);
    TextWebSocketFrame plain = new TextWebSocketFrame("plain");
    PingWebSocketFrame ping = new PingWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1}));
    channel.writeInbound(plain, ping);
    assertThat((Object) channel.readInbound()).isSameAs(plain);
    assertThat((Object) channel.readInbound()).isSameAs(ping);
    ContinuationWebSocketFrame stray = new ContinuationWebSocketFrame(true, 0, "more");
    channel.writeInbound(stray);
    assertThat((Object) channel.readInbound())
        .as("a continuation outside a compressed message")
        .isSameAs(stray);
    channel.finishAndReleaseAll();
  }

  @Test
  void dataThatIsNotDeflateFailsWithInvalidPayload() {
    EmbeddedChannel channel = decoder(OFFER);
    channel.writeInbound(
        new TextWebSocketFrame(
            true,
            WebSocketExtension.RSV1,
            Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, 7, 7})));
    assertClosedWith(channel, 1007);
    channel.finishAndReleaseAll();
  }

  @Test
  void aMessageThatInflatesToExactlyTheLimitIsDeliveredAndOneByteMoreClosesWith1009() {
    EmbeddedChannel channel = decoder(OFFER);
    ClientDeflater client = new ClientDeflater(false);
    byte[] atLimit = new byte[LIMIT];
    channel.writeInbound(
        new BinaryWebSocketFrame(
            true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(client.compress(atLimit))));
    WebSocketFrame frame = channel.readInbound();
    assertThat(frame.content().readableBytes()).isEqualTo(LIMIT);
    frame.release();

    byte[] bomb = client.compress(new byte[LIMIT + 1]); // a few hundred bytes on the wire
    assertThat(bomb.length).isLessThan(1024);
    channel.writeInbound(
        new BinaryWebSocketFrame(true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(bomb)));
    assertClosedWith(channel, 1009);
    channel.finishAndReleaseAll();
  }

  @Test
  void theLimitCountsEveryFrameOfAFragmentedMessage() {
    EmbeddedChannel channel = decoder(OFFER);
    ClientDeflater client = new ClientDeflater(false);
    // Each fragment alone is under the limit; the message is not.
    byte[] sent = new byte[LIMIT + 1];
    Random random = new Random(7);
    for (int i = 0; i < sent.length; i++) {
      sent[i] = (byte) ('a' + random.nextInt(8));
    }
    byte[] compressed = client.compress(sent);
    int half = compressed.length / 2;
    channel.writeInbound(
        new TextWebSocketFrame(
            false,
            WebSocketExtension.RSV1,
            Unpooled.wrappedBuffer(Arrays.copyOfRange(compressed, 0, half))));
    WebSocketFrame first = channel.readInbound();
    assertThat(first.content().readableBytes()).isBetween(1, LIMIT - 1);
    first.release();
    byte[] rest = Arrays.copyOfRange(compressed, half, compressed.length);
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(rest)));
    assertClosedWith(channel, 1009);
    channel.finishAndReleaseAll();
  }

  @Test
  void theCountStartsAgainWithEachMessage() {
    EmbeddedChannel channel = decoder(OFFER);
    ClientDeflater client = new ClientDeflater(false);
    for (int i = 0; i < 3; i++) { // together 3 limits, each alone within it
      channel.writeInbound(
          new BinaryWebSocketFrame(
              true,
              WebSocketExtension.RSV1,
              Unpooled.wrappedBuffer(client.compress(new byte[LIMIT]))));
      WebSocketFrame frame = channel.readInbound();
      assertThat(frame.content().readableBytes()).isEqualTo(LIMIT);
      frame.release();
    }
    channel.finishAndReleaseAll();
  }

  @Test
  void whatNettysClientEncoderSendsInflatesToWhatWasSent() {
    // The Vert.x client's encoder (Netty's per-message deflate, as a Vert.x client with
    // tryUsePerMessageCompression negotiates it), frame for frame into the server's decoder.
    var clientExtension =
        new io.netty.handler.codec.http.websocketx.extensions.compression
                .PerMessageDeflateClientExtensionHandshaker()
            .handshakeExtension(agreed(OFFER).newReponseData());
    EmbeddedChannel client = new EmbeddedChannel(clientExtension.newExtensionEncoder());
    EmbeddedChannel server = decoder(OFFER);
    StringBuilder large = new StringBuilder();
    for (int i = 0; large.length() < 100_000; i++) {
      large.append(i).append(',');
    }
    for (String text :
        new String[] {"", "hé", "y".repeat(1023), "z".repeat(1024), large.toString(), "y"}) {
      client.writeOutbound(new TextWebSocketFrame(text));
      WebSocketFrame sent = client.readOutbound();
      assertThat(sent.rsv())
          .as("RSV1 of %d chars", text.length())
          .isEqualTo(WebSocketExtension.RSV1);
      server.writeInbound(sent);
      TextWebSocketFrame received = server.readInbound();
      assertThat(received).as("the message of %d chars", text.length()).isNotNull();
      assertThat(received.text()).isEqualTo(text);
      received.release();
    }
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }

  @Test
  void aClientThatEndsEachMessageWithAFinalBlockIsUnderstood() {
    // A sender may finish the deflate stream with each message (BFINAL, RFC 7692 §7.2.3.3): the
    // next message is then a new stream.
    EmbeddedChannel channel = decoder(OFFER);
    for (int i = 0; i < 3; i++) {
      String text = chatMessage(i);
      Deflater finishing = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      finishing.setInput(text.getBytes(StandardCharsets.UTF_8));
      finishing.finish();
      byte[] out = new byte[1024];
      int n = finishing.deflate(out);
      finishing.end();
      channel.writeInbound(
          new TextWebSocketFrame(
              true, WebSocketExtension.RSV1, Unpooled.wrappedBuffer(Arrays.copyOf(out, n))));
      TextWebSocketFrame frame = channel.readInbound();
      assertThat(frame.text()).isEqualTo(text);
      frame.release();
    }
    channel.finishAndReleaseAll();
  }

  @Test
  void outgoingFramesUnderTheThresholdGoPlainAndLargerOnesCompressed() {
    EmbeddedChannel channel = new EmbeddedChannel(agreed(OFFER).newExtensionEncoder());
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
    WebSocketServerExtension extension =
        DeflateExtensions.handshakers(
            WebSocketCompressionOptions.defaults().withThresholdBytes(0), LIMIT)[0]
            .handshakeExtension(OFFER);
    EmbeddedChannel channel = new EmbeddedChannel(extension.newExtensionEncoder());
    channel.writeOutbound(new TextWebSocketFrame("hello"));
    WebSocketFrame frame = channel.readOutbound();
    assertThat(frame.rsv()).isEqualTo(WebSocketExtension.RSV1);
    frame.release();
    channel.finishAndReleaseAll();
  }
}
