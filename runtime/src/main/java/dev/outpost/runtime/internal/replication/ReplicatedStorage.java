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
 * <p>Threads: commits block their caller (a turn's virtual thread) until Raft decided the entry:
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
    GroupLayout.Group group = groups.groupOf(object);
    String outcome;
    try {
      outcome =
          replication
              .submit(group, BatchCodec.encode(object, batch))
              .get(commitTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof StorageException se
          ? se
          : new StorageException("replicated commit of " + object + " failed", cause);
    } catch (TimeoutException e) {
      throw new StorageException(
          "replica group "
              + group.name()
              + " did not decide the commit of "
              + object
              + " within "
              + commitTimeout.toMillis()
              + " ms; its outcome is unknown");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while committing " + object);
    }
    if (GroupStateMachine.STALE.equals(outcome)) {
      throw new StaleEpochException(object.toString(), batch.epoch(), epoch(object));
    }
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
