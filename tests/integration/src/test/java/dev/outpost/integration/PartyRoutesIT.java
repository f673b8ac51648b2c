package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PartyKit's URL shapes on a node serving the samples bundle ({@code party.main=chat}): {@code
 * /parties/{party}/{room}} and {@code /party/{room}} reach the same objects as {@code
 * /objects/...}, for HTTP and WebSocket upgrades alike.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartyRoutesIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dataDir;

  private Vertx vertx;
  private TestNode node;
  private TestHttpClient http;
  private TestWebSocketClient sockets;

  @BeforeEach
  void startNode() {
    vertx = Vertx.vertx();
    node = TestNode.start(dataDir);
    http = new TestHttpClient(vertx, node, 4);
    sockets = new TestWebSocketClient(vertx, node, 4);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      sockets.close();
      http.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void aNamedPartyReachesTheNamespaceOfItsNameTheSameObjectAsObjectsUrls() {
    assertThat(http.post("/parties/counter/tally").body().trim()).isEqualTo("1");
    assertThat(http.post("/objects/counter/tally").body().trim()).isEqualTo("2");
    assertThat(http.get("/parties/counter/tally/any/path?x=1").body().trim()).isEqualTo("2");
  }

  @Test
  void theMainPartyAndTheShortShapeReachTheNamespaceTheBundleNames() {
    HttpResult main = http.get("/parties/main/lobby");
    assertThat(main.status()).as("GET /parties/main/lobby: %s", main).isEqualTo(426);
    HttpResult shortShape = http.get("/party/lobby");
    assertThat(shortShape.status()).as("GET /party/lobby: %s", shortShape).isEqualTo(426);
  }

  @Test
  void everyShapeOfOneRoomIsOneChatRoom() {
    CollectingWebSocket viaParties = sockets.connect("/parties/main/lobby?_pk=a");
    CollectingWebSocket viaParty = sockets.connect("/party/lobby?_pk=b");
    CollectingWebSocket viaObjects = sockets.connect("/objects/chat/lobby");
    CollectingWebSocket elsewhere = sockets.connect("/parties/main/kitchen?_pk=c");

    viaParties.sendText("one").await();
    viaObjects.awaitTexts(1, WAIT);
    viaParty.sendText("two").await();
    viaObjects.awaitTexts(2, WAIT);
    viaObjects.sendText("three").await();

    for (CollectingWebSocket member :
        new CollectingWebSocket[] {viaParties, viaParty, viaObjects}) {
      assertThat(member.awaitTexts(3, WAIT)).containsExactly("one", "two", "three");
    }
    elsewhere.sendText("only here").await();
    assertThat(elsewhere.awaitTexts(1, WAIT)).containsExactly("only here");
    assertThat(viaParties.texts()).containsExactly("one", "two", "three");
  }

  @Test
  void aRoomNameIsDecodedAsAnObjectNameIsAndIdIsJustARoom() {
    http.post("/parties/counter/my%20caf%C3%A9");
    assertThat(http.get("/objects/counter/my%20caf%C3%A9").body().trim()).isEqualTo("1");
    assertThat(http.post("/parties/counter/id").body().trim()).isEqualTo("1");
    assertThat(http.get("/objects/counter/id/x").status()).isEqualTo(400);
  }

  @Test
  void anUnknownPartyAnswers404NamingThePartiesAndNamespacesServed() {
    for (String url : new String[] {"/parties/nope/room", "/parties/nope/room?_pk=x"}) {
      HttpResult result = http.get(url);
      assertThat(result.status()).as("GET %s: %s", url, result).isEqualTo(404);
      assertThat(result.body())
          .contains("unknown party 'nope'")
          .contains("{main=chat}")
          .contains("counter")
          .contains("party.NAME=NAMESPACE");
    }
  }

  @Test
  void aMissingRoomAnswers400WithTheShape() {
    HttpResult noRoom = http.get("/parties/main/");
    assertThat(noRoom.status()).as("GET /parties/main/: %s", noRoom).isEqualTo(400);
    assertThat(noRoom.body()).contains("/parties/main/{room}");
    HttpResult bare = http.get("/parties/main");
    assertThat(bare.status()).as("GET /parties/main: %s", bare).isEqualTo(400);
    HttpResult shortBare = http.get("/party/");
    assertThat(shortBare.status()).as("GET /party/: %s", shortBare).isEqualTo(400);
    assertThat(shortBare.body()).contains("/party/{room}");
  }

  @Test
  void healthListsTheParties() {
    JsonObject health = new JsonObject(http.get("/_outpost/health").body());
    assertThat(health.getJsonObject("parties").getMap()).containsEntry("main", "chat");
  }
}
