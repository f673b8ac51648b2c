package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectLocator;
import dev.outpost.runtime.OwnershipGuard;
import dev.outpost.runtime.PlacementHints;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.internal.replication.GroupLayout;
import dev.outpost.runtime.internal.replication.GroupLeadership;
import dev.outpost.runtime.internal.replication.GroupResolver;
import dev.outpost.runtime.internal.replication.RatisReplication;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import dev.outpost.runtime.spi.ReplicaGroupDirectory;
import dev.outpost.runtime.spi.StoredAlarm;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Placement and ownership in a replicated cluster: an object runs on the Raft leader of its replica
 * group, wherever that is now; the directory records its region (which fixes its group) and, as a
 * cache, the node that last activated it, with an epoch that goes up at every change of owner.
 *
 * <ul>
 *   <li><b>Routers</b> ({@link #locate}) find the group and ask Raft (groups this node holds) or
 *       the published leaders (others) who leads it. During an election the object is "unavailable,
 *       moving": routers wait and ask again for about 5 s.
 *   <li><b>The runtime</b> ({@link #acquire}) may run an object only while this node is the group's
 *       ready leader; taking it over from another node moves the record to this node at epoch + 1
 *       (above the epoch its stored data carries).
 *   <li><b>Cold keys</b> are placed only once every group has a ready leader that listed its
 *       objects in the directory, so after a whole-cluster restart no object is started empty while
 *       a copy of its data exists; until then routers answer 503 with Retry-After.
 * </ul>
 *
 * Acknowledged writes need no help from here: Raft refuses entries from a deposed leader.
 */
public final class ReplicatedPlacement implements ObjectLocator, OwnershipGuard {

  private static final Duration ELECTION_RETRY = Duration.ofSeconds(1);
  private static final Duration STARTING_RETRY = Duration.ofSeconds(1);

  private final ObjectDirectory directory;
  private final ReplicaGroupDirectory groupLeaders;
  private final ClusterMembership membership;
  private final Executor blocking;
  private final String codeVersion;
  private final PlacementDirector director;
  private final GroupResolver resolver;
  private final RatisReplication replication;
  private final GroupLeadership leadership;
  private final Map<String, String> remoteLeaders = new ConcurrentHashMap<>(); // group -> node
  private final Duration leaderLease;
  private volatile boolean everyGroupListed;
  private volatile boolean leaving;

  public ReplicatedPlacement(
      ObjectDirectory directory,
      ReplicaGroupDirectory groupLeaders,
      ClusterMembership membership,
      Executor blocking,
      String codeVersion,
      RegionTopology topology,
      Supplier<Map<String, Integer>> loads,
      GroupResolver resolver,
      RatisReplication replication,
      GroupLeadership leadership,
      Duration electionTimeoutMin) {
    this.directory = directory;
    this.groupLeaders = groupLeaders;
    this.membership = membership;
    this.blocking = blocking;
    this.codeVersion = codeVersion;
    this.director = new PlacementDirector(topology, membership, loads);
    this.resolver = resolver;
    this.replication = replication;
    this.leadership = leadership;
    this.leaderLease = Duration.ofMillis(electionTimeoutMin.toMillis() * 9 / 10);
    membership.addListener(
        new ClusterMembership.Listener() {
          @Override
          public void nodeLeft(NodeInfo node) {
            remoteLeaders.values().removeIf(n -> n.equals(node.nodeId()));
          }
        });
  }

  /** From now on, cold keys are placed in other regions' groups only if this region has none. */
  public void startLeaving() {
    leaving = true;
  }

  @Override
  public CompletableFuture<Location> locate(ObjectAddress address, PlacementHints hints) {
    GroupLayout.Group known = resolver.cached(address);
    if (known != null) {
      Location location = locationOf(address, known, false);
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
      if (!everyGroupListed()) {
        return new Location.Unavailable(
            "the cluster is starting: replica groups are electing leaders and listing their"
                + " objects, so "
                + address
                + " cannot be placed yet",
            STARTING_RETRY,
            true);
      }
      PlacementDirector.Choice choice = director.choose(address, hints, leaving);
      if (choice.node().isEmpty()) {
        return new Location.Unavailable(choice.refusal(), STARTING_RETRY, false);
      }
      NodeInfo node = choice.node().get();
      record =
          directory.register(
              address,
              PlacementRecord.first(
                  node.nodeId(), node.region(), codeVersion, address.id().jurisdiction()));
      DirectoryLocator.recordNameLater(directory, blocking, address);
    }
    return locationOf(address, resolver.remember(address, record.region()), true);
  }

  private boolean everyGroupListed() {
    if (everyGroupListed) {
      return true;
    }
    for (GroupLayout.Group group : resolver.layout().groups()) {
      if (!groupLeaders.leader(group.name()).map(l -> l.indexed()).orElse(false)) {
        return false;
      }
    }
    everyGroupListed = true;
    return true;
  }

  private Location locationOf(ObjectAddress address, GroupLayout.Group group, boolean mayBlock) {
    if (replication.isReadyLeader(group)) {
      return Location.LOCAL;
    }
    String self = membership.self().nodeId();
    Optional<String> leader;
    if (replication.hosts(group)) {
      leader = replication.leader(group).filter(l -> !l.equals(self));
    } else {
      leader = Optional.ofNullable(remoteLeaders.get(group.name()));
      if (leader.isEmpty() && mayBlock) {
        leader = groupLeaders.leader(group.name()).map(ReplicaGroupDirectory.GroupLeader::node);
        leader.ifPresent(l -> remoteLeaders.put(group.name(), l));
      }
    }
    Optional<NodeInfo> node = leader.flatMap(membership::node);
    if (node.isPresent()) {
      return new Location.Remote(node.get());
    }
    return new Location.Unavailable(
        address
            + " is in replica group "
            + group.name()
            + ", which is electing a leader; retry shortly",
        ELECTION_RETRY,
        true);
  }

  /** Every replica group of the layout. */
  public List<GroupLayout.Group> groups() {
    return resolver.layout().groups();
  }

  /** The object's group, if it was ever placed (reads the directory on a miss). */
  public Optional<GroupLayout.Group> groupOf(ObjectAddress address) {
    GroupLayout.Group known = resolver.cached(address);
    if (known != null) {
      return Optional.of(known);
    }
    return directory.lookup(address).map(r -> resolver.remember(address, r.region()));
  }

  @Override
  public void invalidate(ObjectAddress address) {
    GroupLayout.Group group = resolver.cached(address);
    if (group != null) {
      remoteLeaders.remove(group.name());
    }
  }

  /**
   * This node may run the object while it is its group's ready leader; the epoch is the group's
   * Raft term, which only goes up and differs between leaders, so batches of a deposed leader are
   * also refused on replay. The directory learns the new owner in the background (it is a routing
   * cache), so taking over does not wait for Hazelcast, whose partitions may be held by the very
   * node that just died.
   */
  @Override
  public long acquire(ObjectAddress address) {
    String self = membership.self().nodeId();
    GroupLayout.Group group = resolver.cached(address);
    if (group == null) {
      PlacementRecord record =
          directory.lookup(address).orElseThrow(() -> new NotOwnerException(address, self, null));
      group = resolver.remember(address, record.region());
    }
    // Term first, then readiness, then the term again: "ready" must hold in the very term the
    // epoch is taken from, or a node that won a later term before applying the previous one would
    // run the object on an incomplete copy.
    long term = replication.term(group);
    if (!replication.isReadyLeader(group) || replication.term(group) != term) {
      throw new NotOwnerException(address, self, replication.leader(group).orElse(null));
    }
    blocking.execute(() -> recordOwner(address, self, term));
    DirectoryLocator.recordNameLater(directory, blocking, address);
    return term;
  }

  private void recordOwner(ObjectAddress address, String self, long term) {
    try {
      Optional<PlacementRecord> record = directory.lookup(address);
      if (record.isPresent() && !record.get().owner().equals(self)) {
        PlacementRecord r = record.get();
        directory.compareAndSet(
            address,
            r,
            new PlacementRecord(
                self,
                r.region(),
                Math.max(r.epoch() + 1, term),
                r.codeVersion(),
                PlacementRecord.State.ACTIVE,
                r.jurisdiction()));
      }
    } catch (RuntimeException e) {
      // a routing cache: the next take-over or a "not owner" corrects it
    }
  }

  /**
   * Whether this node may commit and let output leave: it must hold the Raft leader lease of every
   * group it believes it leads (a majority answered within 0.9 of the shortest election timeout). A
   * frozen and thawed leader fails this at once, before it learns it was deposed.
   */
  @Override
  public boolean leaseValid() {
    for (GroupLayout.Group group : replication.localGroups()) {
      if (replication.isLeader(group) && !replication.holdsLeaderLease(group, leaderLease)) {
        return false;
      }
    }
    return true;
  }

  /** The Raft leader lease of the object's group; the node-wide answer if the group is unknown. */
  @Override
  public boolean leaseValid(ObjectAddress address) {
    GroupLayout.Group group = resolver.cached(address);
    return group == null ? leaseValid() : replication.holdsLeaderLease(group, leaderLease);
  }

  /** Still the ready leader of the object's group, in the term the epoch was taken in. */
  @Override
  public boolean stillOwns(ObjectAddress address, long epoch) {
    GroupLayout.Group group = resolver.cached(address);
    return group != null && replication.isReadyLeader(group) && replication.term(group) == epoch;
  }

  @Override
  public void onAlarmsAcquired(Consumer<List<StoredAlarm>> arm) {
    leadership.onAlarmsAcquired(arm);
  }
}
