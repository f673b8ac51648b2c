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

  private Cluster(
      HazelcastCluster hazelcast, NodeLease lease, DirectoryLocator locator, ExecutorService e) {
    this.hazelcast = hazelcast;
    this.lease = lease;
    this.locator = locator;
    this.blocking = e;
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
    return new Cluster(hazelcast, lease, locator, blocking);
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

  /** Leaves the cluster gracefully. */
  @Override
  public void close() {
    lease.stop();
    hazelcast.close();
    blocking.shutdownNow();
  }

  /** Drops out of the cluster as a crash would: no goodbye, partitions recovered from backups. */
  public void crashForTest() {
    lease.stop();
    hazelcast.terminateForTest();
    blocking.shutdownNow();
  }
}
