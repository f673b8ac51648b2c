package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Alarms: exact timing on the manual clock, retries with backoff, persistence across restart. */
class AlarmTest {

  /** One delivery as the handler saw it. */
  record Fired(Duration at, int retryCount, String name) {}

  private final List<Fired> fired = new CopyOnWriteArrayList<>();
  private final List<Long> runsWritten = new CopyOnWriteArrayList<>();
  private volatile int failuresToInject;
  private final StorageEngine engine = StorageEngines.inMemory();
  private ObjectHarness harness = newHarness();

  private ObjectHarness newHarness() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) {
            long seconds = Long.parseLong(request.bodyText());
            if (seconds < 0) {
              state.storage().deleteAlarm();
            } else {
              state.storage().setAlarm(ObjectHarness.START.plusSeconds(seconds));
            }
            return Response.ok(String.valueOf(state.storage().getAlarm().orElse(null)));
          }

          @Override
          public void alarm(DurableObjectState state, AlarmInfo info) {
            fired.add(
                new Fired(
                    Duration.between(ObjectHarness.START, harness.time.now()),
                    info.retryCount(),
                    state.id().name().orElse("?")));
            long runs = state.storage().get("runs", Long.class).orElse(0L) + 1;
            state.storage().put("runs", runs);
            runsWritten.add(runs);
            if (failuresToInject > 0) {
              failuresToInject--;
              throw new IllegalStateException("alarm handler failure");
            }
          }
        });
    return ObjectHarness.of(RuntimeOptions.defaults(), engine, Map.of("t", Scripted.class));
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private void setAlarm(long secondsFromStart) {
    harness.post("t", "alarmed", "/", Long.toString(secondsFromStart));
  }

  private Instant alarm() {
    TurnRunner runner = new TurnRunner();
    Scripted.Behavior previous = Scripted.behavior;
    Scripted.behavior = runner;
    try {
      return runner.run(harness, "alarmed", s -> s.storage().getAlarm().orElse(null));
    } finally {
      Scripted.behavior = previous;
    }
  }

  /** Moves time one second at a time, letting each due alarm run before the next step. */
  private void advanceSeconds(int seconds) {
    for (int i = 0; i < seconds; i++) {
      harness.advance(Duration.ofSeconds(1));
    }
    harness.settle();
  }

  @Test
  void alarmFiresOnceAtItsTimeWithTheObjectsName() {
    setAlarm(30);
    advanceSeconds(29);
    assertThat(fired).as("fired before its time").isEmpty();

    advanceSeconds(1);
    assertThat(fired).containsExactly(new Fired(Duration.ofSeconds(30), 0, "alarmed"));
    assertThat(alarm()).as("a delivered alarm is cleared").isNull();

    advanceSeconds(60);
    assertThat(fired).as("alarms do not repeat").hasSize(1);
  }

  @Test
  void settingAgainReplacesAndDeletingCancels() {
    setAlarm(30);
    setAlarm(45);
    advanceSeconds(40);
    assertThat(fired).isEmpty();
    advanceSeconds(5);
    assertThat(fired).extracting(Fired::at).containsExactly(Duration.ofSeconds(45));

    setAlarm(100);
    setAlarm(-1);
    advanceSeconds(70);
    assertThat(fired).hasSize(1);
  }

  @Test
  void failingAlarmIsRetriedWithBackoffFromTwoSecondsSixTimesThenDropped() {
    failuresToInject = Integer.MAX_VALUE;
    setAlarm(10);
    advanceSeconds(10 + 2 + 4 + 8 + 16 + 32 + 64 + 100);

    assertThat(fired)
        .extracting(Fired::at, Fired::retryCount)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(10), 0),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(12), 1),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(16), 2),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(24), 3),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(40), 4),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(72), 5),
            org.assertj.core.groups.Tuple.tuple(Duration.ofSeconds(136), 6));
    failuresToInject = 0;
    assertThat(alarm()).as("dropped after 6 retries").isNull();
  }

  @Test
  void anAlarmOfAnUndeployedAppIsKeptNeitherRetriedNorDropped() {
    setAlarm(10);
    ObjectAddress object = harness.address("t", "alarmed");
    assertThat(harness.host.undeploy("embedded")).isTrue();

    advanceSeconds(10 + 200); // past every retry a failing handler would get (6, up to 128 s)

    assertThat(fired).as("no app serves the namespace: the handler never ran").isEmpty();
    assertThat(engine.alarm(object))
        .as("the alarm stays stored, as the app's other data")
        .map(StoredAlarm::time)
        .contains(ObjectHarness.START.plusSeconds(10));
  }

  @Test
  void eachFailedAttemptKeepsWhatItWrote() {
    failuresToInject = Integer.MAX_VALUE;
    setAlarm(10);
    advanceSeconds(10 + 2 + 4);

    assertThat(fired).extracting(Fired::retryCount).containsExactly(0, 1, 2);
    assertThat(runsWritten)
        .as("runs = runs + 1, then throw: each attempt sees the previous attempt's write")
        .containsExactly(1L, 2L, 3L);
    failuresToInject = 0;
    TurnRunner runner = new TurnRunner();
    Scripted.behavior = runner;
    Long stored = runner.run(harness, "alarmed", s -> s.storage().get("runs", Long.class).get());
    assertThat(stored).isEqualTo(3L);
  }

  @Test
  void retrySucceedsAndClearsTheAlarm() {
    failuresToInject = 1;
    setAlarm(5);
    advanceSeconds(5 + 2);

    assertThat(fired)
        .extracting(Fired::retryCount)
        .as("first attempt failed, first retry succeeded")
        .containsExactly(0, 1);
    assertThat(alarm()).isNull();
    advanceSeconds(30);
    assertThat(fired).hasSize(2);
  }

  @Test
  void alarmSurvivesANodeRestart() {
    setAlarm(60);
    harness.settle();
    harness.close();

    harness = newHarness(); // same engine, new host, clock back at START
    advanceSeconds(60);

    assertThat(fired).containsExactly(new Fired(Duration.ofSeconds(60), 0, "alarmed"));
  }

  @Test
  void alarmInThePastFiresAtOnce() {
    harness.advance(Duration.ofSeconds(100));
    setAlarm(50);
    harness.settle();
    harness.time.runDueTasks();
    harness.settle();
    assertThat(fired).extracting(Fired::at).containsExactly(Duration.ofSeconds(100));
  }
}
