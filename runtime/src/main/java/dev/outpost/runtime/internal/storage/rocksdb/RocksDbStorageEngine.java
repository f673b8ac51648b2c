package dev.outpost.runtime.internal.storage.rocksdb;

import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.alarmKey;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.dataKey;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.decodeAlarm;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.decodeEpoch;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.encodeAlarm;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.encodeEpoch;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.epochKey;
import static dev.outpost.runtime.internal.storage.rocksdb.RocksKeys.objectPrefix;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ReplicaStore;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.Checkpoint;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteOptions;

/**
 * The node's durable {@link StorageEngine}: one RocksDB database in one directory.
 *
 * <p><b>Key layout</b> (encoded by {@code RocksKeys}). Each object owns one contiguous range under
 * {@code P = 'o' + namespace + 0x00 + id hex} (the namespace is ASCII without 0x00 and the hex is
 * 64 bytes, so no object's range contains another's):
 *
 * <ul>
 *   <li>{@code P + 'd' + userKey} → value: the object's data; the data range is {@code [P+'d',
 *       P+'e')}.
 *   <li>{@code P + 'e'} → 8-byte big-endian epoch: the highest epoch committed for the object.
 *   <li>{@code 'a' + namespace + 0x00 + id hex} → 8-byte big-endian epoch millis + flag byte (1 if
 *       the id has a name) + name UTF-8: the alarm index, one range for the whole node so that
 *       {@link #alarms()} reads it without touching data.
 *   <li>{@code 'm' + "applied-index"} → 8-byte big-endian Raft log index, in a replica group's
 *       store only ({@link ReplicaStore}): written in the same batch as the entry it names.
 * </ul>
 *
 * <p><b>Invariants.</b> A commit is part of one RocksDB write batch: its data, epoch and alarm
 * change together or not at all, and a commit returns only after the write holding it returned. An
 * object's stored epoch never decreases. {@code epochs} holds, for each object touched since open,
 * the epoch stored on disk (one small entry per object, kept until close).
 *
 * <p><b>Concurrency.</b> Reads go straight to RocksDB (iterators read a consistent snapshot).
 * Commits of one object are serialised by a striped lock, so the epoch check and the write are
 * atomic. {@link #commit}s of all objects are grouped ({@link CommitQueue}): while one group is
 * written, the commits that arrive queue, and the next leader writes them all in one RocksDB write
 * batch, holding their stripes; {@link #apply} writes alone under its object's stripe. A read-write
 * lock keeps {@link #close()} from freeing native handles under a running call.
 *
 * <p><b>Failure.</b> The write-ahead log is always on; with {@code syncWrites} every commit fsyncs
 * it before returning. A failed write leaves nothing behind and surfaces as {@link
 * StorageException} naming the object; the epoch cache is only updated after a successful write.
 * After {@link #close()} every call other than {@code close} throws {@link IllegalStateException}.
 */
public final class RocksDbStorageEngine implements ReplicaStore {

  private static final int LOCK_STRIPES = 64; // a power of two
  private static final int MAX_GROUP_COMMITS = 1024;
  private static final long MAX_GROUP_BYTES = 4L << 20; // past the first member

  private final Path dir;
  private final boolean syncWrites;
  private final Options options;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final ReentrantLock[] commitLocks = new ReentrantLock[LOCK_STRIPES];
  // Epoch stored on disk per object, loaded on first commit; written only under the commit lock.
  private final Map<ObjectAddress, Long> epochs = new ConcurrentHashMap<>();
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed; // guarded by lifecycle
  private final CommitQueue<Pending> commits =
      new CommitQueue<>(this::writeGroup, MAX_GROUP_COMMITS, MAX_GROUP_BYTES);
  private final WriteStep writeStep; // RocksDB's write, or a test's

  private RocksDbStorageEngine(
      Path dir, boolean syncWrites, Options options, RocksDB db, WriteStep writeStep) {
    this.dir = dir;
    this.writeStep = writeStep;
    this.syncWrites = syncWrites;
    this.options = options;
    this.db = db;
    this.writeOptions = new WriteOptions().setSync(syncWrites).setDisableWAL(false);
    for (int i = 0; i < LOCK_STRIPES; i++) {
      commitLocks[i] = new ReentrantLock();
    }
  }

  /**
   * Opens (creating if needed) the store in {@code dir}. Only one engine may have a directory open.
   *
   * @param syncWrites whether each commit fsyncs the write-ahead log before returning
   * @throws StorageException if the native library cannot load or the database cannot open
   */
  public static RocksDbStorageEngine open(Path dir, boolean syncWrites) {
    return open(dir, syncWrites, (db, options, batch) -> db.write(options, batch));
  }

  /**
   * As {@link #open(Path, boolean)}, with every group commit's RocksDB write going through {@code
   * writeStep}: tests hold it to form groups, or make it fail.
   */
  static RocksDbStorageEngine openForTest(Path dir, boolean syncWrites, WriteStep writeStep) {
    return open(dir, syncWrites, writeStep);
  }

  private static RocksDbStorageEngine open(Path dir, boolean syncWrites, WriteStep writeStep) {
    Objects.requireNonNull(dir, "dir");
    try {
      RocksDB.loadLibrary(); // loads once per JVM; later calls return at once
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new StorageException(
          "could not load the RocksDB native library: "
              + e.getMessage()
              + "; if java.io.tmpdir is mounted noexec, point ROCKSDB_SHAREDLIB_DIR elsewhere",
          e);
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("could not create the storage directory " + dir, e);
    }
    Options options = SmallNodeOptions.create();
    try {
      return new RocksDbStorageEngine(
          dir, syncWrites, options, RocksDB.open(options, dir.toString()), writeStep);
    } catch (RocksDBException e) {
      options.close();
      throw new StorageException(
          "could not open RocksDB at "
              + dir
              + ": "
              + e.getMessage()
              + "; if another node or engine uses this directory, close it or use another one",
          e);
    }
  }

  @Override
  public Optional<byte[]> get(ObjectAddress object, byte[] key) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(key, "key");
    return guarded(
        "read", object, () -> Optional.ofNullable(db.get(dataKey(objectPrefix(object), key))));
  }

  /** {@inheritDoc} The visitor must not close this engine. */
  @Override
  public void scan(
      ObjectAddress object, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(visitor, "visitor");
    if (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0) {
      return;
    }
    byte[] prefix = objectPrefix(object);
    byte[] lower = dataKey(prefix, from == null ? new byte[0] : from);
    byte[] upper = to == null ? epochKey(prefix) : dataKey(prefix, to);
    int skip = prefix.length + 1;
    guarded(
        "scan",
        object,
        () -> {
          try (Slice lowerSlice = new Slice(lower);
              Slice upperSlice = new Slice(upper);
              ReadOptions read =
                  new ReadOptions()
                      .setIterateLowerBound(lowerSlice)
                      .setIterateUpperBound(upperSlice);
              RocksIterator it = db.newIterator(read)) {
            if (reverse) {
              it.seekToLast();
            } else {
              it.seekToFirst();
            }
            while (it.isValid()) {
              byte[] key = it.key();
              if (!visitor.visit(Arrays.copyOfRange(key, skip, key.length), it.value())) {
                return null;
              }
              if (reverse) {
                it.prev();
              } else {
                it.next();
              }
            }
            it.status();
          }
          return null;
        });
  }

  @Override
  public Optional<StoredAlarm> alarm(ObjectAddress object) {
    Objects.requireNonNull(object, "object");
    return guarded(
        "alarm read",
        object,
        () -> {
          byte[] key = alarmKey(object);
          byte[] value = db.get(key);
          return value == null ? Optional.empty() : Optional.of(decodeAlarm(key, value));
        });
  }

  @Override
  public List<StoredAlarm> alarms() {
    return guarded(
        "alarm listing",
        "every object",
        () -> {
          List<StoredAlarm> result = new ArrayList<>();
          try (Slice lowerSlice = new Slice(RocksKeys.ALARMS_START);
              Slice upperSlice = new Slice(RocksKeys.ALARMS_END);
              ReadOptions read =
                  new ReadOptions()
                      .setIterateLowerBound(lowerSlice)
                      .setIterateUpperBound(upperSlice);
              RocksIterator it = db.newIterator(read)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
              result.add(decodeAlarm(it.key(), it.value()));
            }
            it.status();
          }
          return Collections.unmodifiableList(result);
        });
  }

  @Override
  public List<ObjectAddress> objects() {
    return guarded(
        "object listing",
        "every object",
        () -> {
          java.util.Set<ObjectAddress> result = new java.util.LinkedHashSet<>();
          try (Slice lowerSlice = new Slice(RocksKeys.OBJECTS_START);
              Slice upperSlice = new Slice(RocksKeys.OBJECTS_END);
              ReadOptions read =
                  new ReadOptions()
                      .setIterateLowerBound(lowerSlice)
                      .setIterateUpperBound(upperSlice);
              RocksIterator it = db.newIterator(read)) {
            it.seekToFirst();
            while (it.isValid()) {
              ObjectAddress object = RocksKeys.objectOf(it.key());
              if (RocksKeys.isDataKey(it.key())) {
                result.add(object); // data keys sort before the epoch key
              }
              it.seek(RocksKeys.pastObject(object));
            }
            it.status();
          }
          for (StoredAlarm alarm : alarms()) {
            result.add(
                new ObjectAddress(
                    alarm.object().namespace(),
                    dev.outpost.api.DurableObjectId.of(
                        alarm.object().id().toString(), java.util.Optional.empty())));
          }
          return List.copyOf(result);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Commits of all objects go through one {@link CommitQueue}: concurrent commits are written
   * together in one RocksDB write (and one fsync when syncing), each object's part checked against
   * its own epoch; this call returns once the write holding its batch returned. A stale member is
   * refused alone; a failed write fails every member of its group, each with its own {@link
   * StorageException}.
   */
  @Override
  public void commit(ObjectAddress object, WriteBatch batch) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(batch, "batch");
    long bytes = 0;
    for (WriteBatch.Mutation m : batch.mutations()) {
      Objects.requireNonNull(m.key(), "mutation key");
      bytes += m.key().length + (m.value() == null ? 0 : m.value().length);
    }
    commits.submit(new CommitQueue.Commit<>(new Pending(object, batch), bytes));
  }

  /** One object's batch waiting in {@link #commits}. */
  private record Pending(ObjectAddress object, WriteBatch batch) {}

  /**
   * Writes a group of commits (the {@link CommitQueue}'s leader, one group at a time): under the
   * members' commit locks, refuses each stale member, then writes the others' batches in one
   * RocksDB write batch. Epochs are cached only after the write succeeded.
   */
  private void writeGroup(List<CommitQueue.Commit<Pending>> group) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        IllegalStateException failure =
            new IllegalStateException("RocksDB storage engine at " + dir + " is closed");
        group.forEach(member -> member.fail(failure));
        return;
      }
      List<ReentrantLock> held = new ArrayList<>(group.size());
      try {
        for (CommitQueue.Commit<Pending> member : group) {
          ReentrantLock lock = commitLock(member.payload.object());
          lock.lock(); // only a group's leader holds more than one stripe: no lock-order cycle
          held.add(lock);
        }
        writeLocked(group);
      } finally {
        for (ReentrantLock lock : held) {
          lock.unlock();
        }
      }
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private void writeLocked(List<CommitQueue.Commit<Pending>> group) {
    Map<ObjectAddress, Long> written = new HashMap<>(); // each object's epoch after this group
    List<CommitQueue.Commit<Pending>> writing = new ArrayList<>(group.size());
    try (org.rocksdb.WriteBatch rocksBatch = new org.rocksdb.WriteBatch()) {
      for (CommitQueue.Commit<Pending> member : group) {
        ObjectAddress object = member.payload.object();
        WriteBatch batch = member.payload.batch();
        Long earlier = written.get(object);
        long current = earlier != null ? earlier : storedEpoch(object);
        if (batch.epoch() < current) {
          member.fail(new StaleEpochException(object.toString(), batch.epoch(), current));
        } else if (batch.epoch() == current && batch.isEmpty()) {
          member.succeed();
        } else {
          fill(rocksBatch, object, batch, current);
          written.put(object, batch.epoch());
          writing.add(member);
        }
      }
      if (!writing.isEmpty()) {
        writeStep.write(db, writeOptions, rocksBatch);
      }
    } catch (RocksDBException e) {
      // Nothing of the group was written (a failed fill or write): every member not yet refused
      // fails, each naming its own object.
      for (CommitQueue.Commit<Pending> member : group) {
        if (!member.isDone()) {
          member.fail(
              new StorageException(
                  "commit of "
                      + member.payload.object()
                      + " failed in RocksDB at "
                      + dir
                      + " (one write with "
                      + (group.size() - 1)
                      + " other commits; none of them was written): "
                      + e.getMessage(),
                  e));
        }
      }
      return;
    }
    epochs.putAll(written);
    writing.forEach(CommitQueue.Commit::succeed);
  }

  @Override
  public void apply(ObjectAddress object, WriteBatch batch, long logIndex) {
    write("apply", object, batch, OptionalLong.of(logIndex));
  }

  /**
   * The one write path of {@link #commit} and {@link #apply}: under the object's commit lock,
   * refuses a stale epoch, then writes the batch (with {@code logIndex} as the applied index, when
   * given) in one RocksDB write batch. A stale batch still records {@code logIndex}; without one,
   * an empty batch at the current epoch writes nothing.
   */
  private void write(String action, ObjectAddress object, WriteBatch batch, OptionalLong logIndex) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(batch, "batch");
    for (WriteBatch.Mutation m : batch.mutations()) {
      Objects.requireNonNull(m.key(), "mutation key");
    }
    guarded(
        action,
        object,
        () -> {
          ReentrantLock lock = commitLock(object);
          lock.lock();
          try {
            long current = storedEpoch(object);
            if (batch.epoch() < current) {
              if (logIndex.isPresent()) {
                db.put(writeOptions, RocksKeys.APPLIED_INDEX, encodeEpoch(logIndex.getAsLong()));
              }
              throw new StaleEpochException(object.toString(), batch.epoch(), current);
            }
            if (logIndex.isEmpty() && batch.epoch() == current && batch.isEmpty()) {
              return null;
            }
            try (org.rocksdb.WriteBatch rocksBatch = new org.rocksdb.WriteBatch()) {
              fill(rocksBatch, object, batch, current);
              if (logIndex.isPresent()) {
                rocksBatch.put(RocksKeys.APPLIED_INDEX, encodeEpoch(logIndex.getAsLong()));
              }
              db.write(writeOptions, rocksBatch);
            }
            epochs.put(object, batch.epoch());
            return null;
          } finally {
            lock.unlock();
          }
        });
  }

  @Override
  public long appliedIndex() {
    return guarded("applied-index read", dir, () -> decodeEpoch(db.get(RocksKeys.APPLIED_INDEX)));
  }

  @Override
  public void recordApplied(long logIndex) {
    guarded(
        "applied-index write",
        dir,
        () -> {
          db.put(writeOptions, RocksKeys.APPLIED_INDEX, encodeEpoch(logIndex));
          return null;
        });
  }

  @Override
  public void checkpoint(Path target) {
    guarded(
        "checkpoint",
        target,
        () -> {
          try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString()); // flushes memtables first
          }
          return null;
        });
  }

  @Override
  public long epoch(ObjectAddress object) {
    Objects.requireNonNull(object, "object");
    return guarded(
        "epoch read",
        object,
        () -> {
          Long cached = epochs.get(object);
          return cached != null ? cached : decodeEpoch(db.get(epochKey(objectPrefix(object))));
        });
  }

  /**
   * Closes the database, after the calls in progress end. When commits do not sync, first fsyncs
   * the write-ahead log so that a clean shutdown loses nothing. A second call does nothing.
   *
   * @throws IllegalStateException if called from a scan visitor
   * @throws StorageException if the final sync or close failed; the engine is closed anyway
   */
  @Override
  public void close() {
    if (lifecycle.getReadHoldCount() > 0) {
      throw new IllegalStateException("cannot close the storage engine from inside its own call");
    }
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        if (!syncWrites) {
          db.syncWal();
        }
        db.closeE();
      } catch (RocksDBException e) {
        db.close();
        throw new StorageException("closing RocksDB at " + dir + " failed: " + e.getMessage(), e);
      } finally {
        writeOptions.close();
        options.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  private void fill(
      org.rocksdb.WriteBatch rocksBatch, ObjectAddress object, WriteBatch batch, long current)
      throws RocksDBException {
    byte[] prefix = objectPrefix(object);
    if (batch.epoch() > current) {
      rocksBatch.put(epochKey(prefix), encodeEpoch(batch.epoch()));
    }
    if (batch.isClearAll()) {
      rocksBatch.deleteRange(dataKey(prefix, new byte[0]), epochKey(prefix));
      rocksBatch.delete(alarmKey(object));
    }
    for (WriteBatch.Mutation m : batch.mutations()) {
      if (m.isDelete()) {
        rocksBatch.delete(dataKey(prefix, m.key()));
      } else {
        rocksBatch.put(dataKey(prefix, m.key()), m.value());
      }
    }
    if (batch.alarmChanged()) {
      Optional<Instant> time = batch.alarm();
      if (time.isPresent()) {
        rocksBatch.put(alarmKey(object), encodeAlarm(object, time.get()));
      } else {
        rocksBatch.delete(alarmKey(object));
      }
    }
  }

  /** The object's stored epoch; call only under the object's commit lock. */
  private long storedEpoch(ObjectAddress object) throws RocksDBException {
    Long cached = epochs.get(object);
    if (cached != null) {
      return cached;
    }
    long stored = decodeEpoch(db.get(epochKey(objectPrefix(object))));
    epochs.put(object, stored);
    return stored;
  }

  private ReentrantLock commitLock(ObjectAddress object) {
    int h = object.hashCode();
    return commitLocks[(h ^ (h >>> 16)) & (LOCK_STRIPES - 1)];
  }

  /**
   * Runs {@code call} unless the engine is closed, wrapping RocksDB failures in a message naming
   * the action and its subject (formatted only on failure).
   */
  private <T> T guarded(String action, Object subject, RocksCall<T> call) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("RocksDB storage engine at " + dir + " is closed");
      }
      return call.run();
    } catch (RocksDBException e) {
      throw new StorageException(
          action + " of " + subject + " failed in RocksDB at " + dir + ": " + e.getMessage(), e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The RocksDB write of a group commit. */
  @FunctionalInterface
  interface WriteStep {
    void write(RocksDB db, WriteOptions options, org.rocksdb.WriteBatch batch)
        throws RocksDBException;
  }

  /** Groups written by group commit and the commits in them, so far: {@code [groups, commits]}. */
  long[] groupCountsForTest() {
    return commits.countsForTest();
  }

  /** Commits waiting for a group's leader. */
  int queuedCommitsForTest() {
    return commits.queuedForTest();
  }

  /** A RocksDB operation. */
  @FunctionalInterface
  private interface RocksCall<T> {
    T run() throws RocksDBException;
  }
}
