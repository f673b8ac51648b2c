package dev.outpost.runtime.spi;

import dev.outpost.runtime.ObjectAddress;
import java.nio.file.Path;

/**
 * A {@link StorageEngine} that holds one replica group's copy as a Raft state machine: every batch
 * is applied together with the index of the log entry it came from, so that a restarted node knows
 * exactly how far its copy got, and the whole copy can be checkpointed into a directory that a
 * lagging or new member installs (Raft's InstallSnapshot). Thread-safe like {@link StorageEngine}.
 */
public interface ReplicaStore extends StorageEngine {

  /**
   * Applies the batch atomically together with {@code logIndex}, which becomes {@link
   * #appliedIndex()}. A stale batch writes only the index.
   *
   * @param logIndex the Raft log index of the entry, greater than {@link #appliedIndex()}
   * @throws StaleEpochException as {@link #commit(ObjectAddress, WriteBatch)}; the index is
   *     recorded anyway, since the entry was applied (as a refusal)
   * @throws StorageException if the write failed; nothing is written
   */
  void apply(ObjectAddress object, WriteBatch batch, long logIndex);

  /** The index of the last log entry {@link #apply applied}, or 0 if none (a new copy). */
  long appliedIndex();

  /**
   * Records that the log entry {@code logIndex} was applied without changing data (a Raft
   * configuration entry), so that a checkpoint taken after it knows it is complete up to there.
   */
  void recordApplied(long logIndex);

  /**
   * Writes a consistent copy of everything applied so far into {@code target}, which must not
   * exist; the copy can be opened as a store of the same kind. Cheap on the same file system (hard
   * links). Blocks; must not run concurrently with {@link #apply}.
   *
   * @throws StorageException if the checkpoint could not be written
   */
  void checkpoint(Path target);
}
