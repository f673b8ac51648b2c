package dev.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ObjectHarnessTest {

  private static final Instant START = ObjectHarness.DEFAULT_START;

  private final ObjectHarness harness =
      ObjectHarness.builder().namespace("ticker", Ticker.class).setting("greeting", "hi").build();
  private final ObjectUnderTest ticker = harness.object("t");

  @AfterEach
  void close() {
    harness.close();
  }

  private long fired() {
    return ticker.stored("fired", Long.class).orElse(0L);
  }

  @Test
  void anAlarmFiresWhenTheClockPassesItsTime() {
    ticker.post("/arm", START.plusSeconds(30).toString());
    assertThat(ticker.alarm()).contains(START.plusSeconds(30));

    harness.advance(Duration.ofSeconds(29));
    assertThat(fired()).isZero();

    harness.advance(Duration.ofSeconds(1));
    assertThat(fired()).isEqualTo(1);
    assertThat(ticker.alarm()).isEmpty();
    assertThat(harness.now()).isEqualTo(START.plusSeconds(30));
  }

  @Test
  void advanceFiresTheAlarmsThatAlarmsSetOnTheWay() {
    ticker.post("/ticks", "3");
    ticker.post("/arm", START.plusSeconds(10).toString());

    harness.advance(Duration.ofMinutes(1));

    assertThat(fired()).isEqualTo(3);
    assertThat(ticker.alarm()).isEmpty();
    assertThat(ticker.stored("next", String.class)).contains(START.plusSeconds(30).toString());
    assertThat(harness.now()).isEqualTo(START.plusSeconds(60));
  }

  @Test
  void runAlarmRunsTheHandlerNowAndOnlyOnce() {
    ticker.post("/arm", START.plus(Duration.ofHours(1)).toString());

    assertThat(ticker.runAlarm()).isTrue();
    assertThat(fired()).isEqualTo(1);
    assertThat(harness.now()).isEqualTo(START);
    assertThat(ticker.alarm()).isEmpty();
    assertThat(ticker.runAlarm()).isFalse();

    harness.advance(Duration.ofHours(2));
    assertThat(fired()).as("the timer was cancelled").isEqualTo(1);
  }

  @Test
  void anIdleObjectIsEvictedByTheClockAndItsStorageStays() {
    ticker.post("/ticks", "5");
    assertThat(harness.activeObjects()).isEqualTo(1);

    harness.advance(harness.host().options().idleTimeout());

    assertThat(ticker.isActive()).isFalse();
    assertThat(ticker.stored("ticks", Long.class)).contains(5L);
    assertThat(ticker.storedKeys()).containsExactly("ticks");
  }

  @Test
  void socketsRecordWhatTheObjectSendsAndSurviveEviction() {
    RecordingSocket socket = ticker.connect("/");
    socket.send("one");
    assertThat(ticker.evict()).isTrue();
    socket.send("two");

    assertThat(socket.texts()).containsExactly("echo one", "echo two");
    assertThat(socket.takeTexts()).containsExactly("echo one", "echo two");
    assertThat(socket.takeTexts()).isEmpty();
    assertThat(socket.isOpen()).isTrue();
  }

  @Test
  void aCloseByTheObjectIsRecorded() {
    RecordingSocket socket = ticker.connect("/");

    socket.send("close");

    assertThat(socket.closedByObject()).contains(new RecordingSocket.Close(4000, "asked to"));
    assertThat(socket.isOpen()).isFalse();
    assertThat(harness.openSockets()).isZero();
  }

  @Test
  void aClientCloseReachesTheObject() {
    RecordingSocket socket = ticker.connect("/");

    socket.close(1000, "done");

    assertThat(harness.openSockets()).isZero();
    assertThat(socket.isOpen()).isFalse();
  }

  @Test
  void aRefusedUpgradeFailsWithTheObjectsAnswer() {
    assertThatThrownBy(() -> ticker.connect("/?refuse"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("status 403")
        .hasMessageContaining("no sockets today");
  }

  @Test
  void aFailingAlarmKeepsEachRunsWriteAcrossItsRetries() {
    try (ObjectHarness flaky = ObjectHarness.of("flaky", FlakyAlarm.class)) {
      ObjectUnderTest object = flaky.object("f");
      object.post("/", START.plusSeconds(10).toString());

      flaky.advance(Duration.ofSeconds(10));
      assertThat(object.stored("runs", Long.class)).as("after the first run").contains(1L);
      flaky.advance(Duration.ofSeconds(2));
      assertThat(object.stored("runs", Long.class)).as("after the first retry").contains(2L);
      flaky.advance(Duration.ofSeconds(4));
      assertThat(object.stored("runs", Long.class)).as("after the second retry").contains(3L);
      assertThat(object.alarm()).as("still set for the next retry").contains(START.plusSeconds(10));
    }
  }

  @Test
  void anObjectMayCloseASocketWithInternalError() {
    RecordingSocket socket = ticker.connect("/");

    socket.send("fail");

    assertThat(socket.closedByObject()).contains(new RecordingSocket.Close(1011, "internal error"));
  }

  @Test
  void whatTheObjectThrowsComesBackAsARemoteFailure() {
    assertThatThrownBy(() -> ticker.post("/throw", ""))
        .isInstanceOfSatisfying(DurableObjectException.class, e -> assertThat(e.remote()).isTrue());
  }

  @Test
  void settingsReachTheObject() {
    assertThat(ticker.get("/setting").bodyText()).isEqualTo("hi");
  }

  @Test
  void aHarnessOfSeveralNamespacesWantsTheNamespaceNamed() {
    try (ObjectHarness two =
        ObjectHarness.builder().namespace("a", Ticker.class).namespace("b", Ticker.class).build()) {
      assertThatThrownBy(() -> two.object("x"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("object(namespace, name)");
      assertThatThrownBy(() -> two.object("c", "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unknown namespace 'c'");
      assertThat(two.object("b", "x").get("/").bodyText()).isEqualTo("0");
    }
  }
}
