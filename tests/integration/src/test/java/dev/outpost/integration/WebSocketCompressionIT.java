package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.router.WebSocketCompressionOptions;
import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code permessage-deflate} as the router answers it ({@link WebSocketCompressionOptions}), seen
 * by real clients: a Vert.x client offering it as browsers do gets the payloads back unchanged on
 * both sides of the threshold, and a client on a plain socket reads the frames themselves: the
 * negotiated answer, RSV1 set exactly on messages at or over the threshold, each compressed one
 * inflated in the connection's context.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketCompressionIT {

  /** Sends every text message back as it came. */
  private static final String ECHO =
      """
      package test.echo;

      import dev.outpost.api.DurableObject;
      import dev.outpost.api.DurableObjectState;
      import dev.outpost.api.Env;
      import dev.outpost.api.HibernatableWebSocket;
      import dev.outpost.api.Request;
      import dev.outpost.api.Response;
      import dev.outpost.api.WebSocketMessage;

      public final class Echo implements DurableObject {
        private final DurableObjectState state;

        public Echo(DurableObjectState state, Env env) {
          this.state = state;
        }

        @Override
        public Response fetch(Request request) {
          return state.acceptWebSocket(request);
        }

        @Override
        public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
          from.send(message);
        }

        @Override
        public void webSocketClose(
            HibernatableWebSocket ws, int code, String reason, boolean wasClean) {
          for (HibernatableWebSocket other : state.getWebSockets()) {
            if (other != ws) {
              other.send("closed " + code + " " + reason);
            }
          }
        }
      }
      """;

  /** What a browser offers (Chromium, Firefox; the npm {@code ws} client offers the same). */
  private static final String BROWSER_OFFER = "permessage-deflate; client_max_window_bits";

  @TempDir Path dataDir;
  @TempDir Path bundleDir;

  private TestNode node;
  private Vertx vertx;
  // Held for the whole test: Vert.x shuts down a client once it is garbage collected, which closes
  // a handshake in progress and, 30 s later, the open sockets (eclipse-vertx/vert.x#5839).
  private WebSocketClient client;

  @AfterEach
  void stop() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    } finally {
      if (node != null) {
        node.close();
      }
    }
  }

  private void start(WebSocketCompressionOptions compression) throws Exception {
    start(RouterOptions.defaults().withCompression(compression));
  }

  private void start(RouterOptions routerOptions) throws Exception {
    Path bundle =
        TestBundle.named("echo-test")
            .source("test.echo.Echo", ECHO)
            .namespace("echo", "test.echo.Echo")
            .compileTo(bundleDir.resolve("classes"));
    node = TestNode.builder(dataDir).bundle(bundle).routerOptions(routerOptions).start();
  }

  @Test
  void withNoThresholdTheBrowsersOfferIsAcceptedAsMadeAndEveryMessageCompressed() throws Exception {
    start(WebSocketCompressionOptions.defaults().withThresholdBytes(0));
    try (RawClient client = new RawClient(node, BROWSER_OFFER)) {
      assertThat(client.extensions).isEqualTo("permessage-deflate");
      String small = "x".repeat(40);
      for (int i = 0; i < 2; i++) { // the second in the context of the first
        client.sendText(small);
        Frame echo = client.readFrame();
        assertThat(echo.rsv1()).as("RSV1 of a 40-byte echo, no threshold").isTrue();
        assertThat(client.inflateWithContext(echo.payload())).isEqualTo(small);
      }
    }
  }

  @Test
  void byDefaultMessagesUnder1KiBGoPlainAndLargerOnesCompressedInOneContext() throws Exception {
    start(WebSocketCompressionOptions.defaults());
    try (RawClient client = new RawClient(node, BROWSER_OFFER)) {
      assertThat(client.extensions).isEqualTo("permessage-deflate");
      String under = "u".repeat(1023);
      String at = "a".repeat(1024);
      for (String text : List.of(under, at, under, at)) {
        client.sendText(text);
        Frame echo = client.readFrame();
        if (text.length() < 1024) {
          assertThat(echo.rsv1()).as("RSV1 of a 1,023-byte echo").isFalse();
          assertThat(new String(echo.payload(), StandardCharsets.UTF_8)).isEqualTo(under);
        } else {
          assertThat(echo.rsv1()).as("RSV1 of a 1,024-byte echo").isTrue();
          assertThat(echo.payload().length).isLessThan(1024);
          assertThat(client.inflateWithContext(echo.payload())).isEqualTo(at);
        }
      }
    }
  }

  @Test
  void aThresholdOf100BytesIsHonoured() throws Exception {
    start(WebSocketCompressionOptions.defaults().withThresholdBytes(100));
    try (RawClient client = new RawClient(node, BROWSER_OFFER)) {
      client.sendText("b".repeat(99));
      assertThat(client.readFrame().rsv1()).as("RSV1 of a 99-byte echo").isFalse();
      client.sendText("c".repeat(100));
      Frame echo = client.readFrame();
      assertThat(echo.rsv1()).as("RSV1 of a 100-byte echo").isTrue();
      assertThat(client.inflateWithContext(echo.payload())).isEqualTo("c".repeat(100));
    }
  }

  @Test
  void compressionOffAnswersNoExtension() throws Exception {
    start(WebSocketCompressionOptions.off());
    try (RawClient client = new RawClient(node, BROWSER_OFFER)) {
      assertThat(client.extensions).isNull();
      client.sendText("plain");
      Frame echo = client.readFrame();
      assertThat(echo.rsv1()).isFalse();
      assertThat(new String(echo.payload(), StandardCharsets.UTF_8)).isEqualTo("plain");
    }
  }

  @Test
  void aVertxClientOfferingDeflateGetsEveryPayloadBackOnBothSidesOfTheThreshold() throws Exception {
    start(WebSocketCompressionOptions.defaults());
    vertx = Vertx.vertx();
    client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setTryUsePerMessageCompression(true)
                .setMaxMessageSize(1 << 20));
    WebSocket ws =
        client
            .connect(
                new WebSocketConnectOptions()
                    .setHost(node.hostName())
                    .setPort(node.port())
                    .setURI("/objects/echo/room"))
            .await(20, TimeUnit.SECONDS);
    LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    ws.textMessageHandler(received::add);
    assertThat(ws.headers().get("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate");
    StringBuilder large = new StringBuilder();
    for (int i = 0; large.length() < 100_000; i++) {
      large.append(i).append(',');
    }
    for (String text :
        List.of("", "hé", "y".repeat(1023), "z".repeat(1024), large.toString(), "y".repeat(10))) {
      ws.writeTextMessage(text).await(20, TimeUnit.SECONDS);
      assertThat(received.poll(20, TimeUnit.SECONDS))
          .as("the echo of %d chars", text.length())
          .isEqualTo(text);
    }
    ws.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aMessageThatInflatesPastTheSizeLimitClosesWith1009AndTheNextSocketIsServed()
      throws Exception {
    int limit = 64 * 1024;
    start(RouterOptions.defaults().withMaxMessageSize(limit));
    try (RawClient watcher = new RawClient(node, BROWSER_OFFER);
        RawClient client = new RawClient(node, BROWSER_OFFER)) {
      assertThat(client.extensions).isEqualTo("permessage-deflate");
      client.sendFrame(true, RawClient.deflate(new byte[limit]));
      Frame atLimit = client.readFrame();
      assertThat(atLimit.rsv1()).isTrue();
      assertThat(client.inflateWithContext(atLimit.payload())).hasSize(limit);

      byte[] bomb = RawClient.deflate(new byte[16 * 1024 * 1024]); // 16 MiB of zeros
      assertThat(bomb.length).as("the bomb on the wire").isLessThan(limit);
      client.sendFrame(true, bomb);
      Frame close = client.readFrame();
      assertThat(close.opcode()).as("a close frame").isEqualTo(0x8);
      assertThat(((close.payload()[0] & 0xff) << 8) | (close.payload()[1] & 0xff))
          .as("the close code (RFC 6455 §7.4.1: message too big)")
          .isEqualTo(1009);
      assertThat(new String(close.payload(), 2, close.payload().length - 2, StandardCharsets.UTF_8))
          .as("the close reason")
          .contains("65536 bytes (outpost.websocket.max-message-size)");
      assertThat(new String(watcher.readFrame().payload(), StandardCharsets.UTF_8))
          .as("what the object heard")
          .startsWith("closed 1009 ");
    }
    try (RawClient next = new RawClient(node, BROWSER_OFFER)) {
      next.sendText("still here");
      assertThat(new String(next.readFrame().payload(), StandardCharsets.UTF_8))
          .isEqualTo("still here");
    }
  }

  /** One server frame: whether RSV1 was set, and its payload as sent. */
  record Frame(boolean rsv1, int opcode, byte[] payload) {}

  /** A WebSocket client on a plain socket, reading frames as they are on the wire. */
  private static final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final Inflater contextInflater = new Inflater(true); // for context takeover
    final String extensions; // the answer's Sec-WebSocket-Extensions; null if none

    RawClient(TestNode node, String offer) throws IOException {
      socket = new Socket(node.hostName(), node.port());
      socket.setSoTimeout(20_000);
      out = socket.getOutputStream();
      InputStream raw = socket.getInputStream();
      out.write(
          ("GET /objects/echo/room HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: "
                  + offer
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        int b = raw.read();
        if (b < 0) {
          throw new IOException("closed during the handshake: " + head);
        }
        head.write(b);
      }
      String answer = head.toString(StandardCharsets.US_ASCII);
      assertThat(answer).startsWith("HTTP/1.1 101");
      String found = null;
      for (String line : answer.split("\r\n")) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-extensions:")) {
          found = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      extensions = found;
      in = new DataInputStream(raw);
    }

    /** Sends one masked, final text frame. */
    void sendText(String text) throws IOException {
      sendFrame(false, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one masked, final text frame, compressed (RSV1) or not. */
    void sendFrame(boolean rsv1, byte[] payload) throws IOException {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(rsv1 ? 0xC1 : 0x81); // FIN, text; RSV1 when compressed
      if (payload.length < 126) {
        frame.write(0x80 | payload.length);
      } else if (payload.length < 65536) {
        frame.write(0x80 | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xff);
      } else {
        throw new IllegalArgumentException("frames here stay under 64 KiB");
      }
      byte[] mask = {1, 2, 3, 4};
      frame.write(mask);
      for (int i = 0; i < payload.length; i++) {
        frame.write(payload[i] ^ mask[i % 4]);
      }
      out.write(frame.toByteArray());
      out.flush();
    }

    /** Reads the next data frame (a final one: the echoes here are single frames). */
    Frame readFrame() throws IOException {
      while (true) {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        int opcode = b0 & 0x0f;
        if (opcode == 0x9 || opcode == 0xA) {
          continue; // ping, pong
        }
        assertThat(b0 & 0x80).as("FIN of the echo").isNotZero();
        return new Frame((b0 & 0x40) != 0, opcode, payload);
      }
    }

    /** Compresses a message as a browser does: raw deflate, sync flush, the tail dropped. */
    static byte[] deflate(byte[] message) {
      java.util.zip.Deflater deflater = new java.util.zip.Deflater(6, true);
      try {
        deflater.setInput(message);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        do {
          n = deflater.deflate(chunk, 0, chunk.length, java.util.zip.Deflater.SYNC_FLUSH);
          out.write(chunk, 0, n);
        } while (n == chunk.length || !deflater.needsInput());
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4); // 00 00 ff ff (RFC 7692 §7.2.1)
      } finally {
        deflater.end();
      }
    }

    /** Inflates a compressed message in this connection's context (RFC 7692 §7.2.2). */
    String inflateWithContext(byte[] payload) throws DataFormatException {
      return inflate(contextInflater, payload);
    }

    private static String inflate(Inflater inflater, byte[] payload) throws DataFormatException {
      byte[] input = new byte[payload.length + 4];
      System.arraycopy(payload, 0, input, 0, payload.length);
      input[payload.length + 2] = (byte) 0xff; // the removed 00 00 FF FF tail
      input[payload.length + 3] = (byte) 0xff;
      inflater.setInput(input);
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      while (!inflater.needsInput()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && inflater.needsInput()) {
          break;
        }
        text.write(chunk, 0, n);
      }
      return text.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      contextInflater.end();
      socket.close();
    }
  }
}
