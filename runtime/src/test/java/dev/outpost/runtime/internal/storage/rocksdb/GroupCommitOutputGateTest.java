package dev.outpost.runtime.internal.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ManualTimeSource;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * Objects whose commits share one RocksDB write keep their own output gates: each answer waits for
 * the write holding its own batch, and a failed shared write fails and resets every object in it.
 */
class GroupCommitOutputGateTest {

  @TempDir Path dir;

  private final AtomicInteger writesStarted = new AtomicInteger();
  private final Semaphore permits = new Semaphore(0);
  private volatile int failingWrite; // 1-based; 0: none
  private RocksDbStorageEngine engine;
  private ObjectHost host;

  /** Adds one to a stored counter and answers the new value. */
  public static final class Counter implements DurableObject {
    private final DurableObjectState state;

    public Counter(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public Response fetch(Request request) {
      long next = state.storage().get("n", Long.class).orElse(0L) + 1;
      state.storage().put("n", next);
      return Response.ok(Long.toString(next));
    }
  }

  @BeforeEach
  void start() {
    engine =
        RocksDbStorageEngine.openForTest(
            dir,
            false,
            (db, options, batch) -> {
              int number = writesStarted.incrementAndGet();
              permits.acquireUninterruptibly();
              if (number == failingWrite) {
                throw new RocksDBException("disk on fire");
              }
              db.write(options, batch);
            });
    host =
        ObjectHost.builder()
            .time(new ManualTimeSource(Instant.parse("2030-01-01T00:00:00Z")))
            .storage(engine)
            .namespace("counter", Counter.class)
            .build();
  }

  @AfterEach
  void stop() {
    permits.release(Integer.MAX_VALUE / 2);
    host.close();
    engine.close();
  }

  @Test
  void eachAnswerWaitsForTheWriteOfItsOwnBatch() throws Exception {
    CompletableFuture<Response> x = increment("x");
    GroupCommitWaits.awaitAtLeast(writesStarted::get, 1, "RocksDB writes started");
    CompletableFuture<Response> y = increment("y");
    CompletableFuture<Response> z = increment("z");
    GroupCommitWaits.awaitQueued(engine, 2);
    assertThat(List.of(x, y, z)).as("nothing is durable yet").noneMatch(CompletableFuture::isDone);

    permits.release(1);
    assertThat(body(x)).isEqualTo("1");
    GroupCommitWaits.awaitAtLeast(writesStarted::get, 2, "RocksDB writes started");
    assertThat(List.of(y, z))
        .as("y and z are in the second write, still held")
        .noneMatch(CompletableFuture::isDone);
    assertThat(engine.groupCountsForTest())
        .as("[groups, commits]: y and z form the second group")
        .containsExactly(2, 3);

    permits.release(1);
    assertThat(body(y)).isEqualTo("1");
    assertThat(body(z)).isEqualTo("1");
    assertThat(engine.groupCountsForTest()).containsExactly(2, 3);
  }

  @Test
  void aFailedSharedWriteFailsAndResetsEveryObjectInIt() throws Exception {
    permits.release(3);
    for (String name : List.of("x", "y", "z")) {
      assertThat(body(increment(name))).isEqualTo("1");
    }
    failingWrite = 5;
    CompletableFuture<Response> x = increment("x");
    GroupCommitWaits.awaitAtLeast(writesStarted::get, 4, "RocksDB writes started");
    CompletableFuture<Response> y = increment("y");
    CompletableFuture<Response> z = increment("z");
    GroupCommitWaits.awaitQueued(engine, 2);

    permits.release(2);
    assertThat(body(x)).isEqualTo("2");
    for (CompletableFuture<Response> failed : List.of(y, z)) {
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(DurableObjectException.class)
          .hasMessageContaining("storage commit failed, the object was reset")
          .hasMessageContaining("disk on fire");
    }

    permits.release(3);
    assertThat(body(increment("y")))
        .as("y was reset: its lost increment is forgotten, storage is read again")
        .isEqualTo("2");
    assertThat(body(increment("z"))).isEqualTo("2");
    assertThat(body(increment("x"))).isEqualTo("3");
  }

  private CompletableFuture<Response> increment(String name) {
    ObjectAddress address =
        new ObjectAddress("counter", host.namespace("counter").orElseThrow().idFromName(name));
    return host.fetch(address, Request.builder("POST", "/").path("/").build());
  }

  private static String body(CompletableFuture<Response> answer) throws Exception {
    return answer.get(10, TimeUnit.SECONDS).bodyText();
  }
}
