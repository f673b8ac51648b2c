package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A stuck turn is abandoned by the watchdog; a full queue answers overloaded; others go on. */
class WatchdogAndOverloadTest {

  private final CountDownLatch hang = new CountDownLatch(1);
  private final CountDownLatch hanging = new CountDownLatch(1);
  private ObjectHarness harness;

  @BeforeEach
  void start() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) throws Exception {
            if (request.path().equals("/hang")) {
              state.storage().put("hung", "written before hanging");
              hanging.countDown();
              hang.await();
            }
            if (request.path().equals("/hung")) {
              return Response.ok(state.storage().get("hung", String.class).orElse("nothing"));
            }
            return Response.ok("served by instance " + Scripted.constructed.get());
          }
        });
    harness =
        ObjectHarness.of(
            RuntimeOptions.defaults().withMaxQueuedEvents(4),
            StorageEngines.inMemory(),
            Map.of("t", Scripted.class));
  }

  @AfterEach
  void stop() {
    hang.countDown();
    harness.close();
  }

  private CompletableFuture<Response> send(String name, String path) {
    return harness.fetchAsync("t", name, Request.builder("GET", path).path(path).build());
  }

  @Test
  void stuckTurnIsAbandonedAfterItsBudgetAndTheObjectServesAgain() throws Exception {
    CompletableFuture<Response> stuck = send("stuck", "/hang");
    assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Response> queued = send("stuck", "/next");
    assertThat(harness.get("t", "other", "/").status())
        .as("other objects unaffected")
        .isEqualTo(200);

    harness.time.advance(Duration.ofSeconds(29));
    assertThat(stuck).as("within its 30 s budget").isNotDone();
    harness.time.advance(Duration.ofSeconds(1));

    Throwable failure = catchThrowable(() -> stuck.get(10, TimeUnit.SECONDS));
    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("error id")
        .hasRootCauseMessage(
            harness.address("t", "stuck")
                + ": a turn ran longer than its budget of 30 s (outpost.object.turn-timeout) and"
                + " was abandoned");
    assertThat(queued.get(10, TimeUnit.SECONDS).bodyText())
        .as("the queued request runs on a new instance")
        .isEqualTo("served by instance 3");
    assertThat(harness.get("t", "stuck", "/hung").bodyText())
        .as("what the abandoned turn wrote (TurnFailure.TURN_TIMEOUT drops it)")
        .isEqualTo("nothing");
  }

  @Test
  void fullQueueAnswersOverloadedWithoutTouchingOtherObjects() throws Exception {
    CompletableFuture<Response> running = send("busy", "/hang");
    assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Response>> queued = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      queued.add(send("busy", "/"));
    }

    Throwable refused = catchThrowable(() -> send("busy", "/").get(10, TimeUnit.SECONDS));

    assertThat(refused.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("overloaded")
        .hasMessageContaining("outpost.object.max-queued-events");
    assertThat(((DurableObjectException) refused.getCause()).overloaded()).isTrue();
    assertThat(harness.get("t", "calm", "/").status()).isEqualTo(200);
    hang.countDown();
    assertThat(running.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    for (CompletableFuture<Response> f : queued) {
      assertThat(f.get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
    }
  }
}
