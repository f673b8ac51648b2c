package dev.outpost.runtime;

import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Tells a router where an object lives, placing it on first use (Pekko's {@code ShardRegion}
 * lookup). Results may be cached; a router that hears "not owner" calls {@link #invalidate} and
 * asks again. Thread-safe; never blocks the caller.
 */
public interface ObjectLocator {

  /** A locator for a node that is alone: everything is local. */
  ObjectLocator LOCAL =
      new ObjectLocator() {
        @Override
        public CompletableFuture<Location> locate(ObjectAddress address, PlacementHints hints) {
          return CompletableFuture.completedFuture(Location.LOCAL);
        }

        @Override
        public void invalidate(ObjectAddress address) {}
      };

  /** Where the object lives now, placing it if it has no owner yet. */
  default CompletableFuture<Location> locate(ObjectAddress address) {
    return locate(address, PlacementHints.NONE);
  }

  /**
   * Where the object lives now; if it has no owner yet, places it: in the region the hint names
   * (when its jurisdiction allows), else in this router's region (when allowed), else in the
   * nearest allowed region; on the least-loaded live node there. If no live node can take it, the
   * location is unavailable, naming the region.
   */
  CompletableFuture<Location> locate(ObjectAddress address, PlacementHints hints);

  /** Forgets any cached placement of the object. */
  void invalidate(ObjectAddress address);

  /** Where an object is. */
  sealed interface Location {
    /** Owned by this node. */
    Location LOCAL = new Local();

    /** On this node. */
    record Local() implements Location {}

    /** On another live node. */
    record Remote(NodeInfo node) implements Location {}

    /**
     * Not reachable now; the message says why, for the client. {@code moving}: it is being handed
     * to another node and will be back within moments, so a router may wait and ask again.
     */
    record Unavailable(String reason, Duration retryAfter, boolean moving) implements Location {}
  }
}
