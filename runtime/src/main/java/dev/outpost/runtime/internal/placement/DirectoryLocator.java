package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectLocator;
import dev.outpost.runtime.OwnershipGuard;
import dev.outpost.runtime.PlacementHints;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Placement and ownership on top of the {@link ObjectDirectory}: where an object lives (for
 * routers, cached and corrected on "not owner" and on membership changes) and whether this node may
 * run it (for the runtime, checked against the directory when an activation starts, and against the
 * node lease before every commit and output).
 *
 * <p>A cold object is placed by the {@link PlacementDirector} (region of the hint or of the first
 * router, jurisdiction strictly, least-loaded node); {@code register} is put-if-absent, so routers
 * racing on a cold key agree on one owner. Objects never move by themselves: an owner that is down
 * leaves its objects unavailable (their data is on its disk) until it returns.
 */
public final class DirectoryLocator implements ObjectLocator, OwnershipGuard {

  private static final Duration OWNER_DOWN_RETRY = Duration.ofSeconds(5);
  private static final Duration MOVING_RETRY = Duration.ofSeconds(1);
  private static final Duration NO_NODE_RETRY = Duration.ofSeconds(5);

  private final ObjectDirectory directory;
  private final ClusterMembership membership;
  private final NodeLease lease;
  private final Executor blocking;
  private final String codeVersion;
  private final PlacementDirector director;
  private final ConcurrentHashMap<ObjectAddress, PlacementRecord> cache = new ConcurrentHashMap<>();
  private volatile boolean leaving; // place nothing new here

  public DirectoryLocator(
      ObjectDirectory directory,
      ClusterMembership membership,
      NodeLease lease,
      Executor blocking,
      String codeVersion,
      RegionTopology topology,
      Supplier<Map<String, Integer>> loads) {
    this.directory = directory;
    this.membership = membership;
    this.lease = lease;
    this.blocking = blocking;
    this.codeVersion = codeVersion;
    this.director = new PlacementDirector(topology, membership, loads);
    membership.addListener(
        new ClusterMembership.Listener() {
          @Override
          public void nodeLeft(NodeInfo node) {
            cache.values().removeIf(r -> r.owner().equals(node.nodeId()));
          }
        });
  }

  /** From now on, new objects are placed on other nodes (this one is leaving). */
  public void startLeaving() {
    leaving = true;
  }

  @Override
  public CompletableFuture<Location> locate(ObjectAddress address, PlacementHints hints) {
    PlacementRecord cached = cache.get(address);
    if (cached != null) {
      Location location = locationOf(address, cached);
      if (!(location instanceof Location.Unavailable)) {
        return CompletableFuture.completedFuture(location);
      }
    }
    return CompletableFuture.supplyAsync(() -> resolve(address, hints), blocking);
  }

  private Location resolve(ObjectAddress address, PlacementHints hints) {
    Optional<PlacementRecord> existing = directory.lookup(address);
    PlacementRecord record;
    if (existing.isPresent()) {
      record = existing.get();
    } else {
      PlacementDirector.Choice choice = director.choose(address, hints, leaving);
      if (choice.node().isEmpty()) {
        return new Location.Unavailable(choice.refusal(), NO_NODE_RETRY, false);
      }
      NodeInfo node = choice.node().get();
      record =
          directory.register(
              address,
              PlacementRecord.first(
                  node.nodeId(), node.region(), codeVersion, address.id().jurisdiction()));
      recordNameLater(directory, blocking, address);
    }
    cache.put(address, record);
    return locationOf(address, record);
  }

  private Location locationOf(ObjectAddress address, PlacementRecord record) {
    NodeInfo self = membership.self();
    if (record.state() == PlacementRecord.State.MOVING) {
      return new Location.Unavailable(
          address + " is moving from node " + record.owner() + "; retry shortly",
          MOVING_RETRY,
          true);
    }
    if (record.owner().equals(self.nodeId())) {
      return Location.LOCAL;
    }
    Optional<NodeInfo> owner = membership.node(record.owner());
    if (owner.isEmpty() || record.state() == PlacementRecord.State.PARKED) {
      return new Location.Unavailable(
          address
              + " lives on node "
              + record.owner()
              + " (region "
              + record.region()
              + "), which is not running; its data is on that node, so it is back when the node"
              + " returns",
          OWNER_DOWN_RETRY,
          false);
    }
    return new Location.Remote(owner.get());
  }

  @Override
  public void invalidate(ObjectAddress address) {
    cache.remove(address);
  }

  @Override
  public long acquire(ObjectAddress address) {
    String self = membership.self().nodeId();
    Optional<PlacementRecord> record = directory.lookup(address);
    if (record.isEmpty()) {
      throw new NotOwnerException(address, self, null);
    }
    PlacementRecord r = record.get();
    if (!r.owner().equals(self)) {
      cache.put(address, r);
      throw new NotOwnerException(address, self, r.owner());
    }
    if (r.state() == PlacementRecord.State.PARKED) {
      PlacementRecord active = r.withState(PlacementRecord.State.ACTIVE);
      if (!directory.compareAndSet(address, r, active)) {
        throw new NotOwnerException(address, self, null);
      }
      r = active;
    } else if (r.state() == PlacementRecord.State.MOVING) {
      throw new NotOwnerException(address, self, r.owner());
    }
    cache.put(address, r);
    recordNameLater(directory, blocking, address);
    return r.epoch();
  }

  /**
   * Records, on {@code executor}, the name of an object addressed by name, for operators: off the
   * request's and the activation's path (a directory write they need not wait for). A failure only
   * costs the name in listings until the next placement or activation by name, so it is logged and
   * never reaches the caller.
   */
  static void recordNameLater(ObjectDirectory directory, Executor executor, ObjectAddress address) {
    if (address.id().name().isEmpty()) {
      return;
    }
    try {
      executor.execute(
          () -> {
            try {
              directory.recordName(address);
            } catch (RuntimeException e) {
              System.getLogger(DirectoryLocator.class.getName())
                  .log(System.Logger.Level.DEBUG, "cannot record the name of " + address, e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // the node is stopping
    }
  }

  @Override
  public boolean leaseValid() {
    return lease.isValid();
  }
}
