package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.WriteOptions;
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

/** The output gate and write coalescing of docs/design.md §3, observed through a gated engine. */
class OutputGateTest {

  private final GatedEngine engine = new GatedEngine();
  private ObjectHarness harness;

  @BeforeEach
  void start() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) {
            if (request.isWebSocketUpgrade()) {
              return state.acceptWebSocket(request, "all");
            }
            switch (request.path()) {
              case "/incr" -> {
                long next = state.storage().get("n", Long.class).orElse(0L) + 1;
                state.storage().put("n", next);
                return Response.ok(Long.toString(next));
              }
              case "/three" -> {
                state.storage().put("a", 1);
                state.storage().put("b", 2);
                state.storage().put("c", 3);
                return Response.ok("3");
              }
              case "/unconfirmed" -> {
                state.storage().put("u", 1, WriteOptions.unconfirmed());
                return Response.ok("u");
              }
              case "/read" -> {
                return Response.ok(state.storage().get("n", Long.class).orElse(0L).toString());
              }
              case "/fail-after-write" -> {
                state.storage().put("n", 999L);
                throw new IllegalStateException("boom");
              }
              case "/block-concurrency-fails" -> {
                state.storage().put("n", 500L);
                try {
                  state.blockConcurrencyWhile(
                      () -> {
                        throw new IllegalStateException("migration failed");
                      });
                } catch (Exception caught) {
                  return Response.ok("caught " + caught.getMessage());
                }
                return Response.ok("not reached");
              }
              case "/vm-error" -> {
                state.storage().put("n", 777L);
                throw new OutOfMemoryError("simulated by a test object");
              }
              case "/stack-overflow" -> {
                state.storage().put("n", 888L);
                throw new StackOverflowError("simulated by a test object");
              }
              case "/last" -> {
                return Response.ok(state.storage().get("last", String.class).orElse("none"));
              }
              default -> {
                return Response.text(404, "no " + request.path());
              }
            }
          }

          @Override
          public void message(
              DurableObjectState state, HibernatableWebSocket ws, WebSocketMessage m) {
            state.storage().put("last", m.text());
            if (m.text().equals("broadcast")) {
              String shared = "to all";
              ws.send("first");
              for (HibernatableWebSocket peer : state.getWebSockets()) {
                peer.send(shared);
              }
              ws.send("last");
              return;
            }
            for (HibernatableWebSocket peer : state.getWebSockets()) {
              peer.send("echo:" + m.text());
            }
            if (m.text().startsWith("throw")) {
              throw new IllegalStateException("handler failed after writing and sending");
            }
          }
        });
    harness = ObjectHarness.of(RuntimeOptions.defaults(), engine, Map.of("t", Scripted.class));
  }

  @AfterEach
  void stop() {
    engine.release();
    harness.close();
  }

  @Test
  void responseWaitsUntilTheWriteIsDurable() throws Exception {
    CountDownLatch arrived = engine.holdCommits();
    CompletableFuture<Response> response =
        harness.fetchAsync("t", "gate", Request.builder("POST", "/incr").path("/incr").build());

    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("commit reached the engine").isTrue();
    Thread.sleep(200); // a "nothing happens" wait: the response must still be held
    assertThat(response).as("response while the commit is held").isNotDone();

    engine.release();
    assertThat(response.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
    assertThat(engine.commits).hasSize(1);
  }

  @Test
  void socketSendWaitsUntilTheWriteIsDurable() throws Exception {
    RecordingConnection ws = harness.connect("t", "room");
    harness.settle();
    CountDownLatch arrived = engine.holdCommits();
    harness.host.socketMessage(ws, WebSocketMessage.text("hi"));

    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ws.staysQuiet(Duration.ofMillis(200))).as("send held behind the commit").isTrue();
    engine.release();
    assertThat(ws.nextText()).isEqualTo("echo:hi");
  }

  @Test
  void aHeldBroadcastKeepsEachSocketsOrderAndSkipsASocketClosedMeanwhile() throws Exception {
    RecordingConnection a = harness.connect("t", "broadcast");
    RecordingConnection b = harness.connect("t", "broadcast");
    RecordingConnection c = harness.connect("t", "broadcast");
    harness.settle();
    CountDownLatch arrived = engine.holdCommits();
    harness.host.socketMessage(a, WebSocketMessage.text("broadcast"));

    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("commit reached the engine").isTrue();
    harness.host.socketClosed(c, 1000, "bye", true);
    assertThat(b.staysQuiet(Duration.ofMillis(200)))
        .as("broadcast held behind the commit")
        .isTrue();
    engine.release();

    assertThat(a.nextText()).isEqualTo("first");
    assertThat(a.nextText()).isEqualTo("to all");
    assertThat(a.nextText()).isEqualTo("last");
    assertThat(b.nextText()).isEqualTo("to all");
    assertThat(c.staysQuiet(Duration.ofMillis(200))).as("closed before the release").isTrue();
    assertThat(a.staysQuiet(Duration.ofMillis(200))).as("nothing more for the sender").isTrue();
    assertThat(b.staysQuiet(Duration.ofMillis(200))).as("the broadcast once").isTrue();
  }

  @Test
  void unconfirmedWriteDoesNotHoldTheResponse() throws Exception {
    CountDownLatch arrived = engine.holdCommits();
    CompletableFuture<Response> response =
        harness.fetchAsync(
            "t", "u", Request.builder("POST", "/unconfirmed").path("/unconfirmed").build());

    assertThat(response.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("u");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("the write is still committed").isTrue();
    engine.release();
    harness.settle();
    assertThat(engine.commits).hasSize(1);
  }

  @Test
  void writesOfOneTurnAreOneBatch() {
    harness.post("t", "batch", "/three", "");
    harness.settle();

    assertThat(engine.commits).hasSize(1);
    assertThat(engine.commits.get(0).mutations()).hasSize(3);
  }

  @Test
  void queuedTurnsShareOneCommitAndEachSeesThePreviousWrites() throws Exception {
    CountDownLatch arrived = engine.holdCommits();
    List<CompletableFuture<Response>> first =
        List.of(
            harness.fetchAsync(
                "t", "group", Request.builder("POST", "/incr").path("/incr").build()));
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Response>> queued = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      queued.add(
          harness.fetchAsync("t", "group", Request.builder("POST", "/incr").path("/incr").build()));
    }
    engine.release();

    List<String> answers = new ArrayList<>();
    for (CompletableFuture<Response> f : first) {
      answers.add(f.get(10, TimeUnit.SECONDS).bodyText());
    }
    for (CompletableFuture<Response> f : queued) {
      answers.add(f.get(10, TimeUnit.SECONDS).bodyText());
    }
    harness.settle();
    assertThat(answers)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, 51).mapToObj(Integer::toString).toList());
    assertThat(engine.commits.size())
        .as("51 turns queued behind one held commit are grouped")
        .isBetween(2, 3);
  }

  @Test
  void failedCommitDropsTheResponseAndResetsTheObject() throws Exception {
    harness.post("t", "fail", "/incr", "");
    harness.settle();
    int constructedBefore = Scripted.constructed.get();
    engine.failNextCommits(1);

    Throwable failure =
        catchThrowable(
            () ->
                harness
                    .fetchAsync("t", "fail", Request.builder("POST", "/incr").path("/incr").build())
                    .get(10, TimeUnit.SECONDS));

    assertThat(failure).isInstanceOf(ExecutionException.class);
    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("storage commit failed");
    assertThat(((DurableObjectException) failure.getCause()).retryable()).isTrue();
    assertThat(harness.get("t", "fail", "/read").bodyText())
        .as("the unconfirmed increment is gone")
        .isEqualTo("1");
    assertThat(Scripted.constructed.get()).as("a new instance").isEqualTo(constructedBefore + 1);
  }

  @Test
  void throwingTurnKeepsItsWritesAndItsErrorWaitsUntilTheyAreDurable() throws Exception {
    harness.post("t", "throw", "/incr", "");
    harness.settle();
    CountDownLatch arrived = engine.holdCommits();
    CompletableFuture<Response> failing =
        harness.fetchAsync(
            "t",
            "throw",
            Request.builder("POST", "/fail-after-write").path("/fail-after-write").build());

    assertThat(arrived.await(10, TimeUnit.SECONDS))
        .as("the thrown turn's write is committed")
        .isTrue();
    Thread.sleep(200); // a "nothing happens" wait: the error must be held like a response
    assertThat(failing).as("error while the write is held").isNotDone();
    engine.release();

    Throwable failure = catchThrowable(() -> failing.get(10, TimeUnit.SECONDS));
    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("IllegalStateException")
        .hasMessageContaining("error id");
    assertThat(((DurableObjectException) failure.getCause()).remote()).isTrue();
    assertThat(engine.commits.getLast().mutations()).hasSize(1);
    assertThat(harness.get("t", "throw", "/read").bodyText())
        .as("the write made before the exception")
        .isEqualTo("999");
    assertThat(Scripted.constructed.get()).as("a user exception keeps the instance").isEqualTo(1);
  }

  @Test
  void throwingTurnWhoseWritesCannotCommitReportsTheStorageFailure() throws Exception {
    harness.post("t", "throw-lost", "/incr", "");
    harness.settle();
    engine.failNextCommits(1);

    Throwable failure =
        catchThrowable(
            () ->
                harness
                    .fetchAsync(
                        "t",
                        "throw-lost",
                        Request.builder("POST", "/fail-after-write")
                            .path("/fail-after-write")
                            .build())
                    .get(10, TimeUnit.SECONDS));

    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("storage commit failed");
    assertThat(((DurableObjectException) failure.getCause()).retryable()).isTrue();
    assertThat(harness.get("t", "throw-lost", "/read").bodyText()).isEqualTo("1");
    assertThat(Scripted.constructed.get()).as("a failed commit resets").isEqualTo(2);
  }

  @Test
  void socketHandlerThatThrowsKeepsItsWritesAndItsSends() throws Exception {
    RecordingConnection ws = harness.connect("t", "handler");

    harness.host.socketMessage(ws, WebSocketMessage.text("throw-1"));
    assertThat(ws.nextText()).isEqualTo("echo:throw-1");
    harness.host.socketMessage(ws, WebSocketMessage.text("throw-2"));
    assertThat(ws.nextText()).isEqualTo("echo:throw-2");

    assertThat(harness.get("t", "handler", "/last").bodyText()).isEqualTo("throw-2");
    assertThat(Scripted.constructed.get()).as("the same instance throughout").isEqualTo(1);
  }

  @Test
  void failedBlockConcurrencyWhileDropsTheTurnsWritesAndResetsEvenIfCaught() {
    harness.post("t", "bcw", "/incr", "");

    Throwable failure =
        catchThrowable(
            () ->
                harness
                    .fetchAsync(
                        "t",
                        "bcw",
                        Request.builder("POST", "/block-concurrency-fails")
                            .path("/block-concurrency-fails")
                            .build())
                    .get(10, TimeUnit.SECONDS));

    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasRootCauseMessage("migration failed");
    assertThat(harness.get("t", "bcw", "/read").bodyText()).as("500 was dropped").isEqualTo("1");
    assertThat(Scripted.constructed.get()).as("reset").isEqualTo(2);
  }

  @Test
  void aFailedBlockConcurrencyWhileStillCommitsEarlierTurnsOfItsBatch() throws Exception {
    CountDownLatch arrived = engine.holdCommits();
    CompletableFuture<Response> first = send("batch", "/incr");
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("first commit reached the engine").isTrue();
    CompletableFuture<Response> second = send("batch", "/incr");
    CompletableFuture<Response> failing = send("batch", "/block-concurrency-fails");
    engine.release();

    assertThat(first.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
    assertThat(second.get(10, TimeUnit.SECONDS).bodyText())
        .as("a turn that ended well, queued with the failing one behind the held commit")
        .isEqualTo("2");
    Throwable failure = catchThrowable(() -> failing.get(10, TimeUnit.SECONDS));
    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasRootCauseMessage("migration failed");
    assertThat(harness.get("t", "batch", "/read").bodyText())
        .as("the earlier turn's write committed, the failed turn's 500 dropped")
        .isEqualTo("2");
    assertThat(Scripted.constructed.get())
        .as("reset by the failed blockConcurrencyWhile")
        .isEqualTo(2);
  }

  @Test
  void aVmErrorDropsTheTurnsWritesAndResets() {
    harness.post("t", "vm", "/incr", "");

    Throwable failure = catchThrowable(() -> send("vm", "/vm-error").get(10, TimeUnit.SECONDS));

    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("the object threw OutOfMemoryError");
    assertThat(harness.get("t", "vm", "/read").bodyText())
        .as("what the turn wrote before the OutOfMemoryError (TurnFailure.LIMIT_EXCEEDED)")
        .isEqualTo("1");
    assertThat(Scripted.constructed.get()).as("a VM error resets").isEqualTo(2);
  }

  @Test
  void aStackOverflowIsTheCodesOwnExceptionAndKeepsTheTurnsWrites() {
    harness.post("t", "deep", "/incr", "");

    Throwable failure =
        catchThrowable(() -> send("deep", "/stack-overflow").get(10, TimeUnit.SECONDS));

    assertThat(failure.getCause())
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("the object threw StackOverflowError");
    assertThat(((DurableObjectException) failure.getCause()).remote()).isTrue();
    assertThat(harness.get("t", "deep", "/read").bodyText())
        .as("what the turn wrote before the StackOverflowError (TurnFailure.THROWN)")
        .isEqualTo("888");
    assertThat(Scripted.constructed.get()).as("the same instance").isEqualTo(1);
  }

  private CompletableFuture<Response> send(String name, String path) {
    return harness.fetchAsync("t", name, Request.builder("POST", path).path(path).build());
  }
}
