package dev.outpost.samples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.realtime.Presence;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChatRoomTest {

  private final ObjectHarness harness = ObjectHarness.of("chat", ChatRoom.class);
  private final ObjectUnderTest room = harness.object("lobby");

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void aPlainGetIsToldToUpgrade() {
    var response = room.get("/");

    assertThat(response.status()).isEqualTo(426);
    assertThat(response.header("Upgrade")).contains("websocket");
  }

  @Test
  void everyTextFrameGoesUnchangedToEveryMemberSenderIncluded() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");

    ann.send("hello {\"not\":\"parsed\"}");

    assertThat(ann.texts()).containsExactly("hello {\"not\":\"parsed\"}");
    assertThat(bob.texts()).containsExactly("hello {\"not\":\"parsed\"}");
  }

  @Test
  void messagesKeepTheirOrder() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");

    ann.send("1");
    bob.send("2");
    ann.send("3");

    assertThat(ann.texts()).containsExactly("1", "2", "3");
    assertThat(bob.texts()).containsExactly("1", "2", "3");
  }

  @Test
  void binaryFramesAreIgnored() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");

    ann.send(new byte[] {1, 2, 3});

    assertThat(ann.received()).isEmpty();
    assertThat(bob.received()).isEmpty();
  }

  @Test
  void roomsAreSeparate() {
    RecordingSocket inLobby = room.connect("/");
    RecordingSocket elsewhere = harness.object("kitchen").connect("/");

    inLobby.send("hi");

    assertThat(elsewhere.received()).isEmpty();
  }

  @Test
  void aClosedMemberGetsNothingMore() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");
    bob.close(1000, "bye");

    ann.send("still here?");

    assertThat(ann.texts()).containsExactly("still here?");
    assertThat(bob.received()).isEmpty();
  }

  @Test
  void membersStayConnectedWhileTheRoomHibernates() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");

    assertThat(room.evict()).isTrue();
    assertThat(room.isActive()).isFalse();
    assertThat(harness.openSockets()).isEqualTo(2);

    bob.send("after the nap");

    assertThat(ann.texts()).containsExactly("after the nap");
    assertThat(bob.texts()).containsExactly("after the nap");
  }

  @Test
  void aUserGetsASnapshotAndOthersHearTheJoin() {
    RecordingSocket alice = room.connect("/?user=alice");
    assertThat(alice.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"snapshot\"", "\"user\":\"alice\"");

    RecordingSocket bob = room.connect("/?user=bob");

    assertThat(bob.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"snapshot\"", "\"user\":\"alice\"", "\"user\":\"bob\"");
    assertThat(alice.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"join\"", "\"user\":\"bob\"");
  }

  @Test
  void membersWithoutAUserSeeOnlyChatText() {
    RecordingSocket lurker = room.connect("/");
    RecordingSocket alice = room.connect("/?user=alice");

    alice.send("hi");

    assertThat(lurker.texts()).containsExactly("hi");
  }

  @Test
  void aLeavingUserIsRememberedForTheGracePeriodAndMayComeBackQuietly() {
    RecordingSocket alice = room.connect("/?user=alice");
    RecordingSocket bob = room.connect("/?user=bob");
    alice.takeTexts();
    bob.takeTexts();

    alice.close(1001, "reload");

    assertThat(room.storedKeys()).containsExactly(Presence.PREFIX + "alice");
    assertThat(room.alarm()).isPresent();
    assertThat(bob.takeTexts()).isEmpty();

    RecordingSocket aliceAgain = room.connect("/?user=alice");

    assertThat(room.storedKeys()).isEmpty();
    assertThat(aliceAgain.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"snapshot\"", "\"user\":\"alice\"", "\"user\":\"bob\"");
    assertThat(bob.takeTexts()).as("no leave/join flicker").isEmpty();
  }

  @Test
  void aUserWhoDoesNotComeBackLeavesOnceTheGracePeriodIsOver() {
    RecordingSocket alice = room.connect("/?user=alice");
    RecordingSocket bob = room.connect("/?user=bob");
    alice.takeTexts();
    bob.takeTexts();
    alice.close(1006, "gone");

    harness.advance(Duration.ofMillis(2_900));
    assertThat(bob.takeTexts()).as("within the 3 s grace period").isEmpty();

    harness.advance(Duration.ofMillis(200));
    assertThat(bob.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"leave\"", "\"user\":\"alice\"");
    assertThat(room.storedKeys()).isEmpty();
  }

  @Test
  void usersWhoLeaveOneSecondApartAreEachAnnouncedWhenTheirGracePeriodEnds() {
    RecordingSocket alice = room.connect("/?user=alice");
    RecordingSocket bob = room.connect("/?user=bob");
    RecordingSocket carol = room.connect("/?user=carol");
    alice.close(1006, "gone");
    harness.advance(Duration.ofSeconds(1));
    bob.close(1006, "gone");
    carol.takeTexts();

    harness.advance(Duration.ofSeconds(2));
    assertThat(carol.takeTexts()).singleElement().asString().contains("\"user\":\"alice\"");
    assertThat(room.alarm())
        .as("the alarm that announced alice re-armed for bob")
        .contains(harness.now().plusSeconds(1));
    harness.advance(Duration.ofSeconds(1));
    assertThat(carol.takeTexts())
        .singleElement()
        .asString()
        .contains("\"event\":\"leave\"", "\"user\":\"bob\"");
  }

  @Test
  void eachUserIsTiedToTheSocketTheyJoinedWith() {
    RecordingSocket alice = room.connect("/?user=alice");
    RecordingSocket bob = room.connect("/?user=bob");
    RecordingSocket carol = room.connect("/?user=carol");

    bob.close(1000, "bye");

    assertThat(room.storedKeys())
        .as("the pending leave names the user of the closed socket")
        .containsExactly(Presence.PREFIX + "bob");
    assertThat(alice.takeTexts())
        .as("alice: her snapshot, then bob and carol join; no leave within the grace period")
        .hasSize(3)
        .noneMatch(text -> text.contains("\"event\":\"leave\""));
  }
}
