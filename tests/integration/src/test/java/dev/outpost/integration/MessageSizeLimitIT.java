package dev.outpost.integration;

import static dev.outpost.testkit.TestFutures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
 * outpost.websocket.max-message-size, set to 1,024 bytes, on WebSocket messages and HTTP bodies.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MessageSizeLimitIT {

  private static final int LIMIT = 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  private Vertx vertx;
  private TestNode node;

  @BeforeEach
  void startNode() {
    vertx = Vertx.vertx();
    node =
        TestNode.builder(dataDir)
            .routerOptions(RouterOptions.defaults().withMaxMessageSize(LIMIT))
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void oversizedMessageClosesTheSenderWith1009AndReachesNobody() {
    try (TestWebSocketClient clients = new TestWebSocketClient(vertx, node, 10)) {
      CollectingWebSocket sender = clients.connect("/objects/chat/limits");
      CollectingWebSocket bob = clients.connect("/objects/chat/limits");
      CollectingWebSocket carol = clients.connect("/objects/chat/limits");
      String atLimit = "a".repeat(LIMIT);
      await(sender.sendText(atLimit), "sending a message of exactly the limit");
      for (CollectingWebSocket member : List.of(sender, bob, carol)) {
        assertThat(member.awaitTexts(1, TIMEOUT))
            .as("a message of exactly %d bytes at %s", LIMIT, member)
            .containsExactly(atLimit);
      }

      await(sender.sendText("x".repeat(2_000)), "sending 2,000 bytes");
      CollectingWebSocket.CloseStatus status = sender.awaitClose(TIMEOUT);
      assertThat(status.code())
          .as("close code after a 2,000-byte message: %s", status)
          .isEqualTo(1009);

      // The room still works, and bob's message, sent after the refusal, is the next thing
      // everybody receives: the oversized message was never fanned out.
      await(bob.sendText("still here"), "sending after the refusal");
      for (CollectingWebSocket member : List.of(bob, carol)) {
        assertThat(member.awaitTexts(2, TIMEOUT))
            .as("messages at %s around the refused one", member)
            .containsExactly(atLimit, "still here");
      }
      assertThat(sender.texts()).as("messages at the refused sender").containsExactly(atLimit);
    }
  }

  /**
   * The same contract for a message far over the limit, in one frame: Netty's frame limit must not
   * be what refuses it (Vert.x would drop the connection with 1006), the router's 1009 check must.
   */
  @Test
  void farOversizedMessageAlsoClosesWith1009() {
    try (TestWebSocketClient clients = new TestWebSocketClient(vertx, node, 10)) {
      CollectingWebSocket sender = clients.connect("/objects/chat/far-over");
      CollectingWebSocket bob = clients.connect("/objects/chat/far-over");
      int size = LIMIT + 256 * 1024;

      await(sender.sendText("z".repeat(size)), "sending " + size + " bytes");
      CollectingWebSocket.CloseStatus status = sender.awaitClose(TIMEOUT);
      assertThat(status.code())
          .as("close code after a %d-byte message: %s", size, status)
          .isEqualTo(1009);

      await(bob.sendText("still here"), "sending after the refusal");
      assertThat(bob.awaitTexts(1, TIMEOUT))
          .as("messages at bob around the refused one")
          .containsExactly("still here");
    }
  }

  /**
   * A node at Cloudflare's limit: one message of exactly 32 MiB reaches every member, the sender
   * included, although it is four times the 8 MiB outbound bound; nobody is closed as too slow.
   */
  @Test
  void aMessageOfExactly32MiBReachesEveryMember(@TempDir Path bigDir) {
    int limit = RouterOptions.MAX_MESSAGE_SIZE_LIMIT;
    try (TestNode big =
            TestNode.builder(bigDir)
                .routerOptions(RouterOptions.defaults().withMaxMessageSize(limit))
                .start();
        TestWebSocketClient clients = new TestWebSocketClient(vertx, big, 10)) {
      CollectingWebSocket sender = clients.connect("/objects/chat/huge");
      CollectingWebSocket bob = clients.connect("/objects/chat/huge");
      CollectingWebSocket carol = clients.connect("/objects/chat/huge");
      String huge = "h".repeat(limit);
      await(sender.sendText(huge), "sending exactly " + limit + " bytes");
      for (CollectingWebSocket member : List.of(sender, bob, carol)) {
        List<String> got = member.awaitTexts(1, TIMEOUT);
        assertThat(got.get(0).length()).as("length of the message at %s", member).isEqualTo(limit);
        assertThat(got.get(0).equals(huge)).as("the message at %s is intact", member).isTrue();
        assertThat(member.closeStatus()).as("close status of %s", member).isEmpty();
      }
    }
  }

  @Test
  void oversizedHttpBodyAnswers413AndNeverReachesTheObject() {
    try (TestHttpClient http = new TestHttpClient(vertx, node, 2)) {
      HttpResult refused =
          http.send(HttpMethod.POST, "/objects/counter/big", Buffer.buffer("y".repeat(2_000)));
      assertThat(refused.status()).as("POST with a 2,000-byte body: %s", refused).isEqualTo(413);
      assertThat(refused.body()).as("413 body").contains(Integer.toString(LIMIT));

      HttpResult read = http.get("/objects/counter/big");
      assertThat(read.body().strip()).as("counter after the refused POST: %s", read).isEqualTo("0");
      HttpResult accepted =
          http.send(HttpMethod.POST, "/objects/counter/big", Buffer.buffer("y".repeat(LIMIT)));
      assertThat(accepted.status())
          .as("POST with a body of exactly the limit: %s", accepted)
          .isEqualTo(200);
      assertThat(accepted.body().strip()).as("counter after an accepted POST").isEqualTo("1");
    }
  }
}
