package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectMigrations;
import dev.outpost.runtime.ObjectSnapshot;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import dev.outpost.runtime.spi.HandoverTransport;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Hands this node's objects over to other nodes when it leaves on purpose (Pekko's hand-off,
 * Orleans' graceful shutdown). For each object the node owns:
 *
 * <ol>
 *   <li>mark the record MOVING (compare-and-set): routers stop sending and wait;
 *   <li>seal the object: no new events, queued turns finish and commit, the instance goes;
 *   <li>close its sockets with 1012 so clients reconnect, and reach the new owner;
 *   <li>ship its data (entries and alarm) to a live node of the same region, which installs it at
 *       epoch + 1;
 *   <li>set the record to the new owner at epoch + 1 (compare-and-set from MOVING);
 *   <li>fence the local copy: delete it with the new epoch, so a stale activation here can never
 *       commit.
 * </ol>
 *
 * Where the region has no other live node, or shipping fails, the object is PARKED instead: it
 * stays owned by this node with its data, and routers answer 503 until the node is back. Nothing is
 * ever started empty elsewhere. Runs on the caller's thread (blocks).
 */
public final class HandoverCoordinator {

  private static final System.Logger LOG = System.getLogger(HandoverCoordinator.class.getName());
  private static final Duration SHIP_TIMEOUT = Duration.ofSeconds(30);

  /** What happened to each object. */
  public record Report(int moved, int parked, int skipped) {}

  private final ObjectDirectory directory;
  private final ClusterMembership membership;
  private final ObjectMigrations host;
  private final HandoverTransport transport;

  public HandoverCoordinator(
      ObjectDirectory directory,
      ClusterMembership membership,
      ObjectMigrations host,
      HandoverTransport transport) {
    this.directory = directory;
    this.membership = membership;
    this.host = host;
    this.transport = transport;
  }

  /** Hands over (or parks) every object this node owns. */
  public Report handOverAll() {
    int moved = 0;
    int parked = 0;
    int skipped = 0;
    for (ObjectAddress address : directory.ownedBy(membership.self().nodeId())) {
      switch (handOver(address, pickTarget())) {
        case MOVED -> moved++;
        case PARKED -> parked++;
        case SKIPPED -> skipped++;
      }
    }
    return new Report(moved, parked, skipped);
  }

  /** The outcome for one object. */
  public enum Outcome {
    MOVED,
    PARKED,
    SKIPPED
  }

  /** A live node of this node's region, other than this one, chosen at random; or empty. */
  public Optional<NodeInfo> pickTarget() {
    return pickTarget(membership.self().region());
  }

  /** A live node of {@code region}, other than this one, chosen at random; or empty. */
  public Optional<NodeInfo> pickTarget(String region) {
    NodeInfo self = membership.self();
    List<NodeInfo> candidates =
        membership.liveNodes().stream()
            .filter(n -> !n.nodeId().equals(self.nodeId()) && n.region().equals(region))
            .toList();
    return candidates.isEmpty()
        ? Optional.empty()
        : Optional.of(candidates.get(ThreadLocalRandom.current().nextInt(candidates.size())));
  }

  /** Moves one object to {@code target}, or parks it when there is none. */
  public Outcome handOver(ObjectAddress address, Optional<NodeInfo> target) {
    String self = membership.self().nodeId();
    Optional<PlacementRecord> current = directory.lookup(address);
    if (current.isEmpty() || !current.get().owner().equals(self)) {
      return Outcome.SKIPPED;
    }
    PlacementRecord record = current.get();
    if (target.isEmpty()) {
      return park(address, record, "no other live node in region " + record.region());
    }
    PlacementRecord moving = record.withState(PlacementRecord.State.MOVING);
    if (!directory.compareAndSet(address, record, moving)) {
      return Outcome.SKIPPED; // changed under us; leave it
    }
    try {
      host.seal(address).get(host.sealTimeout().toMillis(), TimeUnit.MILLISECONDS);
      host.closeSockets(address, 1012, "object moving to another node; reconnect");
      ObjectSnapshot snapshot = host.snapshot(address);
      PlacementRecord next = record.movedTo(target.get().nodeId(), target.get().region());
      transport
          .ship(target.get(), address, next.epoch(), snapshot)
          .get(SHIP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (!directory.compareAndSet(address, moving, next)) {
        throw new IllegalStateException("placement of " + address + " changed while it moved");
      }
      host.fenceMovedOut(address, next.epoch());
      LOG.log(
          Level.INFO,
          "handed "
              + address
              + " to node "
              + next.owner()
              + " at epoch "
              + next.epoch()
              + " ("
              + snapshot.entries().size()
              + " entries)");
      return Outcome.MOVED;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      LOG.log(Level.WARNING, "hand-over of " + address + " failed; parking it", e);
      host.unseal(address);
      return directory.compareAndSet(address, moving, record)
          ? park(address, record, "hand-over failed: " + e)
          : Outcome.SKIPPED;
    }
  }

  private Outcome park(ObjectAddress address, PlacementRecord record, String why) {
    if (directory.compareAndSet(address, record, record.withState(PlacementRecord.State.PARKED))) {
      LOG.log(Level.INFO, "parked " + address + " on this node: " + why);
      return Outcome.PARKED;
    }
    return Outcome.SKIPPED;
  }
}
