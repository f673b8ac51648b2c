package dev.outpost.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Key-value operations shared by {@link DurableObjectStorage} and {@link DurableObjectTransaction}.
 *
 * <p>Keys are strings ordered by their UTF-8 bytes. Values are {@code byte[]}, {@code String}, or
 * any value Jackson can serialize as JSON (numbers, records, maps, lists...); read them back with
 * the type you want. A read returns the state as of the call, the current turn's own writes
 * included. Multi-key calls take at most {@value #MAX_KEYS_PER_CALL} keys.
 *
 * <p>Limits are Cloudflare's SQLite-backed ones: key plus value at most 2 MiB by default
 * (configurable with {@code outpost.storage.max-entry-size}). A call that breaks a limit throws
 * {@link StorageLimitException} and writes nothing.
 */
public interface StorageOperations {

  /** Most keys per multi-key get, put or delete. */
  int MAX_KEYS_PER_CALL = 128;

  /**
   * The value of {@code key} read as {@code type}, or empty if the key is absent.
   *
   * @throws IllegalArgumentException if the stored value cannot be read as {@code type}
   */
  <T> Optional<T> get(String key, Class<T> type);

  /** The values of the keys present among {@code keys}, sorted by key. */
  <T> Map<String, T> get(List<String> keys, Class<T> type);

  /** Writes one value. */
  void put(String key, Object value);

  /** Writes one value with options. */
  void put(String key, Object value, WriteOptions options);

  /** Writes several values atomically. */
  void put(Map<String, ?> entries);

  /** Deletes a key; true if it existed. */
  boolean delete(String key);

  /** Deletes several keys; returns how many existed. */
  int delete(List<String> keys);

  /** The entries selected by {@code options}, in key order (descending with reverse). */
  <T> Map<String, T> list(ListOptions options, Class<T> type);
}
