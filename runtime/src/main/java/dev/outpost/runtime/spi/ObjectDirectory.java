package dev.outpost.runtime.spi;

import dev.outpost.runtime.ObjectAddress;
import java.util.List;
import java.util.Optional;

/**
 * The cluster-wide record of where each object lives (Orleans' {@code IGrainDirectory}). Entries
 * change only atomically: {@link #register} is put-if-absent, {@link #compareAndSet} replaces only
 * the expected record. So routers racing on a cold key agree on one owner.
 *
 * <p>The directory alone does not guarantee a single owner (the Hazelcast map is AP): owners also
 * hold a lease and fence storage with the epoch. Thread-safe; calls may block on the network, so
 * never call them on an event loop.
 *
 * <p>Implementations: {@code HazelcastObjectDirectory} (a partitioned map) and {@code
 * InMemoryObjectDirectory} (tests; shared by in-JVM nodes).
 */
public interface ObjectDirectory {

  /** The current record, if the object was ever placed. */
  Optional<PlacementRecord> lookup(ObjectAddress address);

  /**
   * Registers {@code proposal} if the object has no record. Returns the owner that actually won:
   * the proposal, or the record another node registered first (then nothing changes).
   */
  PlacementRecord register(ObjectAddress address, PlacementRecord proposal);

  /** Replaces {@code expected} by {@code next}; false (nothing changes) if the record differs. */
  boolean compareAndSet(ObjectAddress address, PlacementRecord expected, PlacementRecord next);

  /** Removes the record if it is still {@code expected}. */
  boolean remove(ObjectAddress address, PlacementRecord expected);

  /** Every object whose record names {@code node} as owner. */
  List<ObjectAddress> ownedBy(String node);
}
