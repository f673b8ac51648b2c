package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The object host's {@link StorageEngine} on a replicated node: reads come from this node's copy of
 * the object's replica group (the leader's copy is current: it applied every committed entry before
 * it became ready), and every commit is one entry of the group's Raft log, acknowledged only when a
 * majority of the group's members hold it on disk and this node applied it. So the output gate
 * opens only for replicated writes.
 *
 * <p>Threads: {@link #commit} blocks its caller until Raft decided the entry, {@link #commitAsync}
 * returns once the entry is in the leader's log (an object keeps up to {@value
 * #MAX_COMMITS_IN_FLIGHT} of its batches in flight); either way the entry is decided when it is
 * committed and applied, or refused (a leader that loses its majority steps down and fails its
 * pending entries, so this is bounded by the election timeouts). {@code commitTimeout} is only a
 * safety net; past it the outcome is unknown, and the object is taken again before its next turn.
 * Everything else is as thread-safe as RocksDB.
 */
public final class ReplicatedStorage implements StorageEngine {

  private final RatisReplication replication;
  private final GroupResolver groups;
  private final Duration commitTimeout;

  public ReplicatedStorage(
      RatisReplication replication, GroupResolver groups, Duration commitTimeout) {
    this.replication = replication;
    this.groups = groups;
    this.commitTimeout = commitTimeout;
  }

  private StorageEngine engineOf(ObjectAddress object) {
    GroupLayout.Group group = groups.groupOf(object);
    return replication
        .engine(group)
        .orElseThrow(
            () ->
                new StorageException(
                    object + " belongs to replica group " + group.name() + ", not held here"));
  }

  @Override
  public Optional<byte[]> get(ObjectAddress object, byte[] key) {
    return engineOf(object).get(object, key);
  }

  @Override
  public void scan(
      ObjectAddress object, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
    engineOf(object).scan(object, from, to, reverse, visitor);
  }

  @Override
  public Optional<StoredAlarm> alarm(ObjectAddress object) {
    return engineOf(object).alarm(object);
  }

  /** The objects of the groups this node leads now. */
  @Override
  public List<ObjectAddress> objects() {
    List<ObjectAddress> objects = new ArrayList<>();
    for (GroupLayout.Group group : replication.localGroups()) {
      if (replication.isReadyLeader(group)) {
        objects.addAll(replication.engine(group).orElseThrow().objects());
      }
    }
    return objects;
  }

  /** The alarms of the groups this node leads now; others' are armed when it comes to lead. */
  @Override
  public List<StoredAlarm> alarms() {
    List<StoredAlarm> alarms = new ArrayList<>();
    for (GroupLayout.Group group : replication.localGroups()) {
      if (replication.isReadyLeader(group)) {
        alarms.addAll(replication.engine(group).orElseThrow().alarms());
      }
    }
    return alarms;
  }

  @Override
  public void commit(ObjectAddress object, WriteBatch batch) {
    try {
      commitAsync(object, batch).get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new StorageException("replicated commit of " + object + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while committing " + object);
    }
  }

  /**
   * Appends the batch to the object's group log and returns at once: the entry is in the leader's
   * log before this returns ({@code RaftServerImpl.executeSubmitClientRequestAsync} joins its
   * append), so batches one thread submits are applied in that order. Fails with {@link
   * StaleEpochException} when the state machine refused the batch's epoch, {@link StorageException}
   * when Raft refused the entry or did not decide it within {@code commitTimeout} (outcome
   * unknown).
   */
  @Override
  public CompletableFuture<Void> commitAsync(ObjectAddress object, WriteBatch batch) {
    GroupLayout.Group group = groups.groupOf(object);
    return replication
        .submit(group, BatchCodec.encode(object, batch))
        .orTimeout(commitTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (outcome, failure) -> {
              if (failure != null) {
                Throwable cause =
                    failure instanceof java.util.concurrent.CompletionException c
                            && c.getCause() != null
                        ? c.getCause()
                        : failure;
                if (cause instanceof TimeoutException) {
                  throw new StorageException(
                      "replica group "
                          + group.name()
                          + " did not decide the commit of "
                          + object
                          + " within "
                          + commitTimeout.toMillis()
                          + " ms; its outcome is unknown");
                }
                throw cause instanceof StorageException se
                    ? se
                    : new StorageException("replicated commit of " + object + " failed", cause);
              }
              if (GroupStateMachine.STALE.equals(outcome)) {
                throw new StaleEpochException(object.toString(), batch.epoch(), epoch(object));
              }
              return null;
            });
  }

  /** Commits of one object in flight at once: enough to keep a Raft round trip busy. */
  static final int MAX_COMMITS_IN_FLIGHT = 8;

  @Override
  public int maxCommitsInFlight() {
    return MAX_COMMITS_IN_FLIGHT;
  }

  @Override
  public long epoch(ObjectAddress object) {
    return engineOf(object).epoch(object);
  }

  /** Stops the Raft server and every group's engine. */
  @Override
  public void close() {
    replication.close();
  }
}
