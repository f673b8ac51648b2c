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

  /**
   * Remembers the name {@code address}'s id was made from ({@code idFromName}), so that operators
   * can list objects by name. Does nothing when the id has no name or a name is already recorded
   * (an id's name never changes: the id is a keyed hash of it). Names are kept beside the records,
   * for as long as the cluster runs; owners record them again when they activate an object
   * addressed by name.
   */
  void recordName(ObjectAddress address);

  /** The name recorded for the object's id (by {@link #recordName}), if any. */
  Optional<String> nameOf(ObjectAddress address);

  /**
   * One page of the objects of {@code namespace} that have a record, ordered by id (hex,
   * ascending), each with its recorded name (in its id) and its record.
   *
   * @param after the last id (64 hex digits) of the previous page; empty for the first page
   * @param limit the most objects to return, 1 to 1000
   * @return the page, with the cursor of the next one when more objects follow
   * @throws IllegalArgumentException if {@code limit} is out of range or {@code after} is not an id
   */
  DirectoryPage list(String namespace, Optional<String> after, int limit);

  /**
   * One page of {@link #list}: the objects, and the cursor (the last id) to pass as {@code after}
   * for the next page when there may be more.
   */
  record DirectoryPage(List<Listed> objects, Optional<String> next) {
    /** Copies the list. */
    public DirectoryPage {
      objects = List.copyOf(objects);
      java.util.Objects.requireNonNull(next, "next");
    }
  }

  /** An object of a {@link DirectoryPage}: its address (with its recorded name) and its record. */
  record Listed(ObjectAddress address, PlacementRecord record) {
    /** Checks for nulls. */
    public Listed {
      java.util.Objects.requireNonNull(address, "address");
      java.util.Objects.requireNonNull(record, "record");
    }
  }
}
