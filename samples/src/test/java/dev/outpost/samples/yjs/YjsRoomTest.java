package dev.outpost.samples.yjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.samples.yjs.codec.Lib0Writer;
import dev.outpost.samples.yjs.codec.YProtocol;
import dev.outpost.samples.yjs.codec.YProtocol.AwarenessEntry;
import dev.outpost.samples.yjs.codec.YUpdates;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class YjsRoomTest {

  private final ObjectHarness harness = ObjectHarness.of("yjs", YjsRoom.class);
  private final ObjectUnderTest room = harness.object("doc-1");

  @AfterEach
  void close() {
    harness.close();
  }

  /** An update inserting {@code text} at the start of root text "t", by {@code client}. */
  private static byte[] insert(long client, long clock, String text) {
    Lib0Writer w = new Lib0Writer();
    w.writeVarUint(1).writeVarUint(1).writeVarUint(client).writeVarUint(clock);
    w.writeUint8(4).writeVarUint(1).writeVarString("t").writeVarString(text);
    return w.writeVarUint(0).toByteArray();
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static List<String> frames(RecordingSocket s) {
    List<String> out = new ArrayList<>();
    for (WebSocketMessage m : s.received()) {
      out.add(hex(m.bytes()));
    }
    return out;
  }

  private static byte[] awareness(long client, long clock, String state) {
    return YProtocol.awareness(
        YProtocol.encodeAwareness(List.of(new AwarenessEntry(client, clock, state))));
  }

  @Test
  void aNewSocketGetsSyncStep1AndAStep1IsAnsweredWithStep2() {
    RecordingSocket ann = room.connect("/");
    assertThat(frames(ann)).containsExactly("00000100"); // step 1, empty state vector

    ann.send(new byte[] {0, 0, 1, 0});

    assertThat(frames(ann)).containsExactly("00000100", "0001020000"); // step 2, empty update
  }

  @Test
  void updatesAreStoredThenRelayedToTheOthersAndALateJoinerGetsThemAll() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");
    byte[] u1 = insert(5, 0, "hello");
    byte[] u2 = insert(6, 0, "world");

    ann.send(YProtocol.sync(YProtocol.SYNC_UPDATE, u1));
    bob.send(YProtocol.sync(YProtocol.SYNC_STEP2, u2));

    assertThat(frames(bob)).contains(hex(YProtocol.sync(YProtocol.SYNC_UPDATE, u1)));
    assertThat(frames(ann)).contains(hex(YProtocol.sync(YProtocol.SYNC_UPDATE, u2)));
    assertThat(frames(ann)).doesNotContain(hex(YProtocol.sync(YProtocol.SYNC_UPDATE, u1)));
    assertThat(room.storedKeys()).anyMatch(k -> k.startsWith("log/"));
    ann.close(1000, "");
    bob.close(1000, "");
    room.evict();

    RecordingSocket late = room.connect("/");
    late.send(new byte[] {0, 0, 1, 0});

    byte[] whole = YUpdates.merge(List.of(u1, u2));
    assertThat(frames(late))
        .containsExactly(
            hex(YProtocol.sync(YProtocol.SYNC_STEP1, YUpdates.stateVector(whole))),
            hex(YProtocol.sync(YProtocol.SYNC_STEP2, whole)));
    assertThat(room.get("/").body()).isEqualTo(whole);
  }

  @Test
  void theLogIsCompactedAndValuesStayWithinTheChunkSize() {
    RecordingSocket ann = room.connect("/");
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < YjsRoom.COMPACT_ENTRIES + 10; i++) {
      byte[] u = insert(9, i, "x");
      sent.add(u);
      ann.send(YProtocol.sync(YProtocol.SYNC_UPDATE, u));
    }
    byte[] big = insert(10, 0, "y".repeat(3 * YjsRoom.CHUNK_BYTES));
    ann.send(YProtocol.sync(YProtocol.SYNC_UPDATE, big));
    sent.add(big);

    List<String> keys = room.storedKeys();
    assertThat(keys.stream().filter(k -> k.startsWith("log/")).count())
        .isLessThan(YjsRoom.COMPACT_ENTRIES);
    assertThat(keys).anyMatch(k -> k.startsWith("doc/"));
    for (String k : keys) {
      assertThat(room.stored(k, byte[].class).orElseThrow().length)
          .as(k)
          .isLessThanOrEqualTo(YjsRoom.CHUNK_BYTES);
    }
    ann.close(1000, "");
    assertThat(room.storedKeys()).noneMatch(k -> k.startsWith("log/")); // compacted on leaving
    room.evict();
    assertThat(room.get("/").body()).isEqualTo(YUpdates.merge(sent));
  }

  @Test
  void awarenessIsRelayedToEveryoneKeptForJoinersAndRemovedWhenASocketDrops() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");
    byte[] annHere = awareness(77, 3, "{\"user\":\"ann\"}");

    ann.send(annHere);
    room.evict(); // hibernation keeps what each socket announced
    RecordingSocket cyd = room.connect("/");

    assertThat(frames(ann)).contains(hex(annHere)); // echoed: keeps a lone client alive
    assertThat(frames(bob)).contains(hex(annHere));
    assertThat(frames(cyd)).contains(hex(annHere)); // the snapshot on joining
    ann.drop();
    assertThat(frames(bob)).endsWith(hex(awareness(77, 3, "null")));
    assertThat(frames(cyd)).endsWith(hex(awareness(77, 3, "null")));
  }

  @Test
  void aJoinerGetsEachClientsLatestCursorStateVerbatimAndNotOnceItSaidGoodbye() {
    // The doc page's awareness: {user:{name,color}, cursor:{anchor,head}} as y-protocols sends it,
    // the cursor as Yjs relative positions (JSON); each move is a new state with a higher clock.
    RecordingSocket ben = room.connect("/");
    RecordingSocket zoe = room.connect("/");
    String user = "\"user\":{\"name\":\"ben\",\"color\":\"hsl(350 65% 42%)\"}";
    String first = "{" + user + "}";
    String moved =
        "{"
            + user
            + ",\"cursor\":{\"anchor\":{\"type\":null,\"tname\":\"text\",\"item\":{\"client\":7,"
            + "\"clock\":26},\"assoc\":0},\"head\":{\"type\":null,\"tname\":\"text\",\"item\":"
            + "{\"client\":7,\"clock\":33},\"assoc\":0}}}";
    String zoeHere = "{\"user\":{\"name\":\"zoë\",\"color\":\"hsl(31 65% 42%)\"}}";

    ben.send(awareness(7, 1, first));
    ben.send(awareness(7, 2, moved));
    zoe.send(awareness(9, 1, zoeHere));
    RecordingSocket cy = room.connect("/");

    List<AwarenessEntry> snapshot = new ArrayList<>();
    for (WebSocketMessage m : cy.received()) {
      YProtocol.Message message = YProtocol.decode(m.bytes());
      if (message.type() == YProtocol.MESSAGE_AWARENESS) {
        snapshot.addAll(YProtocol.decodeAwareness(message.payload()));
      }
    }
    assertThat(snapshot)
        .containsExactlyInAnyOrder(
            new AwarenessEntry(7, 2, moved), new AwarenessEntry(9, 1, zoeHere));

    ben.send(awareness(7, 3, "null")); // y-websocket's goodbye when its page unloads
    ben.drop();
    RecordingSocket dee = room.connect("/");
    assertThat(frames(cy)).contains(hex(awareness(7, 3, "null")));
    assertThat(frames(dee)).containsExactly("00000100", hex(awareness(9, 1, zoeHere)));
  }

  @Test
  void garbageClosesTheSocketWith1007AndStoresNothing() {
    RecordingSocket ann = room.connect("/");

    ann.send(new byte[] {0, 2, 5, 1, 1, 1});

    assertThat(ann.closedByObject()).hasValueSatisfying(c -> assertThat(c.code()).isEqualTo(1007));
    assertThat(room.storedKeys()).isEmpty();
  }
}
