package dev.outpost.runtime;

/**
 * Decides whether this node may run and commit for an object. On a single node it always may; in a
 * cluster, only for objects the directory says it owns, and only while its lease is valid. Called
 * from turn threads (may block).
 */
public interface OwnershipGuard {

  /** A guard for a node that is alone: it owns everything, at epoch 1. */
  OwnershipGuard SOLE =
      new OwnershipGuard() {
        @Override
        public long acquire(ObjectAddress address) {
          return 1;
        }

        @Override
        public boolean leaseValid() {
          return true;
        }
      };

  /**
   * The epoch at which this node owns the object now.
   *
   * @throws NotOwnerException if another node owns it, or it is being moved
   */
  long acquire(ObjectAddress address);

  /**
   * Whether this node may still commit and let output leave: its lease was renewed recently enough
   * by its own clock. When false, commits are refused and output is dropped.
   */
  boolean leaseValid();

  /**
   * Whether this node may still commit and let output leave for {@code address}; by default the
   * node-wide {@link #leaseValid()}. A replicated cluster answers per replica group (the Raft
   * leader lease of the object's group).
   */
  default boolean leaseValid(ObjectAddress address) {
    return leaseValid();
  }

  /**
   * Whether this node still owns {@code address} at {@code epoch}, checked (cheaply, without the
   * network) at every turn. False when ownership moved away since, even if it came back: what the
   * activation holds in memory may then be stale, so it is dropped and the object taken again. By
   * default true: without replication, a node that lost an object learns it from a refused commit.
   */
  default boolean stillOwns(ObjectAddress address, long epoch) {
    return true;
  }

  /**
   * Registers {@code arm} to hear the stored alarms of objects this node comes to own while it runs
   * (in a replicated cluster, when it becomes a replica group's Raft leader), so that they fire
   * here, once. Called on a background thread. The default never calls it: without replication a
   * node owns at start everything it will own, and arms those alarms then.
   */
  default void onAlarmsAcquired(
      java.util.function.Consumer<java.util.List<dev.outpost.runtime.spi.StoredAlarm>> arm) {}
}
