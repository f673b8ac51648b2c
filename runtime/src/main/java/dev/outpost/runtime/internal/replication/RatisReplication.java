package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
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
  private final ClientId clientId = ClientId.randomId();
  private final AtomicLong callIds = new AtomicLong();
  private final Map<String, GroupStateMachine> machines; // by group name, this node's groups
  private final Map<String, RaftGroupId> ids;
  private final Map<String, Integer> unsettled = new java.util.concurrent.ConcurrentHashMap<>();

  private RatisReplication(
      RaftServer server,
      RaftPeerId self,
      Map<String, GroupStateMachine> machines,
      Map<String, RaftGroupId> ids) {
    this.server = server;
    this.self = self;
    this.machines = machines;
    this.ids = ids;
  }

  /**
   * Starts the Raft server of node {@code selfNode} with its groups of {@code layout}, keeping the
   * Raft logs under {@code dir/raft} and each group's RocksDB under {@code dir/groups/NAME}. A
   * group this node starts for the first time is created empty; one it held before is recovered
   * from its log. Blocks until the server listens (leaders are elected in the background).
   */
  public static RatisReplication start(
      ReplicationOptions options,
      String selfNode,
      GroupLayout layout,
      Path dir,
      boolean syncWrites,
      GroupStateMachine.Events events) {
    ReplicaPeer me = options.peer(selfNode);
    RaftPeerId self = RaftPeerId.valueOf(selfNode);
    Map<String, GroupStateMachine> machines = new LinkedHashMap<>();
    Map<String, RaftGroupId> ids = new LinkedHashMap<>();
    Map<RaftGroupId, GroupStateMachine> byId = new LinkedHashMap<>();
    for (GroupLayout.Group group : layout.groups()) {
      ids.put(group.name(), groupId(group));
    }
    RaftServer server = null;
    try {
      for (GroupLayout.Group group : layout.groupsOf(selfNode)) {
        Path storage = dir.resolve("groups").resolve(group.name());
        Files.createDirectories(storage);
        GroupStateMachine machine =
            new GroupStateMachine(group, StorageEngines.rocksDb(storage, syncWrites), events);
        machines.put(group.name(), machine);
        byId.put(ids.get(group.name()), machine);
      }
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
      RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(props, false);
      RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(props, false);
      // A paused leader steps down after this long without a majority (Ratis default 10 s).
      RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(props, max);
      server =
          RaftServer.newBuilder()
              .setServerId(self)
              .setProperties(props)
              .setStateMachineRegistry(
                  gid -> {
                    GroupStateMachine machine = byId.get(gid);
                    if (machine == null) {
                      throw new IllegalStateException("no replica group " + gid + " on this node");
                    }
                    return machine;
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
      return new RatisReplication(server, self, machines, ids);
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
    List<RaftPeer> peers = new ArrayList<>();
    for (ReplicaPeer p : group.members()) {
      peers.add(
          RaftPeer.newBuilder()
              .setId(p.nodeId())
              .setAddress(p.address())
              // Equal priorities: with a higher-priority peer frozen (SIGSTOP), Ratis candidates
              // wait for its vote until the election times out, which stalled failover for 5 s.
              // Leaders are spread by balanceLeaders() instead.
              .build());
    }
    return RaftGroup.valueOf(gid, peers);
  }

  /** The groups this node holds a copy of. */
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
    return (fresh + 1) * 2 > group.members().size();
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
