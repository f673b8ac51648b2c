package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the object host records into the registry it is given: turns with their durations (on the
 * registry's mock clock, moved by the object's own code), activations, evictions, commits with
 * their batch sizes, overloads and queue depth, alarms fired, retried and abandoned, and refused
 * code versions.
 */
class MetricsTest {

  private final MockClock clock = new MockClock();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
  private final CountDownLatch hang = new CountDownLatch(1);
  private final CountDownLatch hanging = new CountDownLatch(1);
  private ObjectHarness harness;

  private ObjectHarness start(RuntimeOptions options) {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) throws Exception {
            clock.add(Duration.ofMillis(2)); // every turn takes 2 ms on the registry's clock
            switch (request.path()) {
              case "/put" -> state.storage().put("k", request.bodyText());
              case "/throw" -> throw new IllegalStateException("refused");
              case "/hang" -> {
                hanging.countDown();
                hang.await();
              }
              case "/alarm" -> state.storage().setAlarm(ObjectHarness.START.plusSeconds(10));
              default -> {}
            }
            return Response.ok("ok");
          }

          @Override
          public void alarm(DurableObjectState state, AlarmInfo info) {
            throw new IllegalStateException("alarm handler failure " + info.retryCount());
          }
        });
    harness =
        new ObjectHarness(
            options,
            StorageEngines.inMemory(),
            new ManualTimeSource(ObjectHarness.START),
            Map.of("t", Scripted.class),
            registry);
    return harness;
  }

  @AfterEach
  void stop() {
    hang.countDown();
    if (harness != null) {
      harness.close();
    }
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counter().count();
  }

  @Test
  void turnsActivationsCommitsAndEvictionsAreCounted() {
    start(RuntimeOptions.defaults());
    for (int i = 0; i < 3; i++) {
      assertThat(harness.post("t", "a", "/put", "value-" + i).status()).isEqualTo(200);
    }
    harness.settle();

    assertThat(counter("outpost.turns", "namespace", "t", "outcome", "ok")).isEqualTo(3);
    var turns = registry.get("outpost.turn.duration").tags("namespace", "t").timer();
    assertThat(turns.count()).isEqualTo(3);
    assertThat(turns.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(6.0);
    assertThat(counter("outpost.activations", "namespace", "t")).isEqualTo(1);
    var commits = registry.get("outpost.storage.commit").timer();
    assertThat(commits.count()).as("one commit per request: each waits for its own").isEqualTo(3);
    var entries = registry.get("outpost.storage.commit.batch.entries").summary();
    assertThat(entries.totalAmount()).as("one write per batch").isEqualTo(3);
    assertThat(registry.get("outpost.storage.commit.batch").summary().totalAmount())
        .as("key and value bytes: 'k' (as stored) and each JSON value")
        .isPositive();
    assertThat(registry.get("outpost.objects.active").gauge().value()).isEqualTo(1);

    assertThat(harness.host.evictForTest(harness.address("t", "a"))).isTrue();
    assertThat(counter("outpost.evictions", "namespace", "t")).isEqualTo(1);
    assertThat(registry.get("outpost.objects.active").gauge().value()).isZero();

    Throwable failed = catchThrowable(() -> harness.get("t", "a", "/throw"));
    assertThat(failed).hasMessageContaining("IllegalStateException");
    assertThat(counter("outpost.turns", "namespace", "t", "outcome", "failed")).isEqualTo(1);
    assertThat(counter("outpost.activations", "namespace", "t"))
        .as("constructed again after the eviction")
        .isEqualTo(2);
    assertThat(counter("outpost.storage.commit.failures")).isZero();
  }

  @Test
  void aFullQueueCountsAnOverloadAndShowsInTheQueueGauges() throws Exception {
    start(RuntimeOptions.defaults().withMaxQueuedEvents(2));
    CompletableFuture<Response> running =
        harness.fetchAsync("t", "busy", Request.builder("GET", "/hang").path("/hang").build());
    assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Response>> queued = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      queued.add(harness.fetchAsync("t", "busy", Request.builder("GET", "/").path("/").build()));
    }
    assertThat(registry.get("outpost.object.queue.events").gauge().value()).isEqualTo(2);
    assertThat(registry.get("outpost.object.queue.max.events").gauge().value()).isEqualTo(2);

    Throwable refused =
        catchThrowable(
            () ->
                harness
                    .fetchAsync("t", "busy", Request.builder("GET", "/").path("/").build())
                    .get(10, TimeUnit.SECONDS));
    assertThat(((DurableObjectException) refused.getCause()).overloaded()).isTrue();
    assertThat(counter("outpost.overloaded", "namespace", "t")).isEqualTo(1);

    hang.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    for (CompletableFuture<Response> f : queued) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
    harness.settle();
    assertThat(registry.get("outpost.object.queue.events").gauge().value()).isZero();
    assertThat(counter("outpost.overloaded", "namespace", "t")).isEqualTo(1);
  }

  @Test
  void aRefusedCodeVersionIsCountedAsARejectedReload(@TempDir Path dir) {
    start(RuntimeOptions.defaults());
    assertThat(counter("outpost.code.reloads", "result", "rejected")).isZero();

    Throwable refused =
        catchThrowable(() -> harness.host.prepare(dir.resolve("missing.jar"), "2-test"));

    assertThat(refused).isInstanceOf(BundleRejectedException.class);
    assertThat(counter("outpost.code.reloads", "result", "rejected")).isEqualTo(1);
    assertThat(counter("outpost.code.reloads", "result", "activated")).isZero();
  }

  @Test
  void aFailingAlarmIsCountedFiredSevenTimesRetriedSixAndAbandonedOnce() {
    start(RuntimeOptions.defaults());
    harness.post("t", "alarmed", "/alarm", "");
    // Due at 10 s; retries after 2, 4, 8, 16, 32 and 64 s; then dropped.
    for (int second = 0; second < 10 + 2 + 4 + 8 + 16 + 32 + 64 + 10; second++) {
      harness.advance(Duration.ofSeconds(1));
    }
    harness.settle();

    assertThat(counter("outpost.alarms.fired", "namespace", "t")).isEqualTo(7);
    assertThat(counter("outpost.alarms.retried", "namespace", "t")).isEqualTo(6);
    assertThat(counter("outpost.alarms.abandoned", "namespace", "t")).isEqualTo(1);
    assertThat(counter("outpost.turns", "namespace", "t", "outcome", "failed")).isEqualTo(7);
  }
}
