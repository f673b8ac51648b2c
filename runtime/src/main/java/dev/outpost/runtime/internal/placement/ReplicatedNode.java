package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.internal.cluster.HazelcastCluster;
import dev.outpost.runtime.internal.replication.GroupLayout;
import dev.outpost.runtime.internal.replication.GroupLeadership;
import dev.outpost.runtime.internal.replication.GroupResolver;
import dev.outpost.runtime.internal.replication.RatisReplication;
import dev.outpost.runtime.internal.replication.ReplicatedStorage;
import dev.outpost.runtime.spi.StorageEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cluster node's replicated side, assembled in one place: the layout of replica groups, the Raft
 * server holding this node's copies ({@link RatisReplication}), the storage every commit of the
 * object host goes through ({@link ReplicatedStorage}), placement on the groups' leaders ({@link
 * ReplicatedPlacement}), and leader balancing (every {@value #BALANCE_SECONDS} s, each group goes
 * back to its preferred node when that node is live) and the replacement of lost copies (checked as
 * often). Owned by {@link Cluster}.
 */
public final class ReplicatedNode {

  private static final long BALANCE_SECONDS = 5;

  private final RatisReplication raft;
  private final ReplicatedStorage storage;
  private final ReplicatedPlacement placement;
  private final HazelcastCluster hazelcast;
  private final TimeSource time;
  private volatile boolean balancing = true;

  private ReplicatedNode(
      RatisReplication raft,
      ReplicatedStorage storage,
      ReplicatedPlacement placement,
      HazelcastCluster hazelcast,
      TimeSource time) {
    this.raft = raft;
    this.storage = storage;
    this.placement = placement;
    this.hazelcast = hazelcast;
    this.time = time;
  }

  /** Starts the Raft server of {@code self} with its groups; blocks until it listens. */
  public static ReplicatedNode start(
      String self,
      ReplicationOptions options,
      Path dir,
      boolean syncWrites,
      HazelcastCluster hazelcast,
      ExecutorService blocking,
      String codeVersion,
      RegionTopology topology,
      TimeSource time) {
    GroupLayout layout = GroupLayout.of(options, topology);
    GroupResolver resolver = new GroupResolver(layout, hazelcast);
    GroupLeadership leadership =
        new GroupLeadership(self, codeVersion, hazelcast, hazelcast, blocking, time, resolver);
    RatisReplication raft =
        RatisReplication.start(options, self, layout, dir, syncWrites, leadership, time);
    ReplicatedStorage storage = new ReplicatedStorage(raft, resolver, Duration.ofSeconds(60));
    ReplicatedPlacement placement =
        new ReplicatedPlacement(
            hazelcast,
            hazelcast,
            hazelcast,
            blocking,
            codeVersion,
            topology,
            hazelcast::loads,
            resolver,
            raft,
            leadership,
            options.electionTimeoutMin());
    ReplicatedNode node = new ReplicatedNode(raft, storage, placement, hazelcast, time);
    node.scheduleBalancing();
    node.scheduleReplacing();
    return node;
  }

  /** The object host's storage (closing it stops the Raft server). */
  public StorageEngine storage() {
    return storage;
  }

  /** Locator and ownership guard. */
  public ReplicatedPlacement placement() {
    return placement;
  }

  private void scheduleBalancing() {
    time.schedule(
        Duration.ofSeconds(BALANCE_SECONDS),
        () -> {
          if (!balancing) {
            return;
          }
          try {
            raft.balanceLeaders(node -> hazelcast.node(node).isPresent());
          } catch (RuntimeException e) {
            System.getLogger(ReplicatedNode.class.getName())
                .log(System.Logger.Level.WARNING, "leader balancing failed", e);
          }
          scheduleBalancing();
        });
  }

  /**
   * Every second, a leader replaces the copies its groups lost for good and unsticks followers
   * whose log appender died (both cheap when there is nothing to do).
   */
  private void scheduleReplacing() {
    time.schedule(
        Duration.ofSeconds(1),
        () -> {
          if (!balancing) {
            return;
          }
          try {
            java.util.function.Predicate<String> live = node -> hazelcast.node(node).isPresent();
            raft.observeLive(live);
            raft.replaceLostCopies(live);
            raft.unstickFollowers(live);
          } catch (RuntimeException e) {
            System.getLogger(ReplicatedNode.class.getName())
                .log(System.Logger.Level.WARNING, "replacing lost copies failed", e);
          }
          scheduleReplacing();
        });
  }

  /** Stops handing leadership around (the node is leaving or closing). */
  public void stopBalancing() {
    balancing = false;
  }

  /** Every replica group as this node sees it. */
  public List<Cluster.ReplicaGroupView> groups() {
    return placement.groups().stream().map(this::view).toList();
  }

  /** The replica group of {@code address}, if it was ever placed. */
  public Optional<Cluster.ReplicaGroupView> groupOf(ObjectAddress address) {
    return placement.groupOf(address).map(this::view);
  }

  private Cluster.ReplicaGroupView view(GroupLayout.Group group) {
    Optional<String> leader;
    long term;
    if (raft.hosts(group)) {
      leader = raft.leader(group);
      term = raft.term(group);
    } else {
      var published = hazelcast.leader(group.name());
      leader = published.map(l -> l.node());
      term = published.map(l -> l.term()).orElse(0L);
    }
    return new Cluster.ReplicaGroupView(
        group.name(),
        group.region(),
        raft.members(group),
        leader,
        term,
        raft.followerLag(group),
        hazelcast.leader(group.name()).map(l -> l.indexed()).orElse(false));
  }

  /** What a graceful leave did: groups whose leadership moved, and those it could not move. */
  public record Handover(int moved, int kept) {}

  /**
   * A graceful leave: moves the leadership of every group this node leads to another live member
   * (Raft leadership transfer: they hold copies, nothing is shipped), up to 5 s per group. Blocks.
   */
  public Handover handOverLeadership() {
    balancing = false;
    placement.startLeaving();
    int moved = 0;
    int kept = 0;
    String self = hazelcast.self().nodeId();
    for (GroupLayout.Group group : raft.localGroups()) {
      if (!raft.isReadyLeader(group)) {
        continue;
      }
      Optional<String> target =
          raft.members(group).stream()
              .filter(n -> !n.equals(self) && hazelcast.node(n).isPresent())
              .findFirst();
      boolean done = false;
      if (target.isPresent()) {
        try {
          done =
              raft.transferLeadership(group, target.get(), Duration.ofSeconds(5))
                  .get(6, TimeUnit.SECONDS);
        } catch (Exception e) {
          done = false;
        }
      }
      if (done) {
        moved++;
      } else {
        kept++;
      }
    }
    return new Handover(moved, kept);
  }
}
