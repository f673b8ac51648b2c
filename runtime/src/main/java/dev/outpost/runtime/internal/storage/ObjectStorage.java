package dev.outpost.runtime.internal.storage;

import dev.outpost.api.DurableObjectStorage;
import dev.outpost.api.DurableObjectTransaction;
import dev.outpost.api.ListOptions;
import dev.outpost.api.StorageLimitException;
import dev.outpost.api.WriteOptions;
import dev.outpost.runtime.RuntimeOptions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link DurableObjectStorage} an object instance sees. Validates and encodes at the API
 * boundary, then reads and writes through the {@link StorageCache} on the running turn's layers.
 * Every call first asks for the running turn, which fails outside the object's own turns.
 */
public final class ObjectStorage implements DurableObjectStorage {

  private final StorageCache cache;
  private final RuntimeOptions options;
  private final Supplier<StorageTurn> turn;

  public ObjectStorage(StorageCache cache, RuntimeOptions options, Supplier<StorageTurn> turn) {
    this.cache = cache;
    this.options = options;
    this.turn = turn;
  }

  private List<WriteLayer> layers() {
    return turn.get().layers();
  }

  private WriteLayer top() {
    List<WriteLayer> layers = layers();
    return layers.get(layers.size() - 1);
  }

  @Override
  public <T> Optional<T> get(String key, Class<T> type) {
    checkKey(key);
    Objects.requireNonNull(type, "type");
    byte[] value = cache.read(key, layers());
    return value == null
        ? Optional.empty()
        : Optional.of(ValueCodec.decode(value, type, "value of key '" + key + "'"));
  }

  @Override
  public <T> Map<String, T> get(List<String> keys, Class<T> type) {
    checkKeyCount(keys.size(), "get");
    TreeMap<String, T> result = new TreeMap<>(KeyOrder.COMPARATOR);
    for (String key : keys) {
      get(key, type).ifPresent(v -> result.put(key, v));
    }
    return result;
  }

  @Override
  public void put(String key, Object value) {
    put(key, value, WriteOptions.DEFAULT);
  }

  @Override
  public void put(String key, Object value, WriteOptions writeOptions) {
    checkKey(key);
    byte[] encoded = encodeEntry(key, value);
    top().put(key, encoded, !writeOptions.allowUnconfirmed());
  }

  @Override
  public void put(Map<String, ?> entries) {
    checkKeyCount(entries.size(), "put");
    Map<String, byte[]> encoded = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : entries.entrySet()) {
      checkKey(e.getKey());
      encoded.put(e.getKey(), encodeEntry(e.getKey(), e.getValue()));
    }
    WriteLayer top = top();
    encoded.forEach((k, v) -> top.put(k, v, true));
  }

  @Override
  public boolean delete(String key) {
    checkKey(key);
    boolean existed = cache.read(key, layers()) != null;
    top().delete(key, true);
    return existed;
  }

  @Override
  public int delete(List<String> keys) {
    checkKeyCount(keys.size(), "delete");
    keys.forEach(ObjectStorage::checkKey);
    int existed = 0;
    for (String key : keys) {
      existed += delete(key) ? 1 : 0;
    }
    return existed;
  }

  @Override
  public <T> Map<String, T> list(ListOptions listOptions, Class<T> type) {
    Objects.requireNonNull(listOptions, "options");
    Objects.requireNonNull(type, "type");
    Map<String, T> result = new LinkedHashMap<>();
    cache
        .list(listOptions, layers())
        .forEach((k, v) -> result.put(k, ValueCodec.decode(v, type, "value of key '" + k + "'")));
    return result;
  }

  @Override
  public <T> T transaction(Function<DurableObjectTransaction, T> function) {
    Objects.requireNonNull(function, "function");
    List<WriteLayer> layers = layers();
    WriteLayer layer = new WriteLayer();
    layers.add(layer);
    Transaction txn = new Transaction();
    boolean ok = false;
    try {
      T result = function.apply(txn);
      ok = !txn.rolledBack;
      return result;
    } finally {
      layers.remove(layers.size() - 1);
      txn.done = true;
      if (ok) {
        layer.mergeInto(layers.get(layers.size() - 1));
      }
    }
  }

  @Override
  public void deleteAll() {
    top().clear();
  }

  @Override
  public void sync() {
    if (layers().size() > 1) {
      throw new IllegalStateException("sync() cannot be called inside a transaction");
    }
    turn.get().sync();
  }

  @Override
  public Optional<Instant> getAlarm() {
    return cache.alarm(layers());
  }

  @Override
  public void setAlarm(Instant time) {
    Objects.requireNonNull(time, "time");
    top().setAlarm(Instant.ofEpochMilli(time.toEpochMilli()), true);
  }

  @Override
  public void deleteAlarm() {
    top().setAlarm(null, true);
  }

  private byte[] encodeEntry(String key, Object value) {
    byte[] encoded = ValueCodec.encode(value, "value for key '" + key + "'");
    long size = (long) KeyOrder.bytes(key).length + encoded.length - 1;
    if (size > options.maxEntrySize()) {
      throw new StorageLimitException(
          "key and value for key '"
              + abbreviate(key)
              + "' are "
              + Sizes.describe(size)
              + "; the limit is "
              + Sizes.describe(options.maxEntrySize())
              + " (outpost.storage.max-entry-size)");
    }
    return encoded;
  }

  private static void checkKey(String key) {
    Objects.requireNonNull(key, "key");
    KeyOrder.requireWellFormed(key);
  }

  private static void checkKeyCount(int count, String operation) {
    if (count > MAX_KEYS_PER_CALL) {
      throw new StorageLimitException(
          operation
              + " was given "
              + count
              + " keys; the limit is "
              + MAX_KEYS_PER_CALL
              + " keys per call (Cloudflare's limit, not configurable)");
    }
  }

  private static String abbreviate(String key) {
    return key.length() <= 64 ? key : key.substring(0, 64) + "...";
  }

  /** The transaction view: the same operations, on the transaction's own layer. */
  private final class Transaction implements DurableObjectTransaction {
    boolean rolledBack;
    boolean done;

    private ObjectStorage live() {
      if (done) {
        throw new IllegalStateException("the transaction is over; use storage directly");
      }
      return ObjectStorage.this;
    }

    @Override
    public void rollback() {
      live();
      rolledBack = true;
    }

    @Override
    public <T> Optional<T> get(String key, Class<T> type) {
      return live().get(key, type);
    }

    @Override
    public <T> Map<String, T> get(List<String> keys, Class<T> type) {
      return live().get(keys, type);
    }

    @Override
    public void put(String key, Object value) {
      live().put(key, value);
    }

    @Override
    public void put(String key, Object value, WriteOptions writeOptions) {
      live().put(key, value, writeOptions);
    }

    @Override
    public void put(Map<String, ?> entries) {
      live().put(entries);
    }

    @Override
    public boolean delete(String key) {
      return live().delete(key);
    }

    @Override
    public int delete(List<String> keys) {
      return live().delete(keys);
    }

    @Override
    public <T> Map<String, T> list(ListOptions listOptions, Class<T> type) {
      return live().list(listOptions, type);
    }
  }
}
