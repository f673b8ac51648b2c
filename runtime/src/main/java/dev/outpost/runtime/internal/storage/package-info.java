/**
 * Object storage above the engine: the {@code DurableObjectStorage} users see (validation, limits,
 * value encoding), the per-object write-back cache with its turn and transaction layers, key order
 * and ranges, and the in-memory {@code StorageEngine}.
 *
 * <p>Internal to the runtime: depends on {@code api}, {@code runtime}, {@code runtime.spi} and
 * Jackson (values); never on RocksDB, which stays in the {@code rocksdb} subpackage. Only the
 * runtime depends on it. See docs/design.md §3 and §4.
 */
package dev.outpost.runtime.internal.storage;
