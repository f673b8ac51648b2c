package dev.outpost.runtime.internal.storage;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link StorageEngine} that keeps everything on the heap: real, thread-safe, not durable. For
 * unit tests of the runtime and for single-process demos.
 *
 * <p>Each object has its own state (a map of its data ordered by unsigned bytes, its alarm and its
 * highest epoch) guarded by its own lock, so a commit is atomic with respect to readers of that
 * object and commits of different objects run in parallel. Keys and values are copied on the way in
 * and on the way out, so callers may reuse their arrays. {@link #scan} copies the requested range
 * under the lock and calls the visitor outside it: the visitor sees a consistent snapshot and may
 * call back into the engine.
 *
 * <p>{@link #failNextCommitsForTest(int)} makes commits fail on purpose, to test callers' handling
 * of storage faults. After {@link #close()} every other method throws {@link
 * IllegalStateException}.
 */
public final class InMemoryStorageEngine implements StorageEngine {

  private final Map<ObjectAddress, ObjectState> objects = new ConcurrentHashMap<>();
  // How many of the next commits throw StorageException before touching anything.
  private final AtomicInteger commitsToFail = new AtomicInteger();
  private volatile boolean closed;

  /** Creates an empty engine. */
  public InMemoryStorageEngine() {}

  @Override
  public Optional<byte[]> get(ObjectAddress object, byte[] key) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(key, "key");
    checkOpen();
    ObjectState state = objects.get(object);
    if (state == null) {
      return Optional.empty();
    }
    state.lock.lock();
    try {
      return Optional.ofNullable(state.data.get(key)).map(byte[]::clone);
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public void scan(
      ObjectAddress object, byte[] from, byte[] to, boolean reverse, EntryVisitor visitor) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(visitor, "visitor");
    checkOpen();
    ObjectState state = objects.get(object);
    if (state == null || (from != null && to != null && Arrays.compareUnsigned(from, to) >= 0)) {
      return;
    }
    List<Map.Entry<byte[], byte[]>> entries;
    state.lock.lock();
    try {
      NavigableMap<byte[], byte[]> range = state.data;
      if (from != null) {
        range = range.tailMap(from, true);
      }
      if (to != null) {
        range = range.headMap(to, false);
      }
      if (reverse) {
        range = range.descendingMap();
      }
      entries = new ArrayList<>(range.size());
      for (Map.Entry<byte[], byte[]> e : range.entrySet()) {
        entries.add(Map.entry(e.getKey().clone(), e.getValue().clone()));
      }
    } finally {
      state.lock.unlock();
    }
    for (Map.Entry<byte[], byte[]> e : entries) {
      if (!visitor.visit(e.getKey(), e.getValue())) {
        return;
      }
    }
  }

  @Override
  public Optional<StoredAlarm> alarm(ObjectAddress object) {
    Objects.requireNonNull(object, "object");
    checkOpen();
    ObjectState state = objects.get(object);
    if (state == null) {
      return Optional.empty();
    }
    state.lock.lock();
    try {
      return Optional.ofNullable(state.alarm);
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public List<ObjectAddress> objects() {
    checkOpen();
    List<ObjectAddress> result = new ArrayList<>();
    for (Map.Entry<ObjectAddress, ObjectState> e : objects.entrySet()) {
      ObjectState state = e.getValue();
      state.lock.lock();
      try {
        if (!state.data.isEmpty() || state.alarm != null) {
          result.add(
              new ObjectAddress(
                  e.getKey().namespace(),
                  dev.outpost.api.DurableObjectId.of(
                      e.getKey().id().toString(), java.util.Optional.empty())));
        }
      } finally {
        state.lock.unlock();
      }
    }
    return Collections.unmodifiableList(result);
  }

  @Override
  public List<StoredAlarm> alarms() {
    checkOpen();
    List<StoredAlarm> result = new ArrayList<>();
    for (ObjectState state : objects.values()) {
      state.lock.lock();
      try {
        if (state.alarm != null) {
          result.add(state.alarm);
        }
      } finally {
        state.lock.unlock();
      }
    }
    return Collections.unmodifiableList(result);
  }

  @Override
  public void commit(ObjectAddress object, WriteBatch batch) {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(batch, "batch");
    for (WriteBatch.Mutation m : batch.mutations()) {
      Objects.requireNonNull(m.key(), "mutation key");
    }
    checkOpen();
    if (commitsToFail.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      throw new StorageException(
          "commit for " + object + " failed: injected by failNextCommitsForTest");
    }
    ObjectState state = objects.computeIfAbsent(object, o -> new ObjectState());
    state.lock.lock();
    try {
      if (batch.epoch() < state.epoch) {
        throw new StaleEpochException(object.toString(), batch.epoch(), state.epoch);
      }
      state.epoch = batch.epoch();
      if (batch.isClearAll()) {
        state.data.clear();
        state.alarm = null;
      }
      for (WriteBatch.Mutation m : batch.mutations()) {
        if (m.isDelete()) {
          state.data.remove(m.key());
        } else {
          state.data.put(m.key().clone(), m.value().clone());
        }
      }
      if (batch.alarmChanged()) {
        state.alarm =
            batch
                .alarm()
                .map(t -> new StoredAlarm(object, Instant.ofEpochMilli(t.toEpochMilli())))
                .orElse(null);
      }
    } finally {
      state.lock.unlock();
    }
  }

  @Override
  public long epoch(ObjectAddress object) {
    Objects.requireNonNull(object, "object");
    checkOpen();
    ObjectState state = objects.get(object);
    if (state == null) {
      return 0;
    }
    state.lock.lock();
    try {
      return state.epoch;
    } finally {
      state.lock.unlock();
    }
  }

  /**
   * Makes each of the next {@code n} calls of {@link #commit} throw {@link StorageException}
   * without writing anything, as a failed disk would. Replaces any count set before; 0 stops the
   * failures.
   */
  public void failNextCommitsForTest(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("commit failure count is " + n + "; use 0 or more");
    }
    commitsToFail.set(n);
  }

  /** Drops all data; further calls other than {@code close} throw {@link IllegalStateException}. */
  @Override
  public void close() {
    closed = true;
    objects.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("in-memory storage engine is closed");
    }
  }

  /** One object's data, alarm and epoch; every field is guarded by {@code lock}. */
  private static final class ObjectState {
    final ReentrantLock lock = new ReentrantLock();
    final TreeMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
    StoredAlarm alarm; // null: no alarm
    long epoch; // highest committed epoch, 0 before the first commit
  }
}
