package dev.outpost.runtime.spi;

import dev.outpost.runtime.ObjectAddress;
import java.util.List;
import java.util.Optional;

/**
 * A node's durable store of object data: one engine per node, one contiguous key range per object.
 *
 * <p>Keys and values are opaque bytes; keys are ordered by unsigned byte comparison. Each object
 * also has at most one alarm (with the object's id and name, so that a node restart can wake the
 * object) and a highest committed epoch.
 *
 * <p>Thread-safe: any thread may call any method; commits of different objects may run
 * concurrently, and an implementation may group them. Reads see every batch whose {@link #commit}
 * returned.
 *
 * <p>Implementations: {@code InMemoryStorageEngine} (tests, not durable) and {@code
 * RocksDbStorageEngine} (the node's store). Both pass {@code StorageEngineContractTest}.
 */
public interface StorageEngine extends AutoCloseable {

  /** The committed value of {@code key} in the object's data, or empty if absent. */
  Optional<byte[]> get(ObjectAddress object, byte[] key);

  /**
   * Visits the object's committed entries with {@code from <= key < to}, ascending, or descending
   * when {@code reverse}, until the visitor returns false.
   *
   * @param from inclusive lower bound, or null for the object's first key
   * @param to exclusive upper bound, or null for past the object's last key
   */
  void scan(ObjectAddress object, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor);

  /** The object's alarm, if one is set. */
  Optional<StoredAlarm> alarm(ObjectAddress object);

  /**
   * Every object with data or an alarm on this node, each once and with no name: after a restart,
   * the node claims these objects in the cluster directory again. An object that only has an epoch
   * (all its data deleted, or handed over to another node) is not listed.
   */
  List<ObjectAddress> objects();

  /** Every alarm stored on this node, for rescheduling after a restart. */
  List<StoredAlarm> alarms();

  /**
   * Applies the batch atomically: after a crash either all of it or none of it is present. When
   * this returns normally the batch is in the write-ahead log (and fsynced when the engine is
   * configured to sync).
   *
   * @throws StaleEpochException if the object has committed a batch with a higher epoch; nothing is
   *     written
   * @throws StorageException if the write failed; nothing is written
   */
  void commit(ObjectAddress object, WriteBatch batch);

  /** The highest epoch of a batch committed for the object, or 0 if none. */
  long epoch(ObjectAddress object);

  /** Releases the engine's resources. Further calls fail. */
  @Override
  void close();

  /** Receives entries from {@link #scan}. */
  @FunctionalInterface
  interface EntryVisitor {
    /** Returns false to stop the scan. */
    boolean visit(byte[] key, byte[] value);
  }
}
