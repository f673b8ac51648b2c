package dev.outpost.samples.playback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.Request;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The room on the harness's manual clock, from a fixed start, with a one-minute media: every
 * position and server time below is exact.
 */
class PlaybackRoomTest {

  private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  private static final long T = START.toEpochMilli();
  private static final long LENGTH = 60_000;

  private final ObjectHarness harness =
      ObjectHarness.builder()
          .namespace("playback", PlaybackRoom.class)
          .setting("playback.length-ms", Long.toString(LENGTH))
          .start(START)
          .build();
  private final ObjectUnderTest room = harness.object("movie-night");

  @AfterEach
  void close() {
    harness.close();
  }

  private static String state(
      String cause,
      String by,
      boolean playing,
      long positionMs,
      long atServerMs,
      double rate,
      long version,
      long serverMs) {
    return "{\"type\":\"state\",\"cause\":\""
        + cause
        + "\",\"by\":"
        + (by == null ? "null" : "\"" + by + "\"")
        + ",\"playing\":"
        + playing
        + ",\"positionMs\":"
        + positionMs
        + ",\"atServerMs\":"
        + atServerMs
        + ",\"rate\":"
        + rate
        + ",\"lengthMs\":"
        + LENGTH
        + ",\"version\":"
        + version
        + ",\"serverMs\":"
        + serverMs
        + "}";
  }

  private long now() {
    return harness.now().toEpochMilli();
  }

  /** The sockets' texts that are not presence events. */
  private static java.util.List<String> states(RecordingSocket socket) {
    return socket.takeTexts().stream().filter(t -> !t.contains("\"presence\"")).toList();
  }

  @Test
  void aViewerGetsTheStateOnConnectingAndAGetAnswersIt() {
    harness.advance(Duration.ofSeconds(5));
    RecordingSocket ann = room.connect("/");

    assertThat(ann.takeTexts())
        .containsExactly(state("snapshot", null, false, 0, T + 5000, 1.0, 0, T + 5000));
    assertThat(room.get("/").bodyText())
        .isEqualTo(state("snapshot", null, false, 0, now(), 1.0, 0, now()));
    assertThat(room.post("/", "").status()).isEqualTo(405);
  }

  @Test
  void playPauseAndSeekReachEveryViewerWithTheServerTimeAndWhoDidIt() {
    RecordingSocket ann = room.connect("/?user=ann");
    RecordingSocket bob = room.connect("/?user=bob");
    states(ann);
    states(bob);

    ann.send("{\"type\":\"play\"}");
    harness.advance(Duration.ofMillis(12_345));
    bob.send("{\"type\":\"pause\"}");
    harness.advance(Duration.ofSeconds(3));
    bob.send("{ \"type\" : \"seek\", \"positionMs\" : 40000 }");
    ann.send("{\"type\":\"play\"}");
    harness.advance(Duration.ofSeconds(2));

    var expected =
        new String[] {
          state("play", "ann", true, 0, T, 1.0, 1, T),
          state("pause", "bob", false, 12_345, T + 12_345, 1.0, 2, T + 12_345),
          state("seek", "bob", false, 40_000, T + 15_345, 1.0, 3, T + 15_345),
          state("play", "ann", true, 40_000, T + 15_345, 1.0, 4, T + 15_345)
        };
    assertThat(states(ann)).containsExactly(expected);
    assertThat(states(bob)).containsExactly(expected);
    assertThat(room.get("/").bodyText())
        .isEqualTo(state("snapshot", null, true, 40_000, T + 15_345, 1.0, 4, T + 17_345));
  }

  @Test
  void aTimeRequestIsAnsweredAtOnceWithItsT0EchoedExactlyAndTheServerClock() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");
    ann.takeTexts();
    bob.takeTexts();
    harness.advance(Duration.ofMillis(777));

    ann.send("{\"type\":\"time\",\"t0\":1893455997123.456}");
    ann.send("{\"type\":\"time\",\"t0\":-5}");

    assertThat(ann.takeTexts())
        .containsExactly(
            "{\"type\":\"time\",\"t0\":1893455997123.456,\"server\":" + (T + 777) + "}",
            "{\"type\":\"time\",\"t0\":-5,\"server\":" + (T + 777) + "}");
    assertThat(bob.takeTexts()).isEmpty();
    assertThat(room.storedKeys()).isEmpty();
  }

  @Test
  void aCommandWithAnObjectOrArrayInsideIsRefused() {
    RecordingSocket ann = room.connect("/");
    ann.takeTexts();

    ann.send("{\"type\":\"seek\",\"positionMs\":[1]}");
    ann.send("[{\"type\":\"play\"}]");

    assertThat(ann.takeTexts())
        .hasSize(2)
        .allSatisfy(
            t ->
                assertThat(t)
                    .contains(
                        "a command is one JSON object of strings, numbers, booleans and nulls"));
    assertThat(room.storedKeys()).isEmpty();
  }

  @Test
  void badCommandsAreRefusedToTheirSenderAndChangeNothing() {
    RecordingSocket ann = room.connect("/");
    RecordingSocket bob = room.connect("/");
    ann.send("{\"type\":\"play\"}");
    ann.takeTexts();
    bob.takeTexts();

    ann.send("play");
    ann.send("{\"type\":\"play\"");
    ann.send("{\"positionMs\":5}");
    ann.send("{\"type\":\"rewind\"}");
    ann.send("{\"type\":\"play\"}");
    ann.send("{\"type\":\"seek\",\"positionMs\":-1}");
    ann.send("{\"type\":\"seek\",\"positionMs\":60001}");
    ann.send("{\"type\":\"seek\",\"positionMs\":1.5}");
    ann.send("{\"type\":\"seek\",\"positionMs\":\"10\"}");
    ann.send("{\"type\":\"seek\"}");
    ann.send("{\"type\":\"seek\",\"positionMs\":1e999999}");
    ann.send("{\"type\":\"seek\",\"positionMs\":10,\"extra\":true}");
    ann.send("{\"type\":\"rate\",\"rate\":5}");
    ann.send("{\"type\":\"time\"}");
    ann.send("{\"type\":\"time\",\"t0\":1e300}");
    ann.send("{\"type\":\"pause\",\"type\":\"play\"}");
    String tooLong =
        "{\"type\":\"seek\",\"positionMs\":" + "1".repeat(PlaybackRoom.MAX_COMMAND) + "}";
    ann.send(tooLong);
    ann.send(new byte[] {1, 2});

    assertThat(ann.takeTexts())
        .satisfiesExactly(
            t -> assertThat(t).contains("\"op\":\"?\"", "malformed JSON: ", "at character 0"),
            t ->
                assertThat(t)
                    .contains("malformed JSON: expected ',' or '}' in an object at character 14"),
            t -> assertThat(t).contains("a command is an object with a string \\\"type\\\""),
            t -> assertThat(t).contains("\"op\":\"rewind\"", "unknown command \\\"rewind\\\""),
            t -> assertThat(t).contains("\"op\":\"play\"", "already playing"),
            t -> assertThat(t).contains("whole number of milliseconds 0..60000", "not -1"),
            t -> assertThat(t).contains("not 60001"),
            t -> assertThat(t).contains("not 1.5"),
            t -> assertThat(t).contains("not \\\"10\\\""),
            t -> assertThat(t).contains("not null"),
            t -> assertThat(t).contains("not 1E+999999"),
            t -> assertThat(t).contains("seek has no member \\\"extra\\\"; it takes positionMs"),
            t -> assertThat(t).contains("a number 0.25..4.0, not 5"),
            t -> assertThat(t).contains("\"op\":\"time\"", "time needs \\\"t0\\\""),
            t -> assertThat(t).contains("magnitude at most 2^53"),
            t -> assertThat(t).contains("member \\\"type\\\" appears twice at character 16"),
            t ->
                assertThat(t).contains("at most 1024 characters; this one has " + tooLong.length()),
            t -> assertThat(t).contains("commands are JSON text"));
    assertThat(bob.takeTexts()).isEmpty();
    assertThat(room.stored("playback", PlaybackRoom.Playback.class))
        .contains(new PlaybackRoom.Playback(true, 0, T, 1.0, LENGTH, 1));
  }

  @Test
  void playingPastTheEndPausesThereAndPlayStartsOver() {
    RecordingSocket ann = room.connect("/");
    ann.send("{\"type\":\"seek\",\"positionMs\":50000}");
    ann.send("{\"type\":\"play\"}");
    ann.takeTexts();
    assertThat(room.alarm()).contains(START.plusSeconds(10));

    harness.advance(Duration.ofMillis(9_999));
    assertThat(ann.takeTexts()).isEmpty();
    harness.advance(Duration.ofSeconds(5));
    ann.send("{\"type\":\"pause\"}");
    ann.send("{\"type\":\"play\"}");

    assertThat(ann.takeTexts())
        .containsExactly(
            state("end", null, false, LENGTH, T + 10_000, 1.0, 3, T + 10_000),
            "{\"type\":\"rejected\",\"op\":\"pause\",\"reason\":\"already paused\"}",
            state("play", null, true, 0, T + 14_999, 1.0, 4, T + 14_999));
    assertThat(room.alarm()).contains(Instant.ofEpochMilli(T + 14_999 + LENGTH));
  }

  @Test
  void seekingBackWhilePlayingMovesTheEndAndTheEarlierAlarmReArmsForIt() {
    RecordingSocket ann = room.connect("/");
    ann.send("{\"type\":\"play\"}");
    harness.advance(Duration.ofSeconds(30));
    ann.send("{\"type\":\"seek\",\"positionMs\":0}");
    ann.takeTexts();

    harness.advance(Duration.ofSeconds(30));
    assertThat(ann.takeTexts()).isEmpty();
    assertThat(room.alarm()).contains(START.plusSeconds(90));
    harness.advance(Duration.ofSeconds(30));

    assertThat(ann.takeTexts())
        .containsExactly(state("end", null, false, LENGTH, T + 90_000, 1.0, 3, T + 90_000));
  }

  @Test
  void seekingToTheEndWhilePlayingPausesThere() {
    RecordingSocket ann = room.connect("/");
    ann.send("{\"type\":\"play\"}");
    ann.send("{\"type\":\"seek\",\"positionMs\":60000}");

    assertThat(ann.takeTexts()).last().isEqualTo(state("seek", null, false, LENGTH, T, 1.0, 2, T));
  }

  @Test
  void theRateScalesTheMovementAndTheEnd() {
    RecordingSocket ann = room.connect("/");
    ann.send("{\"type\":\"play\"}");
    harness.advance(Duration.ofSeconds(10));
    ann.send("{\"type\":\"rate\",\"rate\":2}");
    harness.advance(Duration.ofSeconds(5));
    ann.send("{\"type\":\"pause\"}");
    ann.send("{\"type\":\"rate\",\"rate\":0.5}");
    ann.send("{\"type\":\"play\"}");
    harness.advance(Duration.ofSeconds(80));

    assertThat(ann.takeTexts())
        .containsExactly(
            state("snapshot", null, false, 0, T, 1.0, 0, T),
            state("play", null, true, 0, T, 1.0, 1, T),
            state("rate", null, true, 10_000, T + 10_000, 2.0, 2, T + 10_000),
            state("pause", null, false, 20_000, T + 15_000, 2.0, 3, T + 15_000),
            state("rate", null, false, 20_000, T + 15_000, 0.5, 4, T + 15_000),
            state("play", null, true, 20_000, T + 15_000, 0.5, 5, T + 15_000),
            state("end", null, false, LENGTH, T + 95_000, 0.5, 6, T + 95_000));
  }

  @Test
  void theStateSurvivesEvictionAndViewersStayConnected() {
    RecordingSocket ann = room.connect("/");
    ann.send("{\"type\":\"seek\",\"positionMs\":1234}");
    ann.send("{\"type\":\"play\"}");
    ann.takeTexts();

    assertThat(room.evict()).isTrue();
    harness.advance(Duration.ofSeconds(2));
    RecordingSocket late = room.connect("/");
    ann.send("{\"type\":\"pause\"}");

    assertThat(late.takeTexts())
        .containsExactly(
            state("snapshot", null, true, 1234, T, 1.0, 2, T + 2000),
            state("pause", null, false, 3234, T + 2000, 1.0, 3, T + 2000));
    assertThat(ann.takeTexts())
        .containsExactly(state("pause", null, false, 3234, T + 2000, 1.0, 3, T + 2000));
  }

  @Test
  void viewersSeeWhoIsHereAndALeaveAfterTheGracePeriodWhileTheEndAlarmStillFires() {
    RecordingSocket ann = room.connect("/?user=ann");
    assertThat(ann.takeTexts())
        .hasSize(2)
        .last()
        .asString()
        .startsWith("{\"type\":\"presence\",\"event\":\"snapshot\",\"members\":[{\"user\":\"ann\"");
    RecordingSocket bob = room.connect("/?user=b%C3%B6b%20jr.");
    assertThat(ann.takeTexts())
        .singleElement()
        .asString()
        .startsWith("{\"type\":\"presence\",\"event\":\"join\",\"user\":\"böb jr.\"");
    bob.takeTexts();
    ann.send("{\"type\":\"seek\",\"positionMs\":58000}");
    ann.send("{\"type\":\"play\"}");
    ann.takeTexts();

    bob.close(1000, "bye");
    assertThat(room.alarm()).contains(START.plusSeconds(2));
    harness.advance(Duration.ofSeconds(2));
    assertThat(ann.takeTexts())
        .containsExactly(state("end", null, false, LENGTH, T + 2000, 1.0, 3, T + 2000));
    assertThat(room.alarm()).contains(START.plusSeconds(PlaybackRoom.GRACE_SECONDS));
    harness.advance(Duration.ofSeconds(1));
    assertThat(ann.takeTexts())
        .containsExactly("{\"type\":\"presence\",\"event\":\"leave\",\"user\":\"böb jr.\"}");
  }

  @Test
  void badUserNamesAreRefusedBeforeTheUpgrade() {
    for (String user : new String[] {"", "a%3Cscript%3E", "x".repeat(33), "%E0%A4"}) {
      var response =
          room.fetch(
              Request.builder("GET", "/?user=" + user).header("Upgrade", "websocket").build());
      assertThat(response.status()).as(user).isEqualTo(400);
      assertThat(response.bodyText())
          .as(user)
          .containsAnyOf("a user name is 1-32", "not URL-encoded");
    }
    assertThat(harness.openSockets()).isZero();
  }
}
