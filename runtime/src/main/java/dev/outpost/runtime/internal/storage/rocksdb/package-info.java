/**
 * The node's durable {@code StorageEngine} on RocksDB: one database per node, one contiguous key
 * range per object, the alarm index, and the per-object epoch that refuses stale writers.
 *
 * <p>The only package that imports {@code org.rocksdb} (checked by {@code ArchitectureTest}).
 * Depends on {@code api}, {@code runtime} and {@code runtime.spi}; everything else reaches it as a
 * {@code StorageEngine} through {@code dev.outpost.runtime.StorageEngines}. See docs/design.md §4.
 */
package dev.outpost.runtime.internal.storage.rocksdb;
