package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's part in the replicated storage: one Apache Ratis server (one gRPC port) hosting a
 * Raft group per replica group this node holds a copy of (multi-Raft, as CockroachDB and TiKV do
 * over RocksDB), each with its own RocksDB engine as the state machine ({@link GroupStateMachine}).
 *
 * <p><b>Why Ratis.</b> Consensus is not what Outpost exists for: Ratis is a maintained Raft in Java
 * (Apache Ozone's metadata and data pipelines run on it), with multi-group servers, leadership
 * transfer, priorities and a state-machine API that fits a RocksDB batch per entry. SOFAJRaft was
 * the alternative; Ratis won for being an Apache project already proven with RocksDB state
 * machines, and for resolving from Maven Central here. Hazelcast stays the membership and the
 * routing cache; which copy is the truth is decided only here, by Raft.
 *
 * <p><b>Writes.</b> The leader submits an object's batch as one log entry straight into its own
 * server ({@code submitClientRequestAsync}, as Ozone does, no client hop); the future completes
 * once a majority has the entry on disk and this node applied it. A node that is not (or no longer)
 * leader gets a refusal, never a silent success: a deposed leader cannot commit, because peers that
 * voted in a higher term reject its appends.
 *
 * <p><b>Threads.</b> Ratis runs its own threads (gRPC, log workers, the state-machine updater);
 * {@link #submit} may be called from any thread and never blocks; start and close block.
 */
public final class RatisReplication implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(RatisReplication.class.getName());

  private final RaftServer server;
  private final RaftPeerId self;
  private final ReplicationOptions options;
  private final GroupLayout layout;
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  // By group name: the groups this node has a copy of (made when Ratis opens or adds the group).
  private final Map<String, GroupStateMachine> machines;
  private final Map<String, RaftGroupId> ids;
  private final Map<String, Integer> unsettled = new ConcurrentHashMap<>();
  private final Set<String> changing = ConcurrentHashMap.newKeySet();
  private final TimeSource time;
  private final Instant startedAt;
  private final Map<String, Instant> lastSeenLive = new ConcurrentHashMap<>();
  private final Map<String, Instant> liveSince = new ConcurrentHashMap<>();
  private static final long STALLED_FOLLOWER_SECONDS = 15;
  private static final int NEVER_SEEN_FACTOR = 10;

  private RatisReplication(
      RaftServer server,
      RaftPeerId self,
      ReplicationOptions options,
      GroupLayout layout,
      Map<String, GroupStateMachine> machines,
      Map<String, RaftGroupId> ids,
      TimeSource time) {
    this.time = time;
    this.startedAt = time.now();
    this.server = server;
    this.self = self;
    this.options = options;
    this.layout = layout;
    this.machines = machines;
    this.ids = ids;
  }

  /**
   * Starts the Raft server of node {@code selfNode} with its groups of {@code layout}, keeping the
   * Raft logs under {@code dir/raft} and each group's copy and snapshots under {@code
   * dir/groups/NAME}. A group this node starts for the first time is created empty; one it held
   * before (by the layout, or because a membership change added this node) is recovered from its
   * newest snapshot and the log after it. Blocks until the server listens (leaders are elected in
   * the background). {@code time} measures how long peers have been absent (re-replication).
   */
  public static RatisReplication start(
      ReplicationOptions options,
      String selfNode,
      GroupLayout layout,
      Path dir,
      boolean syncWrites,
      GroupStateMachine.Events events,
      TimeSource time) {
    ReplicaPeer me = options.peer(selfNode);
    RaftPeerId self = RaftPeerId.valueOf(selfNode);
    Map<String, GroupStateMachine> machines = new ConcurrentHashMap<>();
    Map<String, RaftGroupId> ids = new LinkedHashMap<>();
    Map<RaftGroupId, GroupLayout.Group> byId = new LinkedHashMap<>();
    for (GroupLayout.Group group : layout.groups()) {
      ids.put(group.name(), groupId(group));
      byId.put(groupId(group), group);
    }
    RaftServer server = null;
    try {
      Path raftDir = dir.resolve("raft");
      Files.createDirectories(raftDir);
      RaftProperties props = new RaftProperties();
      RaftServerConfigKeys.setStorageDir(props, List.of(raftDir.toFile()));
      GrpcConfigKeys.Server.setHost(props, me.host());
      GrpcConfigKeys.Server.setPort(props, me.raftPort());
      TimeDuration min = millis(options.electionTimeoutMin());
      TimeDuration max = millis(options.electionTimeoutMax());
      RaftServerConfigKeys.Rpc.setTimeoutMin(props, min);
      RaftServerConfigKeys.Rpc.setTimeoutMax(props, max);
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(props, min);
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(props, max);
      RaftServerConfigKeys.Rpc.setRequestTimeout(props, TimeDuration.valueOf(5, TimeUnit.SECONDS));
      // Compaction: a RocksDB checkpoint every snapshotInterval entries, then the log up to it
      // goes; only closed segments can go, so a segment holds a fraction of an interval (64 bytes
      // an entry, 4 KiB to 8 MiB). Members that need purged entries get the checkpoint instead
      // (InstallSnapshot).
      RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, true);
      RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(props, options.snapshotInterval());
      RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(props, false);
      // Purge only what every member has committed too: with purging up to the snapshot, a member
      // catching up needed snapshot after snapshot (each purge overtook it; seen in the chaos test
      // with a snapshot every 20 entries). A member that is down holds the purge back until it is
      // replaced (replaceLostAfter), which bounds the log.
      RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(props, false);
      // Keep a few intervals of entries behind the head: a member that restarts a little behind
      // catches up by log, and a leader's log appender never looks for a purged previous entry
      // (a Ratis 3.2 appender that does dies for good; see unstickFollowers).
      RaftServerConfigKeys.Log.setPurgePreservationLogNum(props, options.snapshotInterval() * 5);
      RaftServerConfigKeys.Log.setPurgeGap(props, 1);
      long segment = Math.clamp(options.snapshotInterval() * 64, 4 << 10, 8 << 20);
      RaftServerConfigKeys.Log.setSegmentSizeMax(props, SizeInBytes.valueOf(segment));
      // A paused leader steps down after this long without a majority (Ratis default 10 s).
      RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(props, max);
      server =
          RaftServer.newBuilder()
              .setServerId(self)
              .setProperties(props)
              .setStateMachineRegistry(
                  gid -> {
                    GroupLayout.Group group = byId.get(gid);
                    if (group == null) {
                      throw new IllegalStateException(
                          "Raft group " + gid + " is not a replica group of this cluster's layout");
                    }
                    return machines.computeIfAbsent(
                        group.name(),
                        n ->
                            new GroupStateMachine(
                                group, dir.resolve("groups").resolve(n), syncWrites, events));
                  })
              .setOption(RaftStorage.StartupOption.RECOVER)
              .build();
      server.start();
      List<RaftGroupId> existing = new ArrayList<>();
      server.getGroupIds().forEach(existing::add);
      AtomicLong calls = new AtomicLong(1_000_000);
      for (GroupLayout.Group group : layout.groupsOf(selfNode)) {
        RaftGroupId gid = ids.get(group.name());
        if (existing.contains(gid)) {
          continue; // recovered from its log
        }
        RaftClientReply reply =
            server.groupManagement(
                GroupManagementRequest.newAdd(
                    ClientId.randomId(), self, calls.incrementAndGet(), raftGroup(gid, group)));
        if (!reply.isSuccess()) {
          throw new StorageException(
              "cannot create replica group " + group.name() + ": " + reply.getException());
        }
      }
      LOG.log(
          System.Logger.Level.INFO,
          "replication: node "
              + selfNode
              + " holds copies of "
              + machines.keySet()
              + " (Raft on "
              + me.address()
              + ")");
      return new RatisReplication(server, self, options, layout, machines, ids, time);
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        try {
          server.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      machines.values().forEach(GroupStateMachine::close); // closing an engine twice is harmless
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start replication on " + me.address(), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static TimeDuration millis(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A stable id: the group's name and members, so a changed layout makes new groups. */
  private static RaftGroupId groupId(GroupLayout.Group group) {
    StringBuilder key = new StringBuilder("outpost-group:").append(group.name());
    group.members().forEach(p -> key.append(':').append(p.nodeId()));
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static RaftGroup raftGroup(RaftGroupId gid, GroupLayout.Group group) {
    return RaftGroup.valueOf(
        gid, group.members().stream().map(RatisReplication::raftPeer).toList());
  }

  private static RaftPeer raftPeer(ReplicaPeer p) {
    // Equal priorities: with a higher-priority peer frozen (SIGSTOP), Ratis candidates wait for
    // its vote until the election times out, which stalled failover for 5 s. Leaders are spread by
    // balanceLeaders() instead.
    return RaftPeer.newBuilder().setId(p.nodeId()).setAddress(p.address()).build();
  }

  /** The groups this node holds a copy of (maybe one it was since replaced in). */
  public List<GroupLayout.Group> localGroups() {
    return machines.values().stream().map(GroupStateMachine::group).toList();
  }

  /** The group's engine on this node (its copy of the objects' data). */
  public Optional<StorageEngine> engine(GroupLayout.Group group) {
    return Optional.ofNullable(machines.get(group.name())).map(GroupStateMachine::engine);
  }

  /**
   * Appends {@code entry} to {@code group}'s log through this node, which must be its leader. The
   * future completes with the state machine's outcome ({@link GroupStateMachine#APPLIED} or {@link
   * GroupStateMachine#STALE}) once a majority has it and this node applied it, or fails with a
   * {@link StorageException} saying why not (not the leader, no majority in time).
   */
  public CompletableFuture<String> submit(GroupLayout.Group group, byte[] entry) {
    RaftClientRequest request =
        RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(self)
            .setGroupId(ids.get(group.name()))
            .setCallId(callIds.incrementAndGet())
            .setMessage(Message.valueOf(ByteString.copyFrom(entry)))
            .setType(RaftClientRequest.writeRequestType())
            .build();
    try {
      return server
          .submitClientRequestAsync(request)
          .thenApply(
              reply -> {
                if (!reply.isSuccess()) {
                  throw new StorageException(
                      "replica group "
                          + group.name()
                          + " refused the write on node "
                          + self
                          + ": "
                          + reply.getException());
                }
                return reply.getMessage().getContent().toString(StandardCharsets.US_ASCII);
              });
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new StorageException("cannot submit to replica group " + group.name(), e));
    }
  }

  private Optional<DivisionInfo> info(GroupLayout.Group group) {
    if (!machines.containsKey(group.name())) {
      return Optional.empty();
    }
    try {
      return Optional.of(server.getDivision(ids.get(group.name())).getInfo());
    } catch (IOException e) {
      return Optional.empty(); // not (yet) hosted here
    }
  }

  /** Whether this node leads {@code group} and has applied every entry of earlier terms. */
  public boolean isReadyLeader(GroupLayout.Group group) {
    return info(group).map(i -> i.isLeader() && i.isLeaderReady()).orElse(false);
  }

  /** Whether this node believes it leads {@code group} (maybe deposed without knowing yet). */
  public boolean isLeader(GroupLayout.Group group) {
    return info(group).map(DivisionInfo::isLeader).orElse(false);
  }

  /**
   * Whether this node leads {@code group} and a majority of its members (itself included) answered
   * it within {@code lease}: with {@code lease} below the election timeout, no other member can
   * have been elected meanwhile, so what this leader says is current (Raft's leader lease, as
   * Ratis' own {@code LeaderLease} computes it).
   */
  public boolean holdsLeaderLease(GroupLayout.Group group, Duration lease) {
    Optional<DivisionInfo> info = info(group).filter(DivisionInfo::isLeader);
    if (info.isEmpty()) {
      return false;
    }
    var followers = info.get().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
    long fresh =
        followers.stream().filter(f -> f.getLastRpcElapsedTimeMs() < lease.toMillis()).count();
    return (fresh + 1) * 2 > members(group).size();
  }

  private Optional<RaftConfiguration> configuration(GroupLayout.Group group) {
    if (!machines.containsKey(group.name())) {
      return Optional.empty();
    }
    try {
      return Optional.of(server.getDivision(ids.get(group.name())).getRaftConf());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The group's members as this node's Raft configuration has them (they change when a lost copy is
   * replaced), or the layout's if this node holds no copy. Node ids.
   */
  public List<String> members(GroupLayout.Group group) {
    return configuration(group)
        .map(c -> c.getCurrentPeers().stream().map(p -> p.getId().toString()).sorted().toList())
        .filter(m -> !m.isEmpty())
        .orElseGet(() -> group.members().stream().map(ReplicaPeer::nodeId).toList());
  }

  /** Whether this node holds a copy of {@code group} and is in its current configuration. */
  public boolean hosts(GroupLayout.Group group) {
    return configuration(group)
        .map(c -> c.getCurrentPeers().stream().anyMatch(this::isSelf))
        .orElse(false);
  }

  private boolean isSelf(RaftPeer peer) {
    return peer.getId().equals(self);
  }

  /**
   * Snapshots this node's copy of {@code group} now (a RocksDB checkpoint) and purges the log up to
   * it; completes with the snapshot's log index. For operations and tests: snapshots are otherwise
   * taken every {@code snapshotInterval} entries.
   */
  public CompletableFuture<Long> takeSnapshot(GroupLayout.Group group) {
    return server
        .snapshotManagementAsync(
            SnapshotManagementRequest.newCreate(
                clientId, self, ids.get(group.name()), callIds.incrementAndGet(), 30_000))
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                throw new StorageException(
                    "snapshot of " + group.name() + " failed: " + reply.getException());
              }
              return reply.getLogIndex();
            });
  }

  /**
   * Re-replication: for each group this node leads, replaces a member that Raft has not heard from
   * for {@code replaceLostAfter} and that has been absent from the cluster ({@code live}) as long,
   * by the first live peer of {@link GroupLayout#replacementsFor} that holds no copy yet: the peer
   * is given the group empty, then the configuration changes (Raft joint consensus, which completes
   * once the new member caught up by log or snapshot). One change per group at a time; the object
   * keeps running meanwhile. Returns how many changes were started. Never blocks.
   */
  public int replaceLostCopies(Predicate<String> live) {
    int started = 0;
    for (GroupStateMachine machine : machines.values()) {
      GroupLayout.Group group = machine.group();
      if (!isReadyLeader(group) || changing.contains(group.name())) {
        continue;
      }
      Optional<RaftConfiguration> conf = configuration(group);
      if (conf.isEmpty() || !conf.get().getPreviousPeers().isEmpty()) {
        continue; // a change is under way
      }
      List<String> current = members(group);
      Optional<String> lost = lostMember(group, live);
      if (lost.isEmpty()) {
        continue;
      }
      Optional<ReplicaPeer> replacement =
          layout.replacementsFor(group).stream()
              .filter(p -> !current.contains(p.nodeId()) && live.test(p.nodeId()))
              .findFirst();
      if (replacement.isEmpty()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "replication: "
                + group.name()
                + " lost its copy on "
                + lost.get()
                + " but no live peer can hold a new one");
        continue;
      }
      List<RaftPeer> peers = new ArrayList<>();
      conf.get().getCurrentPeers().stream()
          .filter(p -> !p.getId().toString().equals(lost.get()))
          .forEach(peers::add);
      peers.add(raftPeer(replacement.get()));
      changing.add(group.name());
      started++;
      LOG.log(
          System.Logger.Level.INFO,
          "replication: "
              + group.name()
              + " replaces its lost copy on "
              + lost.get()
              + " with a new one on "
              + replacement.get().nodeId());
      CompletableFuture.runAsync(() -> addEmptyGroupOn(group, replacement.get()))
          .thenCompose(v -> setConfiguration(group, peers))
          .whenComplete(
              (ok, error) -> {
                changing.remove(group.name());
                LOG.log(
                    error == null ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
                    "replication: "
                        + group.name()
                        + (error == null
                            ? " now has its copies on " + members(group)
                            : " could not replace " + lost.get() + ": " + error));
              });
    }
    return started;
  }

  /**
   * Works around a Ratis 3.2 failure: a leader's log appender that meets a purged entry stops for
   * good ("Previous = ... but firstIndex = ...", then "not running: skipping restart"), and the
   * follower, live and reachable, never hears from the leader again. For each group this node
   * leads, a follower that is {@code live} in the cluster but has not answered Raft for {@value
   * #STALLED_FOLLOWER_SECONDS} s makes the leader hand its leadership to another up-to-date
   * follower; the new leader starts fresh appenders. Returns how many hand-overs were asked for.
   */
  public int unstickFollowers(Predicate<String> live) {
    int asked = 0;
    for (GroupStateMachine machine : machines.values()) {
      GroupLayout.Group group = machine.group();
      Optional<DivisionInfo> info = info(group).filter(i -> i.isLeader() && i.isLeaderReady());
      if (info.isEmpty()) {
        continue;
      }
      var followers = info.get().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
      boolean stalled =
          followers.stream()
              .anyMatch(
                  f ->
                      f.getLastRpcElapsedTimeMs() > STALLED_FOLLOWER_SECONDS * 1000
                          && live.test(f.getId().getId().toStringUtf8())
                          && seenLiveFor(f.getId().getId().toStringUtf8())
                                  .compareTo(Duration.ofSeconds(STALLED_FOLLOWER_SECONDS))
                              > 0);
      if (!stalled) {
        continue;
      }
      Map<String, Long> lag = followerLag(group);
      Optional<String> target =
          followers.stream()
              .filter(
                  f -> f.getLastRpcElapsedTimeMs() < 2 * options.electionTimeoutMin().toMillis())
              .map(f -> f.getId().getId().toStringUtf8())
              .filter(node -> lag.getOrDefault(node, Long.MAX_VALUE) <= 8)
              .findFirst();
      if (target.isPresent()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "replication: a follower of "
                + group.name()
                + " is live but has not answered Raft for "
                + STALLED_FOLLOWER_SECONDS
                + " s; handing leadership to "
                + target.get()
                + " so that fresh log appenders start");
        transferLeadership(group, target.get(), Duration.ofSeconds(3));
        asked++;
      }
    }
    return asked;
  }

  /** How long {@code node} has been seen live without a gap (zero if it is not live now). */
  private Duration seenLiveFor(String node) {
    Instant since = liveSince.get(node);
    return since == null ? Duration.ZERO : Duration.between(since, time.now());
  }

  /**
   * A follower that Raft has not heard from for replaceLostAfter and that has been absent from the
   * cluster as long: since it was last seen live, or, if it was never seen since this node started,
   * for {@value #NEVER_SEEN_FACTOR} times as long, so that a cluster started one node at a time
   * does not move copies around.
   */
  private Optional<String> lostMember(GroupLayout.Group group, Predicate<String> live) {
    Optional<DivisionInfo> info = info(group).filter(DivisionInfo::isLeader);
    if (info.isEmpty()) {
      return Optional.empty();
    }
    Duration after = options.replaceLostAfter();
    Instant now = time.now();
    return info.get().getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
        .filter(f -> f.getLastRpcElapsedTimeMs() > options.replaceLostAfter().toMillis())
        .map(f -> f.getId().getId().toStringUtf8())
        .filter(node -> !live.test(node))
        .filter(
            node -> {
              Instant seen = lastSeenLive.get(node);
              return seen != null
                  ? Duration.between(seen, now).compareTo(after) > 0
                  : Duration.between(startedAt, now)
                          .compareTo(after.multipliedBy(NEVER_SEEN_FACTOR))
                      > 0;
            })
        .findFirst();
  }

  /**
   * Records which peers are live now; call before {@link #replaceLostCopies} and {@link
   * #unstickFollowers}, which measure absence and presence by it.
   */
  public void observeLive(Predicate<String> live) {
    Instant now = time.now();
    for (ReplicaPeer peer : options.peers()) {
      if (live.test(peer.nodeId())) {
        lastSeenLive.put(peer.nodeId(), now);
        liveSince.putIfAbsent(peer.nodeId(), now);
      } else {
        liveSince.remove(peer.nodeId());
      }
    }
  }

  /** Creates {@code group} on {@code peer} with no members yet, as a new member must start. */
  private void addEmptyGroupOn(GroupLayout.Group group, ReplicaPeer peer) {
    RaftPeer target = raftPeer(peer);
    try (RaftClient client =
        RaftClient.newBuilder()
            .setProperties(new RaftProperties())
            .setRaftGroup(RaftGroup.valueOf(ids.get(group.name()), target))
            .build()) {
      RaftClientReply reply =
          client
              .getGroupManagementApi(target.getId())
              .add(RaftGroup.valueOf(ids.get(group.name())));
      if (!reply.isSuccess()) {
        throw new StorageException(
            "cannot add " + group.name() + " on " + peer.nodeId() + ": " + reply.getException());
      }
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("already exists")) {
        return; // an earlier attempt got this far
      }
      throw new UncheckedIOException("cannot add " + group.name() + " on " + peer.nodeId(), e);
    }
  }

  private CompletableFuture<Void> setConfiguration(GroupLayout.Group group, List<RaftPeer> peers) {
    try {
      return server
          .setConfigurationAsync(
              new SetConfigurationRequest(
                  clientId, self, ids.get(group.name()), callIds.incrementAndGet(), peers))
          .thenAccept(
              reply -> {
                if (!reply.isSuccess()) {
                  throw new StorageException(
                      "configuration change of "
                          + group.name()
                          + " failed: "
                          + reply.getException());
                }
              });
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The group's leader as this node knows it (empty if not a member or during an election). */
  public Optional<String> leader(GroupLayout.Group group) {
    return info(group).map(DivisionInfo::getLeaderId).map(RaftPeerId::toString);
  }

  /**
   * How many log entries each follower of a group this node leads is behind it (last applied index
   * minus the follower's match index), by node id; empty when this node does not lead it.
   */
  public Map<String, Long> followerLag(GroupLayout.Group group) {
    Optional<DivisionInfo> info = info(group).filter(DivisionInfo::isLeader);
    if (info.isEmpty()) {
      return Map.of();
    }
    long applied = info.get().getLastAppliedIndex();
    long[] match = info.get().getFollowerMatchIndices();
    var followers = info.get().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
    Map<String, Long> lag = new LinkedHashMap<>();
    for (int i = 0; i < followers.size() && i < match.length; i++) {
      lag.put(followers.get(i).getId().getId().toStringUtf8(), Math.max(0, applied - match[i]));
    }
    return lag;
  }

  /** The group's current Raft term on this node (0 if not a member). */
  public long term(GroupLayout.Group group) {
    return info(group).map(DivisionInfo::getCurrentTerm).orElse(0L);
  }

  /**
   * Asks this node's leadership of {@code group} to move to {@code node} (an up-to-date member);
   * completes when it did or failed. Writes refused meanwhile are retried by their objects.
   */
  public CompletableFuture<Boolean> transferLeadership(
      GroupLayout.Group group, String node, Duration timeout) {
    try {
      return server
          .transferLeadershipAsync(
              new TransferLeadershipRequest(
                  clientId,
                  self,
                  ids.get(group.name()),
                  callIds.incrementAndGet(),
                  RaftPeerId.valueOf(node),
                  timeout.toMillis()))
          .thenApply(RaftClientReply::isSuccess);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Hands each group this node leads, but is not the preferred leader of, to its preferred leader
   * when that node is live ({@code live}) and up to date: one group per node, as YugabyteDB
   * balances leaders. Returns how many transfers were asked for. Never blocks.
   */
  public int balanceLeaders(java.util.function.Predicate<String> live) {
    int asked = 0;
    for (GroupStateMachine machine : machines.values()) {
      GroupLayout.Group group = machine.group();
      String preferred = group.preferredLeader().nodeId();
      if (preferred.equals(self.toString()) || !isReadyLeader(group) || !live.test(preferred)) {
        unsettled.remove(group.name());
        continue;
      }
      // Hand back only a leadership this node has held for a whole round: right after a failover
      // the objects' queued work (an alarm due now) finishes here instead of moving twice.
      if (unsettled.merge(group.name(), 1, Integer::sum) < 2) {
        continue;
      }
      unsettled.remove(group.name());
      if (!holdsLeaderLease(group, Duration.ofMillis(500))) {
        continue; // not a calm moment
      }
      Long lag = followerLag(group).get(preferred);
      if (lag == null || lag > 8) {
        unsettled.remove(group.name());
        continue; // the preferred peer is not up to date (or not running Raft yet)
      }
      transferLeadership(group, preferred, Duration.ofSeconds(3));
      asked++;
    }
    return asked;
  }

  /** Stops the Raft server (its groups' engines close with it). Blocks. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "Raft server did not close cleanly", e);
    }
  }
}
