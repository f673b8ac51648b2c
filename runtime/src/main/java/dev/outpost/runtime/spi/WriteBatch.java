package dev.outpost.runtime.spi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The writes of one or more turns of one object, applied atomically by {@link
 * StorageEngine#commit}. Applied in this order: {@code clearAll} (every data key and the alarm),
 * then the mutations in list order, then the alarm change.
 *
 * <p>Built by one thread, then immutable once handed to the engine.
 */
public final class WriteBatch {

  /** One put ({@code value} non-null) or delete ({@code value} null). */
  public record Mutation(byte[] key, byte[] value) {
    /** Whether this deletes the key. */
    public boolean isDelete() {
      return value == null;
    }
  }

  private final long epoch;
  private boolean clearAll;
  private final List<Mutation> mutations = new ArrayList<>();
  private boolean alarmChanged;
  private Instant alarm; // null with alarmChanged: delete the alarm

  /** Starts an empty batch for an owner at {@code epoch}. */
  public WriteBatch(long epoch) {
    this.epoch = epoch;
  }

  /** The epoch of the owner that made the batch. */
  public long epoch() {
    return epoch;
  }

  /** Deletes every data key and the alarm before the rest applies. */
  public WriteBatch clearAll() {
    clearAll = true;
    return this;
  }

  /** Adds a put. */
  public WriteBatch put(byte[] key, byte[] value) {
    mutations.add(new Mutation(key, value));
    return this;
  }

  /** Adds a delete. */
  public WriteBatch delete(byte[] key) {
    mutations.add(new Mutation(key, null));
    return this;
  }

  /** Sets the alarm ({@code time} non-null) or deletes it ({@code time} null). */
  public WriteBatch alarm(Instant time) {
    alarmChanged = true;
    alarm = time;
    return this;
  }

  /** Whether {@link #clearAll()} was called. */
  public boolean isClearAll() {
    return clearAll;
  }

  /** The puts and deletes, in order. */
  public List<Mutation> mutations() {
    return Collections.unmodifiableList(mutations);
  }

  /** Whether the batch sets or deletes the alarm (beyond what {@code clearAll} does). */
  public boolean alarmChanged() {
    return alarmChanged;
  }

  /** The new alarm time when {@link #alarmChanged()}; empty means delete. */
  public Optional<Instant> alarm() {
    return Optional.ofNullable(alarm);
  }

  /** Whether the batch changes nothing. */
  public boolean isEmpty() {
    return !clearAll && mutations.isEmpty() && !alarmChanged;
  }
}
