package dev.outpost.integration;

import static dev.outpost.testkit.TestFutures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples' chat room on a real node with real Vert.x WebSocket clients: fan-out, order,
 * hibernation across a forced eviction.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChatRoomIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  private Vertx vertx;
  private TestNode node;
  private TestWebSocketClient clients;

  @BeforeEach
  void startNode() {
    vertx = Vertx.vertx();
    // Idle eviction far away: these tests evict by hand, and an automatic eviction in between
    // would make evictForTest find nothing to evict.
    node =
        TestNode.builder(dataDir)
            .runtimeOptions(RuntimeOptions.defaults().withIdleTimeout(Duration.ofMinutes(10)))
            .start();
    clients = new TestWebSocketClient(vertx, node, 100);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      clients.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void upgradeCompletesAndTheNodeHoldsTheSocket() {
    CollectingWebSocket socket = clients.connect("/objects/chat/handshake", Duration.ofSeconds(10));
    assertThat(socket.closeStatus()).as("socket right after the handshake").isEmpty();
    assertThat(node.host().openSockets()).as("sockets held by the node").isEqualTo(1);
  }

  @Test
  void everyMemberReceivesEveryMessageOnceAndUnchanged() {
    CollectingWebSocket alice = clients.connect("/objects/chat/lobby");
    CollectingWebSocket bob = clients.connect("/objects/chat/lobby");
    List<String> fromAlice =
        List.of("hello", "grüße aus Köln — 東京 naïve café", "party 🎉🦄", "", " spaces  ");
    List<String> fromBob =
        List.of("hi alice", "Здравствуй, мир", "👍🏽 family 👨‍👩‍👧", "end of bob");

    List<Future<Void>> sends = new ArrayList<>();
    for (int i = 0; i < Math.max(fromAlice.size(), fromBob.size()); i++) {
      if (i < fromAlice.size()) {
        sends.add(alice.sendText(fromAlice.get(i)));
      }
      if (i < fromBob.size()) {
        sends.add(bob.sendText(fromBob.get(i)));
      }
    }
    await(Future.all(sends), "sending from alice and bob");
    List<String> all = new ArrayList<>(fromAlice);
    all.addAll(fromBob);

    for (CollectingWebSocket member : List.of(alice, bob)) {
      List<String> received = member.awaitTexts(all.size(), TIMEOUT);
      assertThat(received)
          .as("messages at %s (both senders, each exactly once, byte for byte)", member)
          .containsExactlyInAnyOrderElementsOf(all);
      assertThat(received.stream().filter(fromAlice::contains).toList())
          .as("alice's messages at %s, in alice's order", member)
          .containsExactlyElementsOf(fromAlice);
      assertThat(received.stream().filter(fromBob::contains).toList())
          .as("bob's messages at %s, in bob's order", member)
          .containsExactlyElementsOf(fromBob);
    }

    // A last message, after everything: a late duplicate would arrive before it.
    await(alice.sendText("last"), "sending 'last'");
    for (CollectingWebSocket member : List.of(alice, bob)) {
      List<String> received = member.awaitTexts(all.size() + 1, TIMEOUT);
      assertThat(received).as("messages at %s after 'last'", member).hasSize(all.size() + 1);
      assertThat(received.getLast()).as("last message at %s", member).isEqualTo("last");
    }
  }

  @Test
  void binaryFramesAreIgnored() {
    CollectingWebSocket alice = clients.connect("/objects/chat/bytes");
    CollectingWebSocket bob = clients.connect("/objects/chat/bytes");

    await(
        alice.sendBinary("not for the room".getBytes(StandardCharsets.UTF_8)),
        "sendBinary by alice");
    await(bob.sendBinary(new byte[] {0, 1, 2, (byte) 0xff}), "sendBinary by bob");
    // Text sent after the binary frames on the same sockets: once it arrives, any fan-out of the
    // binary frames would have arrived before it.
    await(alice.sendText("after alice's bytes"), "sendText by alice");
    await(bob.sendText("after bob's bytes"), "sendText by bob");

    for (CollectingWebSocket member : List.of(alice, bob)) {
      assertThat(member.awaitTexts(2, TIMEOUT))
          .as("text messages at %s", member)
          .containsExactlyInAnyOrder("after alice's bytes", "after bob's bytes");
      assertThat(member.binaryCount()).as("binary messages at %s", member).isZero();
    }
  }

  @Test
  void twoThousandMessagesFromOneSenderArriveInOrderAtEveryMember() {
    int members = 4;
    int messages = 2_000;
    List<CollectingWebSocket> room = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      room.add(clients.connect("/objects/chat/ordered"));
    }
    List<String> sent = new ArrayList<>();
    List<Future<Void>> writes = new ArrayList<>();
    CollectingWebSocket sender = room.getFirst();
    for (int i = 0; i < messages; i++) {
      String message = "message %04d from the first member".formatted(i);
      sent.add(message);
      writes.add(sender.sendText(message));
    }
    await(Future.all(writes), "sending " + messages + " messages");

    for (CollectingWebSocket member : room) {
      List<String> received = member.awaitTexts(messages, Duration.ofSeconds(60));
      assertThat(received)
          .as("the %d messages at member %d, in send order", messages, room.indexOf(member))
          .containsExactlyElementsOf(sent);
    }
  }

  @Test
  void aMemberThatLeavesIsForgottenAndTheOthersCarryOn() {
    CollectingWebSocket alice = clients.connect("/objects/chat/leaving");
    CollectingWebSocket bob = clients.connect("/objects/chat/leaving");
    CollectingWebSocket carol = clients.connect("/objects/chat/leaving");
    assertThat(node.host().openSockets())
        .as("sockets held by the node with 3 members")
        .isEqualTo(3);

    bob.close();
    Awaitility.await("the node forgetting bob's closed socket")
        .atMost(TIMEOUT)
        .until(() -> node.host().openSockets() == 2);

    await(alice.sendText("after bob left"), "sendText by alice");
    for (CollectingWebSocket member : List.of(alice, carol)) {
      assertThat(member.awaitTexts(1, TIMEOUT))
          .as("messages at %s", member)
          .containsExactly("after bob left");
    }
    assertThat(bob.texts()).as("messages at bob, who left").isEmpty();
    assertThat(bob.closeStatus().map(CollectingWebSocket.CloseStatus::code))
        .as("bob's close code")
        .contains(1000);
  }

  @Test
  void socketsSurviveAForcedEvictionAndKeepWorking() {
    String room = "hibernating";
    ObjectAddress address =
        new ObjectAddress("chat", node.host().namespace("chat").orElseThrow().idFromName(room));
    CollectingWebSocket alice = clients.connect("/objects/chat/" + room);
    CollectingWebSocket bob = clients.connect("/objects/chat/" + room);
    await(alice.sendText("before eviction"), "sendText by alice");
    alice.awaitTexts(1, TIMEOUT);
    bob.awaitTexts(1, TIMEOUT);
    assertThat(node.host().isActiveForTest(address))
        .as("%s is live before the eviction", address)
        .isTrue();

    // evictForTest refuses while a turn runs or waits; the room goes idle on its own.
    Awaitility.await("eviction of idle " + address)
        .atMost(TIMEOUT)
        .pollInterval(Duration.ofMillis(10))
        .until(() -> node.host().evictForTest(address));
    assertThat(node.host().isActiveForTest(address))
        .as("%s is live right after its eviction", address)
        .isFalse();
    assertThat(node.host().openSockets()).as("sockets kept open by the node").isEqualTo(2);
    assertThat(alice.closeStatus()).as("alice's socket after the eviction").isEmpty();
    assertThat(bob.closeStatus()).as("bob's socket after the eviction").isEmpty();

    await(bob.sendText("after eviction"), "sendText by bob");
    for (CollectingWebSocket member : List.of(alice, bob)) {
      assertThat(member.awaitTexts(2, TIMEOUT))
          .as("messages at %s across the eviction", member)
          .containsExactly("before eviction", "after eviction");
    }
    assertThat(node.host().isActiveForTest(address))
        .as("%s re-activated by the message after the eviction", address)
        .isTrue();

    await(alice.sendText("and again"), "sendText by alice");
    for (CollectingWebSocket member : List.of(alice, bob)) {
      assertThat(member.awaitTexts(3, TIMEOUT))
          .as("messages at %s after the re-activation", member)
          .containsExactly("before eviction", "after eviction", "and again");
    }
  }
}
