package dev.outpost.runtime.internal.storage.rocksdb;

import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Busy waits shared by the group-commit tests: they hold a RocksDB write open and need to know when
 * the commits behind it have queued, which no callback announces. Spins with {@link Thread#yield()}
 * (the waits are short and the tests measure no time); fails after 10 s with what it saw.
 */
final class GroupCommitWaits {

  private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  private GroupCommitWaits() {}

  /** Waits until {@code n} commits wait for a leader (a group has formed behind a held write). */
  static void awaitQueued(RocksDbStorageEngine engine, int n) {
    awaitAtLeast(engine::queuedCommitsForTest, n, "commits waiting for a leader");
  }

  /**
   * Waits until {@code counter} reads at least {@code n}.
   *
   * @param what what the counter counts, for the failure message
   */
  static void awaitAtLeast(IntSupplier counter, int n, String what) {
    long deadline = System.nanoTime() + LIMIT_NANOS;
    while (counter.getAsInt() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "expected " + n + " " + what + ", saw " + counter.getAsInt() + " after 10 s");
      }
      Thread.yield();
    }
  }
}
