package dev.outpost.runtime.internal.storage.rocksdb;

import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;

/**
 * The RocksDB options of every store Outpost opens (a node's store, and each replica group's store
 * on a replicated node), sized for small nodes: a development node holding a few bytes takes a few
 * hundred kilobytes of disk, not the ~75 MB RocksDB's defaults take.
 *
 * <p>What the defaults cost, and what we set instead:
 *
 * <ul>
 *   <li><b>Pre-allocation.</b> RocksDB reserves disk for the write-ahead log ahead of writes
 *       ({@code fallocate} with {@code KEEP_SIZE}: {@code ls} shows a small file, {@code du} 1.1 x
 *       the 64 MiB write buffer, about 70 MiB per store) and 4 MiB for the manifest. Here {@code
 *       allow_fallocate} is false (no pre-allocation): files take the blocks they hold. The cost is
 *       one more file-size update in the file system per WAL block written, which only {@code
 *       --sync-writes} commits might notice. {@code manifest_preallocation_size} is {@value
 *       #MANIFEST_PREALLOCATION_BYTES} bytes in case a platform pre-allocates anyway.
 *   <li><b>Info log</b> ({@code LOG}, RocksDB's own diagnostics: options at open, flushes,
 *       compactions, a statistics dump every 10 minutes). Unbounded by default, and every open
 *       keeps the previous one as {@code LOG.old.*}. Here: rolled at {@value #MAX_LOG_FILE_BYTES}
 *       bytes, {@value #KEEP_LOG_FILES} files kept, so at most 3 MiB per store; level {@code WARN},
 *       since what INFO adds (flush and compaction progress) is for tuning, not operating.
 *   <li><b>WAL size.</b> {@code max_total_wal_size} {@value #MAX_TOTAL_WAL_BYTES} bytes: once the
 *       logs hold that much, the memtables are flushed and old logs deleted, so a store that is
 *       written slowly does not keep a long WAL (and a long replay at start).
 * </ul>
 *
 * <p>The memtable size is RocksDB's default (64 MiB): memory is taken as data arrives, not ahead.
 */
final class SmallNodeOptions {

  static final boolean ALLOW_FALLOCATE = false;
  static final long MANIFEST_PREALLOCATION_BYTES = 64L * 1024;
  static final long MAX_LOG_FILE_BYTES = 1024L * 1024;
  static final long KEEP_LOG_FILES = 3;
  static final long MAX_TOTAL_WAL_BYTES = 64L * 1024 * 1024;

  private SmallNodeOptions() {}

  /** New options (the caller closes them) that create the database if missing. */
  static Options create() {
    return new Options()
        .setCreateIfMissing(true)
        .setAllowFAllocate(ALLOW_FALLOCATE)
        .setManifestPreallocationSize(MANIFEST_PREALLOCATION_BYTES)
        .setMaxLogFileSize(MAX_LOG_FILE_BYTES)
        .setKeepLogFileNum(KEEP_LOG_FILES)
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES);
  }
}
