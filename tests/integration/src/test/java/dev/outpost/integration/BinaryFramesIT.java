package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binary WebSocket messages reach an object as binary and go back out as binary, byte for byte,
 * over a real socket through the router: every byte value, an empty message, a message in three
 * fragments, and one of 300 KiB. (y-websocket speaks only binary frames.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BinaryFramesIT {

  /** Sends every message back as it came, then a text frame naming its kind and size. */
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
          from.send((message.isText() ? "text " : "binary ") + message.size());
        }
      }
      """;

  @TempDir Path dataDir;
  @TempDir Path bundleDir;

  private Vertx vertx;
  private TestNode node;
  private ClientWebSocket ws;
  private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    Path bundle =
        TestBundle.named("echo-test")
            .source("test.echo.Echo", ECHO)
            .namespace("echo", "test.echo.Echo")
            .compileTo(bundleDir.resolve("classes"));
    vertx = Vertx.vertx();
    node = TestNode.builder(dataDir).bundle(bundle).start();
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxMessageSize(4 << 20).setMaxFrameSize(4 << 20));
    ws = client.webSocket();
    ws.binaryMessageHandler(b -> received.add(b.getBytes()));
    ws.textMessageHandler(received::add);
    ws.connect(
            new WebSocketConnectOptions()
                .setHost(node.hostName())
                .setPort(node.port())
                .setURI("/objects/echo/room"))
        .await(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      ws.close().await(10, TimeUnit.SECONDS); // first, so closing Vert.x waits for nothing
      vertx.close().await(30, TimeUnit.SECONDS); // slow on a loaded machine (10 s timed out once)
    } finally {
      node.close();
    }
  }

  private void expectBinaryEcho(byte[] sent) throws InterruptedException {
    Object echoed = received.poll(20, TimeUnit.SECONDS);
    assertThat(echoed).as("the echo of %d bytes", sent.length).isInstanceOf(byte[].class);
    assertThat((byte[]) echoed).isEqualTo(sent);
    assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("binary " + sent.length);
  }

  @Test
  void binaryMessagesReachTheObjectAndComeBackUnchanged() throws Exception {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < 256; i++) {
      everyByte[i] = (byte) i;
    }
    byte[] syncStep1 = {0, 0, 1, 0}; // y-websocket's first message from an empty document
    byte[] large = new byte[300 * 1024];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 31);
    }
    for (byte[] message : List.of(everyByte, syncStep1, new byte[0], large)) {
      ws.writeBinaryMessage(Buffer.buffer(message)).await(20, TimeUnit.SECONDS);
      expectBinaryEcho(message);
    }
  }

  @Test
  void aFragmentedBinaryMessageArrivesWhole() throws Exception {
    ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[] {1, 2}), false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {3}), false));
    ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[] {(byte) 0xff}), true))
        .await(20, TimeUnit.SECONDS);
    expectBinaryEcho(new byte[] {1, 2, 3, (byte) 0xff});
  }

  @Test
  void textStaysText() throws Exception {
    ws.writeTextMessage("héllo").await(20, TimeUnit.SECONDS);
    assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("héllo");
    assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("text 6");
  }
}
