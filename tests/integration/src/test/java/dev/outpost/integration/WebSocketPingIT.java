package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's liveness check of plain WebSocket clients (RFC 6455 §5.5.2-5.5.3), with a 300 ms
 * ping interval: a client that answers pings (every conforming one does by itself) stays connected
 * through many intervals, and a half-open peer that never answers is closed with 1001 within two
 * intervals, its object left running.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketPingIT {

  private static final Duration PING = Duration.ofMillis(300);

  @TempDir Path dir;
  private TestNode node;
  private Vertx vertx;
  // Held: Vert.x shuts a client down once it is garbage collected (eclipse-vertx/vert.x#5839).
  private WebSocketClient client;

  @BeforeEach
  void start() {
    node =
        TestNode.builder(dir)
            .routerOptions(RouterOptions.defaults().withPingInterval(PING))
            .start();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void aClientThatAnswersPingsStaysConnected() throws Exception {
    CompletableFuture<Short> closed = new CompletableFuture<>();
    client = vertx.createWebSocketClient();
    var ws =
        client
            .connect(
                new WebSocketConnectOptions()
                    .setHost(node.hostName())
                    .setPort(node.port())
                    .setURI("/objects/chat/pinged"))
            .await(20, TimeUnit.SECONDS);
    ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
    Thread.sleep(PING.toMillis() * 8); // a "nothing happens" wait: 8 ping intervals
    assertThat(closed).as("still open after 8 pings, each answered by the client").isNotDone();
    ws.writeTextMessage("still here").await(10, TimeUnit.SECONDS);
  }

  @Test
  void aPeerThatNeverAnswersIsClosedWithin2Intervals() throws Exception {
    try (Socket raw =
        WebSocketHandshakeIT.handshake(node, "/objects/chat/half-open", Duration.ofSeconds(10))) {
      long start = System.nanoTime();
      InputStream in = raw.getInputStream();
      int pings = 0;
      while (true) { // bounded by the socket's read timeout
        int first = in.read();
        assertThat(first).as("a frame before the connection ends").isNotNegative();
        int length = in.read() & 0x7f; // server frames are unmasked; control payloads < 126
        byte[] payload = in.readNBytes(length);
        int opcode = first & 0x0f;
        if (opcode == 0x9) {
          pings++; // never answered: this peer is "gone"
          continue;
        }
        assertThat(opcode).as("a close frame").isEqualTo(0x8);
        int code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        String reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(code).isEqualTo(1001);
        assertThat(reason).contains("no pong");
        assertThat(pings).as("pinged once before being closed").isEqualTo(1);
        assertThat(ms).as("closed within about two intervals").isLessThan(PING.toMillis() * 4);
        return;
      }
    }
  }
}
