package dev.outpost.runtime.internal.storage;

import dev.outpost.api.ListOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One object's write-back cache over the node's {@link StorageEngine} (workerd's {@code
 * ActorCache}).
 *
 * <p>Reads look through, top to bottom: the running turn's layers (its transactions over its own
 * writes), the {@linkplain #pending() pending} layer holding the writes of finished turns not yet
 * committed, a bounded LRU of committed values, then the engine. So a read always sees the state as
 * of the call, the turn's own writes included.
 *
 * <p>{@link #takeBatch(long)} turns the pending layer into one atomic batch; after the engine
 * accepted it, {@link #committed()} folds it into the read cache. If the commit failed, {@link
 * #reset()} forgets everything not known to be committed.
 *
 * <p>Not thread-safe: used only by the owning activation's turn thread, one turn at a time.
 */
public final class StorageCache {

  /** Bytes of committed values kept per object; beyond this the least recently used go. */
  static final long READ_CACHE_BYTES = 4L * 1024 * 1024;

  private static final byte[] ABSENT = new byte[0];

  private final ObjectAddress address;
  private final StorageEngine engine;
  private WriteLayer pending = new WriteLayer();
  private WriteLayer committing; // non-null between takeBatch and committed/reset
  private final LinkedHashMap<String, byte[]> readCache = new LinkedHashMap<>(64, 0.75f, true);
  private long readCacheBytes;
  private Optional<Instant> committedAlarm; // null until loaded from the engine

  public StorageCache(ObjectAddress address, StorageEngine engine) {
    this.address = address;
    this.engine = engine;
  }

  /** The layer holding finished turns' writes that are not committed yet. */
  public WriteLayer pending() {
    return pending;
  }

  /** Whether output must wait for a commit before it leaves. */
  public boolean hasUnconfirmedWrites() {
    return pending.needsConfirmation();
  }

  /** Whether there is anything to commit. */
  public boolean hasPendingWrites() {
    return !pending.isEmpty();
  }

  /** The current encoded value of {@code key} under {@code turnLayers} (top last), or null. */
  byte[] read(String key, List<WriteLayer> turnLayers) {
    for (int i = turnLayers.size() - 1; i >= 0; i--) {
      byte[] value = turnLayers.get(i).lookup(key);
      if (value != null) {
        return value == WriteLayer.TOMBSTONE ? null : value;
      }
    }
    byte[] value = pending.lookup(key);
    if (value != null) {
      return value == WriteLayer.TOMBSTONE ? null : value;
    }
    byte[] cached = readCache.get(key);
    if (cached != null) {
      return cached == ABSENT ? null : cached;
    }
    byte[] stored = engine.get(address, KeyOrder.bytes(key)).orElse(null);
    remember(key, stored);
    return stored;
  }

  /** The entries selected by {@code options} under {@code turnLayers}, in the requested order. */
  NavigableMap<String, byte[]> list(ListOptions options, List<WriteLayer> turnLayers) {
    KeyRange range = KeyRange.of(options);
    int limit = options.limit().orElse(Integer.MAX_VALUE);
    TreeMap<String, byte[]> merged = new TreeMap<>(KeyOrder.COMPARATOR);
    boolean engineHidden =
        pending.isCleared() || turnLayers.stream().anyMatch(WriteLayer::isCleared);
    if (range.isEmpty()) {
      return merged;
    }
    if (!engineHidden) {
      long overlay = range.count(pending.entries());
      for (WriteLayer layer : turnLayers) {
        overlay += range.count(layer.entries());
      }
      long wanted = Math.min(Integer.MAX_VALUE, limit + overlay);
      engine.scan(
          address,
          range.fromBytes(),
          range.toBytes(),
          options.reverse(),
          (key, value) -> {
            String k = KeyOrder.key(key);
            if (range.contains(k)) {
              merged.put(k, value);
            }
            return merged.size() < wanted;
          });
    }
    applyOverlay(merged, pending, range);
    for (WriteLayer layer : turnLayers) {
      applyOverlay(merged, layer, range);
    }
    NavigableMap<String, byte[]> ordered = options.reverse() ? merged.descendingMap() : merged;
    TreeMap<String, byte[]> result = new TreeMap<>(ordered.comparator());
    Iterator<Map.Entry<String, byte[]>> it = ordered.entrySet().iterator();
    while (it.hasNext() && result.size() < limit) {
      Map.Entry<String, byte[]> e = it.next();
      result.put(e.getKey(), e.getValue());
    }
    return result;
  }

  private static void applyOverlay(TreeMap<String, byte[]> merged, WriteLayer layer, KeyRange r) {
    if (layer.isCleared()) {
      merged.clear();
    }
    for (Map.Entry<String, byte[]> e : r.slice(layer.entries()).entrySet()) {
      if (e.getValue() == WriteLayer.TOMBSTONE) {
        merged.remove(e.getKey());
      } else {
        merged.put(e.getKey(), e.getValue());
      }
    }
  }

  /** The alarm under {@code turnLayers}. */
  Optional<Instant> alarm(List<WriteLayer> turnLayers) {
    for (int i = turnLayers.size() - 1; i >= 0; i--) {
      if (turnLayers.get(i).alarmChanged()) {
        return Optional.ofNullable(turnLayers.get(i).alarm());
      }
    }
    if (pending.alarmChanged()) {
      return Optional.ofNullable(pending.alarm());
    }
    return committedAlarm();
  }

  /** The alarm as committed. */
  public Optional<Instant> committedAlarm() {
    if (committedAlarm == null) {
      committedAlarm = engine.alarm(address).map(StoredAlarm::time);
    }
    return committedAlarm;
  }

  /** Moves the pending writes into a batch to commit; the pending layer starts empty again. */
  public WriteBatch takeBatch(long epoch) {
    if (committing != null) {
      throw new IllegalStateException("a commit of " + address + " is already in progress");
    }
    committing = pending;
    pending = new WriteLayer();
    return committing.toBatch(epoch);
  }

  /** Records that the batch from {@link #takeBatch} is durable. */
  public void committed() {
    WriteLayer done = committing;
    committing = null;
    if (done.isCleared()) {
      readCache.clear();
      readCacheBytes = 0;
    }
    for (Map.Entry<String, byte[]> e : done.entries().entrySet()) {
      remember(e.getKey(), e.getValue() == WriteLayer.TOMBSTONE ? null : e.getValue());
    }
    if (done.alarmChanged()) {
      committedAlarm = Optional.ofNullable(done.alarm());
    }
  }

  /** Forgets every uncommitted write and every cached value, after a failed commit. */
  public void reset() {
    committing = null;
    pending = new WriteLayer();
    readCache.clear();
    readCacheBytes = 0;
    committedAlarm = null;
  }

  private void remember(String key, byte[] value) {
    byte[] stored = value == null ? ABSENT : value;
    byte[] old = readCache.put(key, stored);
    readCacheBytes += stored.length + key.length() - (old == null ? 0 : old.length + key.length());
    Iterator<Map.Entry<String, byte[]>> it = readCache.entrySet().iterator();
    while (readCacheBytes > READ_CACHE_BYTES && it.hasNext()) {
      Map.Entry<String, byte[]> eldest = it.next();
      readCacheBytes -= eldest.getValue().length + eldest.getKey().length();
      it.remove();
    }
  }
}
