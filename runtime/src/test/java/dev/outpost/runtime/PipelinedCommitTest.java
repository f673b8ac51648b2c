package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelined commits (docs/design.md §3): with an engine that decides commits later (as replication
 * does), an object runs its next turns while earlier batches are in flight, reads their writes,
 * keeps at most {@code maxCommitsInFlight} of them, and lets each output leave only once its batch
 * and every older one are durable; a failed commit drops the output waiting behind it too.
 */
class PipelinedCommitTest {

  private static final int MAX_IN_FLIGHT = 3;

  private final DeferredEngine engine = new DeferredEngine();
  private ObjectHarness harness;

  @BeforeEach
  void start() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public Response fetch(DurableObjectState state, Request request) {
            switch (request.path()) {
              case "/incr" -> {
                long next = state.storage().get("n", Long.class).orElse(0L) + 1;
                state.storage().put("n", next);
                return Response.ok(Long.toString(next));
              }
              case "/seed" -> {
                state.storage().put("a", 1L);
                state.storage().put("b", 2L);
                return Response.ok("seeded");
              }
              case "/wipe" -> {
                state.storage().deleteAll();
                return Response.ok("wiped");
              }
              case "/c-then-list" -> {
                state.storage().put("c", 3L);
                return Response.ok(
                    String.join(
                            ",",
                            state
                                .storage()
                                .list(dev.outpost.api.ListOptions.all(), Long.class)
                                .keySet())
                        + " a="
                        + state.storage().get("a", Long.class).map(String::valueOf).orElse("none"));
              }
              case "/read" -> {
                return Response.ok(state.storage().get("n", Long.class).orElse(0L).toString());
              }
              default -> {
                return Response.text(404, "no " + request.path());
              }
            }
          }
        });
    harness = ObjectHarness.of(RuntimeOptions.defaults(), engine, Map.of("t", Scripted.class));
  }

  @AfterEach
  void stop() {
    engine.decideAll(null);
    harness.close();
  }

  private CompletableFuture<Response> incr(String name) {
    return harness.fetchAsync("t", name, Request.builder("POST", "/incr").path("/incr").build());
  }

  @Test
  void theNextTurnRunsWhileTheFirstBatchIsInFlightAndReadsItsWrite() throws Exception {
    CompletableFuture<Response> first = incr("p");
    DeferredEngine.Pending one = engine.nextSubmitted();
    CompletableFuture<Response> second = incr("p");
    DeferredEngine.Pending two = engine.nextSubmitted();

    assertThat(engine.inFlight()).as("two batches in flight at once").isEqualTo(2);
    assertThat(two.batch.mutations()).hasSize(1);
    Thread.sleep(200); // a "nothing happens" wait: no output may leave before its commit
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();

    one.decide(null);
    assertThat(first.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
    Thread.sleep(200);
    assertThat(second).as("its own batch is still in flight").isNotDone();
    two.decide(null);
    assertThat(second.get(10, TimeUnit.SECONDS).bodyText())
        .as("the second turn read the first one's write while it was in flight")
        .isEqualTo("2");
  }

  @Test
  void readsAndListsSeeEveryBatchInFlightDeleteAllIncluded() throws Exception {
    CompletableFuture<Response> seeded =
        harness.fetchAsync("t", "list", Request.builder("POST", "/seed").path("/seed").build());
    engine.nextSubmitted().decide(null);
    assertThat(seeded.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("seeded");

    List<CompletableFuture<Response>> answers = new ArrayList<>();
    List<DeferredEngine.Pending> pending = new ArrayList<>();
    for (String path : List.of("/wipe", "/c-then-list")) {
      answers.add(
          harness.fetchAsync("t", "list", Request.builder("POST", path).path(path).build()));
      pending.add(engine.nextSubmitted());
    }
    assertThat(engine.inFlight()).isEqualTo(2);
    pending.forEach(p -> p.decide(null));
    assertThat(answers.get(1).get(10, TimeUnit.SECONDS).bodyText())
        .as("the wipe in flight hides what the engine holds")
        .isEqualTo("c a=none");
  }

  @Test
  void outputLeavesInOrderEvenWhenALaterCommitIsDecidedFirst() throws Exception {
    CompletableFuture<Response> first = incr("order");
    DeferredEngine.Pending one = engine.nextSubmitted();
    CompletableFuture<Response> second = incr("order");
    DeferredEngine.Pending two = engine.nextSubmitted();

    two.decide(null);
    Thread.sleep(200);
    assertThat(second).as("behind the first batch, still in flight").isNotDone();
    one.decide(null);
    assertThat(first.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
    assertThat(second.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("2");
  }

  @Test
  void noMoreThanMaxCommitsInFlightAndEveryIncrementAnswersInOrder() throws Exception {
    List<CompletableFuture<Response>> answers = new ArrayList<>();
    List<DeferredEngine.Pending> pending = new ArrayList<>();
    for (int i = 0; i < MAX_IN_FLIGHT; i++) {
      answers.add(incr("bound"));
      pending.add(engine.nextSubmitted());
    }
    answers.add(incr("bound")); // its batch waits for the oldest commit
    Thread.sleep(300);
    assertThat(engine.inFlight()).isEqualTo(MAX_IN_FLIGHT);
    assertThat(engine.submitted.get()).isEqualTo(MAX_IN_FLIGHT);

    pending.get(0).decide(null);
    DeferredEngine.Pending fourth = engine.nextSubmitted();
    assertThat(fourth.batch.mutations()).hasSize(1);
    for (int i = 1; i < MAX_IN_FLIGHT; i++) {
      pending.get(i).decide(null);
    }
    fourth.decide(null);
    List<String> bodies = new ArrayList<>();
    for (CompletableFuture<Response> f : answers) {
      bodies.add(f.get(10, TimeUnit.SECONDS).bodyText());
    }
    assertThat(bodies).containsExactly("1", "2", "3", "4");
    assertThat(engine.maxSeenInFlight.get()).isEqualTo(MAX_IN_FLIGHT);
  }

  @Test
  void aFailedCommitDropsTheOutputOfLaterBatchesAndResetsTheObject() throws Exception {
    harness
        .fetchAsync("t", "fail", Request.builder("GET", "/read").path("/read").build())
        .get(10, TimeUnit.SECONDS);
    int constructedBefore = Scripted.constructed.get();
    CompletableFuture<Response> first = incr("fail");
    DeferredEngine.Pending one = engine.nextSubmitted();
    CompletableFuture<Response> second = incr("fail");
    DeferredEngine.Pending two = engine.nextSubmitted();

    one.decide(new StorageException("injected: no majority"));
    Thread.sleep(200);
    assertThat(second).as("dropped only once every commit in flight settled").isNotDone();
    two.decide(new StorageException("injected: no majority"));

    for (CompletableFuture<Response> f : List.of(first, second)) {
      Throwable failure = catchThrowable(() -> f.get(10, TimeUnit.SECONDS));
      assertThat(failure).isInstanceOf(ExecutionException.class);
      assertThat(failure.getCause())
          .isInstanceOf(DurableObjectException.class)
          .hasMessageContaining("storage commit failed");
    }
    CompletableFuture<Response> read =
        harness.fetchAsync("t", "fail", Request.builder("GET", "/read").path("/read").build());
    assertThat(read.get(10, TimeUnit.SECONDS).bodyText())
        .as("neither increment was acknowledged, and none is seen")
        .isEqualTo("0");
    assertThat(Scripted.constructed.get()).as("a new instance").isEqualTo(constructedBefore + 1);
  }

  /**
   * An in-memory engine whose commits are decided by the test: {@link #commitAsync} returns at
   * once, and the batch is applied (in submission order) when the test decides it.
   */
  static final class DeferredEngine implements StorageEngine {

    /** One submitted batch, waiting for the test's decision. */
    final class Pending {
      final dev.outpost.runtime.ObjectAddress object;
      final WriteBatch batch;
      final CompletableFuture<Void> done = new CompletableFuture<>();

      Pending(dev.outpost.runtime.ObjectAddress object, WriteBatch batch) {
        this.object = object;
        this.batch = batch;
      }

      /** Applies the batch and succeeds ({@code failure} null), or fails without applying it. */
      void decide(RuntimeException failure) {
        synchronized (DeferredEngine.this) {
          if (done.isDone()) {
            return;
          }
          if (failure == null) {
            delegate.commit(object, batch);
          }
          open.remove(this);
        }
        if (failure == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(failure);
        }
      }
    }

    private final StorageEngine delegate = StorageEngines.inMemory();
    private final LinkedBlockingDeque<Pending> submissions = new LinkedBlockingDeque<>();
    private final List<Pending> open = new ArrayList<>();
    final AtomicInteger submitted = new AtomicInteger();
    final AtomicInteger maxSeenInFlight = new AtomicInteger();

    Pending nextSubmitted() throws InterruptedException {
      Pending next = submissions.poll(10, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("no batch submitted within 10 s");
      }
      return next;
    }

    synchronized int inFlight() {
      return open.size();
    }

    void decideAll(RuntimeException failure) {
      List<Pending> all;
      synchronized (this) {
        all = new ArrayList<>(open);
      }
      all.forEach(p -> p.decide(failure));
    }

    @Override
    public CompletableFuture<Void> commitAsync(
        dev.outpost.runtime.ObjectAddress object, WriteBatch batch) {
      Pending p = new Pending(object, batch);
      synchronized (this) {
        open.add(p);
        maxSeenInFlight.accumulateAndGet(open.size(), Math::max);
      }
      submitted.incrementAndGet();
      submissions.add(p);
      return p.done;
    }

    @Override
    public int maxCommitsInFlight() {
      return MAX_IN_FLIGHT;
    }

    @Override
    public void commit(dev.outpost.runtime.ObjectAddress object, WriteBatch batch) {
      commitAsync(object, batch).join();
    }

    @Override
    public Optional<byte[]> get(dev.outpost.runtime.ObjectAddress object, byte[] key) {
      return delegate.get(object, key);
    }

    @Override
    public void scan(
        dev.outpost.runtime.ObjectAddress object,
        byte[] from,
        byte[] to,
        boolean reverse,
        EntryVisitor visitor) {
      delegate.scan(object, from, to, reverse, visitor);
    }

    @Override
    public Optional<StoredAlarm> alarm(dev.outpost.runtime.ObjectAddress object) {
      return delegate.alarm(object);
    }

    @Override
    public List<dev.outpost.runtime.ObjectAddress> objects() {
      return delegate.objects();
    }

    @Override
    public List<StoredAlarm> alarms() {
      return delegate.alarms();
    }

    @Override
    public long epoch(dev.outpost.runtime.ObjectAddress object) {
      return delegate.epoch(object);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
