package dev.outpost.runtime;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What an object's owner knows about it, for operators ({@link ObjectHost#details}).
 *
 * @param active whether an instance is live in memory now
 * @param connections its open hibernatable client sockets on this node
 * @param storedKeys how many keys it has committed
 * @param storedBytes the bytes of its committed keys and values, as stored (encoded values; the
 *     engine's own overhead and the alarm are not counted)
 * @param alarm when its stored alarm is due, if it has one
 * @param storedEpoch the highest epoch this node committed for it (0 if none)
 */
public record ObjectDetails(
    boolean active,
    int connections,
    long storedKeys,
    long storedBytes,
    Optional<Instant> alarm,
    long storedEpoch) {

  /** Checks the fields. */
  public ObjectDetails {
    Objects.requireNonNull(alarm, "alarm");
    if (connections < 0 || storedKeys < 0 || storedBytes < 0 || storedEpoch < 0) {
      throw new IllegalArgumentException("counts are never negative");
    }
  }
}
