package dev.outpost.runtime;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything an object has stored, as shipped when it is handed to another node: its entries in key
 * order and its alarm.
 *
 * @param entries the stored entries (raw keys and encoded values)
 * @param alarm the alarm, if set
 */
public record ObjectSnapshot(List<Entry> entries, Optional<Instant> alarm) {

  /** Copies the list. */
  public ObjectSnapshot {
    entries = List.copyOf(entries);
  }

  /** One stored entry. */
  public record Entry(byte[] key, byte[] value) {}

  /** Total bytes of keys and values. */
  public long size() {
    return entries.stream().mapToLong(e -> e.key().length + e.value().length).sum();
  }
}
