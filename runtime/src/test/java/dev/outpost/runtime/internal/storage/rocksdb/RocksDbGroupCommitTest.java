package dev.outpost.runtime.internal.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * Group commit across objects on a real RocksDB: the test holds the first group's write, so the
 * commits that arrive meanwhile form the next group, then lets it go or fails it.
 */
class RocksDbGroupCommitTest {

  @TempDir Path dir;

  private final ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor();
  private final HeldWrites writes = new HeldWrites();
  private RocksDbStorageEngine engine;

  private final ObjectAddress a = address(1);
  private final ObjectAddress b = address(2);
  private final ObjectAddress c = address(3);
  private final ObjectAddress d = address(4);

  @AfterEach
  void close() {
    writes.releaseAll();
    callers.close();
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void commitsArrivingDuringAWriteAreWrittenTogetherEachAtomicallyAndDurably() throws Exception {
    engine = RocksDbStorageEngine.openForTest(dir, false, writes);
    CompletableFuture<Void> first = commitAsync(a, new WriteBatch(1).put(utf8("n"), utf8("1")));
    writes.awaitHeld(1);
    CompletableFuture<Void> second =
        commitAsync(b, new WriteBatch(1).put(utf8("n"), utf8("1")).put(utf8("m"), utf8("x")));
    CompletableFuture<Void> third =
        commitAsync(c, new WriteBatch(2).put(utf8("n"), utf8("1")).alarm(Instant.EPOCH));
    CompletableFuture<Void> fourth = commitAsync(d, new WriteBatch(1).delete(utf8("none")));
    GroupCommitWaits.awaitQueued(engine, 3);

    writes.release(1);
    first.get(10, TimeUnit.SECONDS);
    writes.awaitHeld(2);
    assertThat(List.of(second, third, fourth))
        .as("the group's write is still held: none of its commits returned")
        .noneMatch(CompletableFuture::isDone);

    writes.release(1);
    CompletableFuture.allOf(second, third, fourth).get(10, TimeUnit.SECONDS);
    assertThat(engine.groupCountsForTest()).as("[groups, commits]").containsExactly(2, 4);
    assertThat(writes.entriesPerWrite)
        .as("RocksDB entries per write: a's put and epoch; then b, c and d in one write")
        .containsExactly(2, 3 + 3 + 2);
    engine.close();

    engine = RocksDbStorageEngine.open(dir, false);
    assertThat(text(engine.get(b, utf8("m")))).contains("x");
    assertThat(text(engine.get(c, utf8("n")))).contains("1");
    assertThat(engine.alarm(c).orElseThrow().time()).isEqualTo(Instant.EPOCH);
    assertThat(List.of(engine.epoch(a), engine.epoch(b), engine.epoch(c), engine.epoch(d)))
        .containsExactly(1L, 1L, 2L, 1L);
  }

  @Test
  void aFailedGroupWriteFailsEveryMemberAndWritesNothingOfIt() throws Exception {
    engine = RocksDbStorageEngine.openForTest(dir, false, writes);
    writes.failingWrite = 3;
    writes.release(1);
    engine.commit(b, new WriteBatch(1).put(utf8("n"), utf8("1")));
    CompletableFuture<Void> first = commitAsync(a, new WriteBatch(1).put(utf8("n"), utf8("1")));
    writes.awaitHeld(2);
    CompletableFuture<Void> second = commitAsync(b, new WriteBatch(2).put(utf8("n"), utf8("2")));
    CompletableFuture<Void> third = commitAsync(c, new WriteBatch(1).put(utf8("n"), utf8("1")));
    GroupCommitWaits.awaitQueued(engine, 2);

    writes.release(1);
    first.get(10, TimeUnit.SECONDS);
    writes.release(1);
    for (var pair : List.of(List.of(second, b), List.of(third, c))) {
      @SuppressWarnings("unchecked")
      CompletableFuture<Void> member = (CompletableFuture<Void>) pair.get(0);
      assertThatThrownBy(() -> member.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("commit of " + pair.get(1))
          .hasMessageContaining("none of them was written")
          .hasMessageContaining("disk on fire");
    }
    assertThat(text(engine.get(b, utf8("n")))).as("b's earlier commit only").contains("1");
    assertThat(engine.get(c, utf8("n"))).isEmpty();
    assertThat(List.of(engine.epoch(b), engine.epoch(c))).containsExactly(1L, 0L);

    writes.release(1);
    engine.commit(c, new WriteBatch(1).put(utf8("n"), utf8("again")));
    assertThat(text(engine.get(c, utf8("n")))).as("the engine goes on").contains("again");
  }

  @Test
  void aStaleMemberIsRefusedAloneAndTheSameObjectTwiceAppliesInOrder() throws Exception {
    engine = RocksDbStorageEngine.openForTest(dir, false, writes);
    writes.release(1);
    engine.commit(b, new WriteBatch(5).put(utf8("n"), utf8("5")));
    CompletableFuture<Void> first = commitAsync(a, new WriteBatch(1).put(utf8("n"), utf8("1")));
    writes.awaitHeld(2);
    CompletableFuture<Void> stale = commitAsync(b, new WriteBatch(4).put(utf8("n"), utf8("4")));
    GroupCommitWaits.awaitQueued(engine, 1);
    CompletableFuture<Void> earlier = commitAsync(c, new WriteBatch(1).put(utf8("n"), utf8("1")));
    GroupCommitWaits.awaitQueued(engine, 2);
    CompletableFuture<Void> later = commitAsync(c, new WriteBatch(2).put(utf8("n"), utf8("2")));
    GroupCommitWaits.awaitQueued(engine, 3);
    CompletableFuture<Void> older = commitAsync(c, new WriteBatch(1).put(utf8("n"), utf8("x")));
    GroupCommitWaits.awaitQueued(engine, 4);

    writes.release(2);
    first.get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(earlier, later).get(10, TimeUnit.SECONDS);
    for (CompletableFuture<Void> refused : List.of(stale, older)) {
      assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(StaleEpochException.class);
    }
    assertThat(engine.groupCountsForTest()).containsExactly(3, 6);
    assertThat(text(engine.get(b, utf8("n")))).contains("5");
    assertThat(text(engine.get(c, utf8("n")))).contains("2");
    assertThat(engine.epoch(c)).isEqualTo(2);
  }

  @Test
  void manyConcurrentCommitsOfManyObjectsAllLand() throws Exception {
    engine = RocksDbStorageEngine.openForTest(dir, false, writes);
    writes.release(Integer.MAX_VALUE / 2);
    int objects = 50;
    int rounds = 40;
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int o = 0; o < objects; o++) {
      ObjectAddress object = address(100 + o);
      all.add(
          CompletableFuture.runAsync(
              () -> {
                awaitQuietly(start);
                for (int r = 1; r <= rounds; r++) {
                  engine.commit(
                      object, new WriteBatch(1).put(utf8("n"), utf8(Integer.toString(r))));
                }
              },
              callers));
    }
    start.countDown();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    for (int o = 0; o < objects; o++) {
      assertThat(text(engine.get(address(100 + o), utf8("n")))).contains(Integer.toString(rounds));
    }
    assertThat(engine.groupCountsForTest()[1]).isEqualTo((long) objects * rounds);
  }

  private CompletableFuture<Void> commitAsync(ObjectAddress object, WriteBatch batch) {
    return CompletableFuture.runAsync(() -> engine.commit(object, batch), callers);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * RocksDB's write, each call waiting for a permit the test gives; records the entries of each
   * write that went through; fails the write of the number given.
   */
  private static final class HeldWrites implements RocksDbStorageEngine.WriteStep {
    final List<Integer> entriesPerWrite = new CopyOnWriteArrayList<>();
    volatile int failingWrite; // 1-based; 0: none
    private final AtomicInteger arrivals = new AtomicInteger();
    private final Semaphore permits = new Semaphore(0);

    @Override
    public void write(
        org.rocksdb.RocksDB db, org.rocksdb.WriteOptions options, org.rocksdb.WriteBatch batch)
        throws RocksDBException {
      int number = arrivals.incrementAndGet();
      permits.acquireUninterruptibly();
      if (number == failingWrite) {
        throw new RocksDBException("disk on fire");
      }
      entriesPerWrite.add(batch.count());
      db.write(options, batch);
    }

    /** Waits until the {@code n}th write (counting from the test's start) has started. */
    void awaitHeld(int n) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (arrivals.get() < n) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "waiting for write " + n + " to start: " + arrivals.get() + " started in 10 s");
        }
        Thread.yield();
      }
    }

    void release(int n) {
      permits.release(n);
    }

    void releaseAll() {
      permits.release(Integer.MAX_VALUE / 2);
    }
  }

  private static ObjectAddress address(int n) {
    String hex = HexFormat.of().toHexDigits(n);
    return new ObjectAddress(
        "counters", DurableObjectId.of("0".repeat(64 - hex.length()) + hex, Optional.empty()));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<String> text(Optional<byte[]> value) {
    return value.map(v -> new String(v, StandardCharsets.UTF_8));
  }
}
