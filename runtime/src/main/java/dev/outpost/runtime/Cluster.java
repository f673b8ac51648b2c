package dev.outpost.runtime;

import dev.outpost.runtime.internal.cluster.HazelcastCluster;
import dev.outpost.runtime.internal.placement.DirectoryLocator;
import dev.outpost.runtime.internal.placement.NodeLease;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ObjectDirectory;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * This node's membership in an Outpost cluster: the embedded Hazelcast member, the placement
 * directory, the node lease, and the {@link ObjectLocator} / {@link OwnershipGuard} built on them.
 * Start it before the object host (which takes {@link #guard()}) and the router (which takes {@link
 * #locator()}); close it last.
 */
public final class Cluster implements AutoCloseable, ClusterView {

  private final HazelcastCluster hazelcast;
  private final NodeLease lease;
  private final DirectoryLocator locator; // null when replicated
  private final dev.outpost.runtime.internal.placement.ReplicatedNode replicated; // null alone
  private final ExecutorService blocking;
  private final String codeVersion;
  private final TimeSource time;
  private final RegionTopology topology;
  private volatile boolean closed;

  private Cluster(
      HazelcastCluster hazelcast,
      NodeLease lease,
      DirectoryLocator locator,
      dev.outpost.runtime.internal.placement.ReplicatedNode replicated,
      ExecutorService e,
      String codeVersion,
      TimeSource time,
      RegionTopology topology) {
    this.hazelcast = hazelcast;
    this.lease = lease;
    this.locator = locator;
    this.replicated = replicated;
    this.blocking = e;
    this.codeVersion = codeVersion;
    this.time = time;
    this.topology = topology;
  }

  /** How often a node publishes its load. */
  private static final java.time.Duration LOAD_INTERVAL = java.time.Duration.ofSeconds(2);

  /** Publishes this node's figures every 2 s, for placement and the cluster map. */
  public void publishStats(java.util.function.Supplier<NodeStats> stats) {
    if (closed) {
      return;
    }
    try {
      blocking.execute(() -> hazelcast.publishStats(stats.get(), LOAD_INTERVAL.multipliedBy(3)));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return; // closing
    }
    time.schedule(LOAD_INTERVAL, () -> publishStats(stats));
  }

  @Override
  public RegionTopology topology() {
    return topology;
  }

  @Override
  public java.util.Map<String, NodeStats> stats() {
    return hazelcast.stats();
  }

  @Override
  public dev.outpost.runtime.spi.ClusterMembership.NodeInfo self() {
    return hazelcast.self();
  }

  @Override
  public java.util.List<dev.outpost.runtime.spi.ClusterMembership.NodeInfo> liveNodes() {
    return hazelcast.liveNodes();
  }

  /**
   * Moves an object this node owns to a live node of {@code region} with the hand-over (seal,
   * drain, ship, epoch + 1). Blocks.
   *
   * @return what happened, for the caller
   * @throws IllegalArgumentException if the region may not hold the object (jurisdiction), or has
   *     no live node
   */
  public String move(
      ObjectAddress address,
      String region,
      ObjectMigrations host,
      dev.outpost.runtime.spi.HandoverTransport transport) {
    if (replicated != null) {
      throw new IllegalStateException(
          "moving an object to another region is not supported with replicated storage yet: its"
              + " replica group is fixed by the region it was placed in");
    }
    if (!topology.regions().isEmpty() && !topology.regions().contains(region)) {
      throw new IllegalArgumentException(
          "unknown region " + region + "; regions: " + topology.regions());
    }
    var record =
        hazelcast
            .lookup(address)
            .orElseThrow(() -> new IllegalArgumentException(address + " has never been placed"));
    if (!topology.allows(region, record.jurisdiction())) {
      throw new IllegalArgumentException(
          address
              + " is restricted to jurisdiction "
              + record.jurisdiction().get()
              + "; region "
              + region
              + " is outside it");
    }
    var coordinator =
        new dev.outpost.runtime.internal.placement.HandoverCoordinator(
            hazelcast, hazelcast, host, transport);
    var target = coordinator.pickTarget(region);
    if (target.isEmpty()) {
      throw new IllegalArgumentException("no live node in region " + region);
    }
    return switch (coordinator.handOver(address, target)) {
      case MOVED -> "moved " + address + " to node " + target.get().nodeId() + " in " + region;
      case PARKED -> "hand-over of " + address + " failed; it stays on this node";
      case SKIPPED -> address + " is not owned by this node";
    };
  }

  /**
   * Joins (or starts) the cluster and takes this node's lease; blocks until both are done.
   *
   * @param codeVersion the code version new placements record
   */
  public static Cluster join(ClusterOptions options, TimeSource time, String codeVersion) {
    return join(options, time, codeVersion, RegionTopology.open());
  }

  /**
   * Joins (or starts) the cluster in a world described by {@code topology}; blocks until joined and
   * leased.
   */
  public static Cluster join(
      ClusterOptions options, TimeSource time, String codeVersion, RegionTopology topology) {
    return join(options, time, codeVersion, topology, Optional.empty());
  }

  /**
   * What a replicated node needs: the replication settings, the directory that holds its Raft logs
   * and its copies of each group's data, and whether RocksDB fsyncs every write (the Raft log is
   * always fsynced).
   */
  public record Replication(
      ReplicationOptions options, java.nio.file.Path dir, boolean syncWrites) {
    public Replication {
      java.util.Objects.requireNonNull(options, "options");
      java.util.Objects.requireNonNull(dir, "dir");
    }
  }

  /**
   * Joins (or starts) the cluster in a world described by {@code topology}, with replicated storage
   * when {@code replication} is present (then {@link #replicatedStorage()} is the storage the
   * object host must use, and objects run on their replica group's Raft leader); blocks until
   * joined, leased and, when replicated, the Raft server listens.
   */
  public static Cluster join(
      ClusterOptions options,
      TimeSource time,
      String codeVersion,
      RegionTopology topology,
      Optional<Replication> replication) {
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
    if (replication.isEmpty()) {
      DirectoryLocator locator =
          new DirectoryLocator(
              hazelcast, hazelcast, lease, blocking, codeVersion, topology, hazelcast::loads);
      return new Cluster(hazelcast, lease, locator, null, blocking, codeVersion, time, topology);
    }
    try {
      Replication r = replication.get();
      var replicated =
          dev.outpost.runtime.internal.placement.ReplicatedNode.start(
              options.nodeId(),
              r.options(),
              r.dir(),
              r.syncWrites(),
              hazelcast,
              blocking,
              codeVersion,
              topology,
              time);
      return new Cluster(hazelcast, lease, null, replicated, blocking, codeVersion, time, topology);
    } catch (RuntimeException | Error e) {
      lease.stop();
      hazelcast.close();
      blocking.shutdownNow();
      throw e;
    }
  }

  /**
   * The storage the object host must use on a replicated node (every commit a Raft entry); empty
   * without replication. The node closes it (that stops the Raft server).
   */
  public Optional<dev.outpost.runtime.spi.StorageEngine> replicatedStorage() {
    return Optional.ofNullable(replicated).map(r -> r.storage());
  }

  /**
   * Claims, in the directory, every object whose data is on this node, so that after a restart of
   * the whole cluster objects return to the node holding their data instead of starting empty
   * elsewhere. An object another node already owns is left alone and reported. Blocks.
   *
   * @return how many objects this node owns after claiming
   */
  public int claimLocalObjects(dev.outpost.runtime.spi.StorageEngine engine) {
    if (replicated != null) {
      return 0; // each group's Raft leader lists its objects when it becomes ready
    }
    int owned = 0;
    var self = hazelcast.self();
    for (ObjectAddress object : engine.objects()) {
      var proposal =
          new dev.outpost.runtime.spi.PlacementRecord(
              self.nodeId(),
              self.region(),
              Math.max(1, engine.epoch(object)),
              codeVersion,
              dev.outpost.runtime.spi.PlacementRecord.State.ACTIVE,
              java.util.Optional.empty());
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

  /**
   * Makes this node take part in code rollouts: records each app it booted with as that app's first
   * version if the cluster has none (so a rollback can return to it), then brings it to every app's
   * current version if some were deployed before it joined. Blocks.
   *
   * @throws BundleRejectedException if a deployed app does not load here or conflicts with a boot
   *     app of another name over a namespace
   */
  public void attachCode(CodeDeployments deployments) {
    hazelcast.rollout(time).attach(deployments);
  }

  /**
   * Rolls a code bundle (jar bytes) out to every node as a version of its app ({@code bundle.name}
   * of its manifest): all prepare it, then, only if all succeeded, all activate it. The other apps
   * keep serving. Blocks.
   *
   * @throws IllegalArgumentException if the bytes are not a jar or its manifest names no app
   */
  public RolloutReport deploy(byte[] jar) {
    String app = dev.outpost.runtime.internal.bundle.BundleJars.appName(jar);
    String version = dev.outpost.runtime.internal.bundle.BundleJars.label(jar);
    return report(hazelcast.rollout(time).deploy(app, version, jar));
  }

  /** Rolls the app deployed last back to its previous version. Blocks. */
  public RolloutReport rollback() {
    return rollback(java.util.Optional.empty());
  }

  /**
   * Rolls {@code app} (empty: the app deployed last) back to its version before the current one on
   * every node; the version the cluster booted with counts. Blocks.
   */
  public RolloutReport rollback(java.util.Optional<String> app) {
    return report(hazelcast.rollout(time).rollback(app));
  }

  /**
   * Stops serving {@code app} on every node; the other apps keep serving and its objects' stored
   * data stays (deploying it again serves it again). Blocks.
   */
  public RolloutReport undeploy(String app) {
    return report(hazelcast.rollout(time).undeploy(app));
  }

  /** Every app the cluster runs and its current version, sorted by app. */
  public java.util.SortedMap<String, String> apps() {
    return hazelcast.rollout(time).apps();
  }

  private static RolloutReport report(
      dev.outpost.runtime.internal.cluster.CodeRollout.Outcome outcome) {
    return new RolloutReport(
        outcome.activated(),
        outcome.app(),
        outcome.version(),
        outcome.problems(),
        outcome.activateMillis());
  }

  /**
   * What a rollout, rollback or undeploy did.
   *
   * @param activated whether every node now runs {@code version} of {@code app} (for an undeploy:
   *     no node runs the app any more)
   * @param app the app concerned; empty if none was named and none was deployed
   * @param version the version rolled out (for an undeploy: the one removed); empty if refused
   *     before one was chosen
   * @param problems why not, per node (class, exception, message), or why nothing was tried
   * @param activateMillis time from the switch decision to every node serving the version
   */
  public record RolloutReport(
      boolean activated,
      String app,
      String version,
      java.util.List<String> problems,
      long activateMillis) {}

  /**
   * One replica group as this node sees it, for the cluster map and operators.
   *
   * @param name the group ({@code g-<preferred leader>})
   * @param region the region of its preferred leader
   * @param members the nodes holding a copy, preferred leader first
   * @param leader its Raft leader, if known (Raft when this node is a member, else as published)
   * @param term the leader's Raft term (0 if unknown)
   * @param followerLag when this node leads it: log entries each follower is behind
   * @param listed whether a ready leader has listed the group's objects in the directory since the
   *     cluster started (until every group is listed, cold keys are refused)
   */
  public record ReplicaGroupView(
      String name,
      String region,
      java.util.List<String> members,
      Optional<String> leader,
      long term,
      java.util.Map<String, Long> followerLag,
      boolean listed) {}

  /** The replica groups of a replicated cluster; empty without replication. */
  public java.util.List<ReplicaGroupView> replicaGroups() {
    return replicated == null ? java.util.List.of() : replicated.groups();
  }

  /** The replica group of {@code address}, if replicated and the object was ever placed. */
  public Optional<ReplicaGroupView> replicaGroupOf(ObjectAddress address) {
    return replicated == null ? Optional.empty() : replicated.groupOf(address);
  }

  /** Where objects live, for the router. */
  public ObjectLocator locator() {
    return replicated != null ? replicated.placement() : locator;
  }

  /** Whether this node owns an object, for the object host. */
  public OwnershipGuard guard() {
    return replicated != null ? replicated.placement() : locator;
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
    if (replicated != null) {
      var moved = replicated.handOverLeadership();
      return new LeaveReport(moved.moved(), moved.kept(), 0);
    }
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
    closed = true;
    if (replicated != null) {
      replicated.stopBalancing();
    }
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
    closed = true;
    if (replicated != null) {
      replicated.stopBalancing();
    }
    lease.stop();
    hazelcast.terminateForTest();
    blocking.shutdownNow();
  }
}
