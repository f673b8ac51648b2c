package dev.outpost.runtime;

import dev.outpost.runtime.internal.cluster.HazelcastCluster;
import dev.outpost.runtime.internal.placement.DirectoryLocator;
import dev.outpost.runtime.internal.placement.NodeLease;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ObjectDirectory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * This node's membership in an Outpost cluster: the embedded Hazelcast member, the placement
 * directory, the node lease, and the {@link ObjectLocator} / {@link OwnershipGuard} built on them.
 * Start it before the object host (which takes {@link #guard()}) and the router (which takes {@link
 * #locator()}); close it last.
 */
public final class Cluster implements AutoCloseable {

  private final HazelcastCluster hazelcast;
  private final NodeLease lease;
  private final DirectoryLocator locator;
  private final ExecutorService blocking;
  private final String codeVersion;

  private Cluster(
      HazelcastCluster hazelcast,
      NodeLease lease,
      DirectoryLocator locator,
      ExecutorService e,
      String codeVersion) {
    this.hazelcast = hazelcast;
    this.lease = lease;
    this.locator = locator;
    this.blocking = e;
    this.codeVersion = codeVersion;
  }

  /**
   * Joins (or starts) the cluster and takes this node's lease; blocks until both are done.
   *
   * @param codeVersion the code version new placements record
   */
  public static Cluster join(ClusterOptions options, TimeSource time, String codeVersion) {
    ExecutorService blocking =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cluster-", 0).factory());
    HazelcastCluster hazelcast = HazelcastCluster.start(options);
    NodeLease lease =
        new NodeLease(
            time,
            blocking,
            hazelcast::renewLease,
            options.leaseTtl(),
            options.leaseMargin(),
            options.leaseRenewInterval());
    lease.start();
    DirectoryLocator locator =
        new DirectoryLocator(hazelcast, hazelcast, lease, blocking, codeVersion);
    return new Cluster(hazelcast, lease, locator, blocking, codeVersion);
  }

  /**
   * Claims, in the directory, every object whose data is on this node, so that after a restart of
   * the whole cluster objects return to the node holding their data instead of starting empty
   * elsewhere. An object another node already owns is left alone and reported. Blocks.
   *
   * @return how many objects this node owns after claiming
   */
  public int claimLocalObjects(dev.outpost.runtime.spi.StorageEngine engine) {
    int owned = 0;
    var self = hazelcast.self();
    for (ObjectAddress object : engine.objects()) {
      var proposal =
          new dev.outpost.runtime.spi.PlacementRecord(
              self.nodeId(),
              self.region(),
              Math.max(1, engine.epoch(object)),
              codeVersion,
              dev.outpost.runtime.spi.PlacementRecord.State.ACTIVE);
      var winner = hazelcast.register(object, proposal);
      if (winner.owner().equals(self.nodeId())) {
        owned++;
      } else {
        System.getLogger(Cluster.class.getName())
            .log(
                System.Logger.Level.WARNING,
                object
                    + " has data on this node but node "
                    + winner.owner()
                    + " owns it (epoch "
                    + winner.epoch()
                    + "); this copy is not served");
      }
    }
    return owned;
  }

  /** Where objects live, for the router. */
  public ObjectLocator locator() {
    return locator;
  }

  /** Whether this node owns an object, for the object host. */
  public OwnershipGuard guard() {
    return locator;
  }

  /** The live nodes. */
  public ClusterMembership membership() {
    return hazelcast;
  }

  /** The placement directory. */
  public ObjectDirectory directory() {
    return hazelcast;
  }

  /**
   * Leaves on purpose: places nothing new here, hands every owned object to another node of the
   * region (or parks it when there is none), then returns. Close the router and the cluster after.
   * Blocks.
   */
  public LeaveReport handOverAll(
      ObjectMigrations host, dev.outpost.runtime.spi.HandoverTransport transport) {
    locator.startLeaving();
    var report =
        new dev.outpost.runtime.internal.placement.HandoverCoordinator(
                hazelcast, hazelcast, host, transport)
            .handOverAll();
    return new LeaveReport(report.moved(), report.parked(), report.skipped());
  }

  /**
   * What a graceful leave did.
   *
   * @param moved objects handed to another node
   * @param parked objects kept here (no other node in the region, or the hand-over failed)
   * @param skipped objects that changed owner meanwhile
   */
  public record LeaveReport(int moved, int parked, int skipped) {}

  /** Leaves the cluster gracefully. */
  @Override
  public void close() {
    lease.stop();
    hazelcast.close();
    blocking.shutdownNow();
  }

  /** Stops (true) or resumes (false) renewing this node's lease, as a hung process would. */
  public void suspendLeaseForTest(boolean suspend) {
    lease.suspendForTest(suspend);
  }

  /** Drops out of the cluster as a crash would: no goodbye, partitions recovered from backups. */
  public void crashForTest() {
    lease.stop();
    hazelcast.terminateForTest();
    blocking.shutdownNow();
  }
}
