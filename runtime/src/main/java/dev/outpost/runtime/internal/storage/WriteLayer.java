package dev.outpost.runtime.internal.storage;

import dev.outpost.runtime.spi.WriteBatch;
import java.time.Instant;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Uncommitted writes stacked over committed storage: the writes of a group of finished turns, of
 * the running turn, or of a transaction inside it. A layer hides everything below it for the keys
 * it holds; after {@link #clear()} it hides everything below it. Not thread-safe: owned by one turn
 * at a time.
 */
public final class WriteLayer {

  /** Marks a deleted key. Compared by identity. */
  static final byte[] TOMBSTONE = new byte[0];

  private final TreeMap<String, byte[]> entries = new TreeMap<>(KeyOrder.COMPARATOR);
  private boolean cleared; // deleteAll: nothing below this layer is visible
  private boolean alarmChanged;
  private Instant alarm; // with alarmChanged: null means deleted
  private boolean needsConfirmation; // some write here must be durable before output leaves

  void put(String key, byte[] value, boolean confirmed) {
    entries.put(key, value);
    needsConfirmation |= confirmed;
  }

  void delete(String key, boolean confirmed) {
    entries.put(key, TOMBSTONE);
    needsConfirmation |= confirmed;
  }

  void clear() {
    entries.clear();
    cleared = true;
    alarmChanged = true;
    alarm = null;
    needsConfirmation = true;
  }

  /** Sets ({@code time} non-null) or deletes the alarm. */
  public void setAlarm(Instant time, boolean confirmed) {
    alarmChanged = true;
    alarm = time;
    needsConfirmation |= confirmed;
  }

  /** The entry for a key: a value, {@link #TOMBSTONE}, or null if this layer says nothing. */
  byte[] lookup(String key) {
    byte[] value = entries.get(key);
    return value == null && cleared ? TOMBSTONE : value;
  }

  boolean isCleared() {
    return cleared;
  }

  /** Whether this layer sets or deletes the alarm. */
  public boolean alarmChanged() {
    return alarmChanged;
  }

  Instant alarm() {
    return alarm;
  }

  boolean needsConfirmation() {
    return needsConfirmation;
  }

  boolean isEmpty() {
    return entries.isEmpty() && !cleared && !alarmChanged;
  }

  NavigableMap<String, byte[]> entries() {
    return entries;
  }

  /** Applies this layer on top of {@code lower}, as if its writes had been made there. */
  public void mergeInto(WriteLayer lower) {
    if (cleared) {
      lower.clear();
    }
    lower.entries.putAll(entries);
    if (alarmChanged) {
      lower.alarmChanged = true;
      lower.alarm = alarm;
    }
    lower.needsConfirmation |= needsConfirmation;
  }

  /** The batch that makes this layer durable. */
  WriteBatch toBatch(long epoch) {
    WriteBatch batch = new WriteBatch(epoch);
    if (cleared) {
      batch.clearAll();
    }
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      if (e.getValue() == TOMBSTONE) {
        batch.delete(KeyOrder.bytes(e.getKey()));
      } else {
        batch.put(KeyOrder.bytes(e.getKey()), e.getValue());
      }
    }
    if (alarmChanged) {
      batch.alarm(alarm);
    }
    return batch;
  }
}
