package dev.outpost.runtime;

import dev.outpost.runtime.internal.storage.InMemoryStorageEngine;
import dev.outpost.runtime.internal.storage.rocksdb.RocksDbStorageEngine;
import dev.outpost.runtime.spi.ReplicaStore;
import dev.outpost.runtime.spi.StorageEngine;
import java.nio.file.Path;

/** Creates the node's {@link StorageEngine}s without exposing their internal classes. */
public final class StorageEngines {

  private StorageEngines() {}

  /**
   * Opens (creating if needed) the node's RocksDB at {@code dir}. The write-ahead log is always on,
   * so committed batches survive a process kill; {@code syncWrites} also fsyncs it on every commit,
   * so they survive a machine crash.
   */
  public static StorageEngine rocksDb(Path dir, boolean syncWrites) {
    return RocksDbStorageEngine.open(dir, syncWrites);
  }

  /**
   * Opens (creating if needed) a replica group's RocksDB copy at {@code dir}; as {@link #rocksDb},
   * and able to record applied Raft log indexes and to checkpoint itself.
   */
  public static ReplicaStore rocksDbReplica(Path dir, boolean syncWrites) {
    return RocksDbStorageEngine.open(dir, syncWrites);
  }

  /** A non-durable engine in memory, for tests and embedded use. */
  public static StorageEngine inMemory() {
    return new InMemoryStorageEngine();
  }
}
