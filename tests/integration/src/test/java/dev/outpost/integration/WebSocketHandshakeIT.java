package dev.outpost.integration;

import static dev.outpost.testkit.TestFutures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.CollectingWebSocket.CloseStatus;
import dev.outpost.testkit.Eventually;
import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WebSocket handshake and close as Cloudflare has them, over real sockets: the object chooses
 * the subprotocol and adds headers to the 101; a close frame without a status code reaches {@code
 * webSocketClose} as 1005; a client gone without a close frame as 1006 with {@code wasClean =
 * false}; an object may close with any code an endpoint may send (1011 included) and is refused a
 * reserved one or a reason over 123 bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketHandshakeIT {

  /**
   * Accepts every upgrade; with {@code ?protocol=P} answers a 101 choosing P and adding {@code
   * X-Probe}. Records each {@code webSocketClose} as {@code code|reason|wasClean} lines, answered
   * by {@code GET /closes}. A text message {@code close CODE REASON} closes the socket with that
   * code and reason; if {@code close} refuses them, the object sends back {@code refused: } and the
   * error's message instead. Any other text message comes back prefixed with {@code echo:}.
   */
  private static final String PROBE =
      """
      package test.probe;

      import dev.outpost.api.DurableObject;
      import dev.outpost.api.DurableObjectState;
      import dev.outpost.api.Env;
      import dev.outpost.api.HibernatableWebSocket;
      import dev.outpost.api.Request;
      import dev.outpost.api.Response;
      import dev.outpost.api.WebSocketMessage;

      public final class Probe implements DurableObject {
        private final DurableObjectState state;

        public Probe(DurableObjectState state, Env env) {
          this.state = state;
        }

        @Override
        public Response fetch(Request request) {
          if (!request.isWebSocketUpgrade()) {
            return Response.ok(state.storage().get("closes", String.class).orElse(""));
          }
          Response accepted = state.acceptWebSocket(request);
          String query = request.query().orElse("");
          if (!query.startsWith("protocol=")) {
            return accepted;
          }
          return Response.builder(101)
              .header("Sec-WebSocket-Protocol", query.substring("protocol=".length()))
              .header("X-Probe", "chosen by the object")
              .build();
        }

        @Override
        public void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message) {
          if (!message.text().startsWith("close ")) {
            ws.send("echo:" + message.text());
            return;
          }
          String[] command = message.text().split(" ", 3);
          try {
            ws.close(Integer.parseInt(command[1]), command.length > 2 ? command[2] : "");
          } catch (IllegalArgumentException refused) {
            ws.send("refused: " + refused.getMessage());
          }
        }

        @Override
        public void webSocketClose(
            HibernatableWebSocket ws, int code, String reason, boolean wasClean) {
          String before = state.storage().get("closes", String.class).orElse("");
          state.storage().put("closes", before + code + "|" + reason + "|" + wasClean + "\\n");
        }
      }
      """;

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir Path dataDir;
  @TempDir Path bundleDir;

  private Vertx vertx;
  private TestNode node;
  private TestHttpClient http;
  private WebSocketClient client;
  private TestWebSocketClient sockets;

  @BeforeEach
  void startNode() {
    Path bundle =
        TestBundle.named("probe-test")
            .source("test.probe.Probe", PROBE)
            .namespace("probe", "test.probe.Probe")
            .compileTo(bundleDir.resolve("classes"));
    vertx = Vertx.vertx();
    node = TestNode.builder(dataDir).bundle(bundle).start();
    http = new TestHttpClient(vertx, node, 4);
    client = vertx.createWebSocketClient();
    sockets = new TestWebSocketClient(vertx, node, 4);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      http.close();
      sockets.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  private WebSocketConnectOptions offering(String uri, String... protocols) {
    return new WebSocketConnectOptions()
        .setHost(node.hostName())
        .setPort(node.port())
        .setURI(uri)
        .setSubProtocols(List.of(protocols));
  }

  @Test
  void theObjectChoosesAnOfferedSubprotocolAndAddsHeaders() throws Exception {
    ClientWebSocket ws = client.webSocket();
    ws.connect(offering("/objects/probe/sub?protocol=mqtt", "graphql-transport-ws", "mqtt"))
        .await(20, TimeUnit.SECONDS);
    assertThat(ws.subProtocol()).as("subprotocol the client sees").isEqualTo("mqtt");
    assertThat(ws.headers().get("X-Probe")).as("extra header").isEqualTo("chosen by the object");
    ws.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aSubprotocolTheClientDidNotOfferIsRefused() {
    ClientWebSocket ws = client.webSocket();
    Throwable failure =
        ws.connect(
                offering("/objects/probe/refused?protocol=stomp", "graphql-transport-ws", "mqtt"))
            .toCompletionStage()
            .toCompletableFuture()
            .handle((ok, error) -> error)
            .join();
    assertThat(failure)
        .as("handshake offering no 'stomp'")
        .isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) failure).getStatus()).isEqualTo(500);
    assertThat(awaitCloses("refused"))
        .as("the object hears that its socket never opened")
        .startsWith("1006|");
  }

  @Test
  void outpostProtocolNegotiationStillWorks() throws Exception {
    ClientWebSocket ws = client.webSocket();
    ws.connect(offering("/objects/probe/session", "mqtt", "outpost.v1"))
        .await(20, TimeUnit.SECONDS);
    assertThat(ws.subProtocol()).isEqualTo("outpost.v1");
    ws.close().await(20, TimeUnit.SECONDS);
  }

  @Test
  void aCloseFrameWithoutAStatusCodeIs1005() throws Exception {
    try (Socket raw = handshake("/objects/probe/no-status")) {
      OutputStream out = raw.getOutputStream();
      out.write(new byte[] {(byte) 0x88, (byte) 0x80, 1, 2, 3, 4}); // masked close, no payload
      out.flush();
      assertThat(awaitCloses("no-status")).isEqualTo("1005||true\n");
    }
  }

  @Test
  void aConnectionDroppedWithoutACloseFrameIs1006AndNotClean() throws Exception {
    Socket raw = handshake("/objects/probe/dropped");
    raw.setSoLinger(true, 0); // reset, no close frame
    raw.close();
    assertThat(awaitCloses("dropped"))
        .isEqualTo("1006|WebSocket disconnected without sending Close frame.|false\n");
  }

  @Test
  void anObjectClosingWith1011ReachesTheClientAs1011WithItsReason() {
    CollectingWebSocket ws = sockets.connect("/objects/probe/internal-error");
    await(ws.sendText("close 1011 internal error"), "sending the close command");
    assertThat(ws.awaitClose(TIMEOUT))
        .as("close the client sees after the object closed with 1011")
        .isEqualTo(new CloseStatus(1011, "internal error"));
  }

  @Test
  void reservedCodesAndOverlongReasonsAreRefusedAndTheSocketStaysOpen() {
    CollectingWebSocket ws = sockets.connect("/objects/probe/reserved");
    String reason123 = "é".repeat(61) + "x"; // 123 UTF-8 bytes, the most a close frame carries
    String reason124 = "é".repeat(62);
    List<String> commands =
        List.of(
            "close 1004 x",
            "close 1005 x",
            "close 1006 x",
            "close 1015 x",
            "close 2000 x",
            "close 5000 x",
            "close 3000 " + reason124);
    for (String command : commands) {
      await(ws.sendText(command), "sending '" + command + "'");
    }

    List<String> answers = ws.awaitTexts(commands.size(), TIMEOUT);
    assertThat(answers).as("answers to %s", commands).hasSize(commands.size());
    assertThat(answers.get(0)).startsWith("refused: close code 1004 is reserved (RFC 6455 §7.4.1)");
    for (int i = 1; i <= 3; i++) {
      assertThat(answers.get(i))
          .as("answer to '%s'", commands.get(i))
          .startsWith("refused: close code " + commands.get(i).substring(6, 10) + " only reports")
          .contains("RFC 6455 §7.4.1")
          .contains("send 1000 instead");
    }
    assertThat(answers.get(4))
        .startsWith("refused: close code 2000 is reserved for future versions of the protocol");
    assertThat(answers.get(5))
        .startsWith("refused: close code 5000 is outside the close-code range 1000–4999");
    assertThat(answers.get(6))
        .isEqualTo(
            "refused: close reason is 124 UTF-8 bytes; the limit is 123 (a close frame's payload"
                + " is at most 125 bytes, RFC 6455 §5.5)");
    assertThat(ws.closeStatus()).as("socket after the refused closes").isEmpty();

    await(ws.sendText("close 3000 " + reason123), "sending a close with a 123-byte reason");
    assertThat(ws.awaitClose(TIMEOUT))
        .as("close with an application code and the longest reason allowed")
        .isEqualTo(new CloseStatus(3000, reason123));
  }

  @Test
  void invalidUtf8InATextFrameIsRepairedWithTheReplacementCharacterAndDelivered() throws Exception {
    try (Socket raw = handshake("/objects/probe/utf8")) {
      byte[] invalid = {'a', (byte) 0xC3, '-', 'x'}; // 0xC3 starts a 2-byte sequence; '-' is not
      byte[] mask = {1, 2, 3, 4};
      OutputStream out = raw.getOutputStream();
      out.write(new byte[] {(byte) 0x81, (byte) (0x80 | invalid.length)}); // masked text, FIN
      out.write(mask);
      for (int i = 0; i < invalid.length; i++) {
        out.write(invalid[i] ^ mask[i % 4]);
      }
      out.flush();

      InputStream in = raw.getInputStream();
      int opcode = in.read();
      int length = in.read();
      assertThat(opcode)
          .as("first frame from the server (not a 1007 close): opcode byte %x", opcode)
          .isEqualTo(0x81);
      String echoed = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      assertThat(echoed).as("what the object received, echoed").isEqualTo("echo:a\uFFFD-x");
    }
  }

  private String awaitCloses(String name) {
    return Eventually.waitUntil(
        TIMEOUT,
        () -> http.get("/objects/probe/" + name).body(),
        body -> !body.isEmpty(),
        "webSocketClose of " + name + " recorded by the object");
  }

  /** A TCP connection that has completed a WebSocket handshake with {@code uri}. */
  private Socket handshake(String uri) throws Exception {
    return handshake(node, uri, TIMEOUT);
  }

  /**
   * A raw TCP connection to {@code node} that has completed a WebSocket handshake with {@code uri}
   * (answered 101), its reads timing out after {@code timeout}: for tests that must write or
   * withhold frames themselves (a missing close frame, an unanswered ping).
   */
  static Socket handshake(TestNode node, String uri, java.time.Duration timeout) throws Exception {
    Socket raw = new Socket(node.hostName(), node.port());
    raw.setSoTimeout((int) timeout.toMillis());
    raw.getOutputStream()
        .write(
            ("GET "
                    + uri
                    + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = raw.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new AssertionError("connection closed during the handshake: " + head);
      }
      head.write(b);
    }
    assertThat(head.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
    return raw;
  }
}
