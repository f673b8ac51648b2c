package dev.outpost.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a cluster replicates object storage with Raft (Apache Ratis). Every node of the cluster is
 * configured with the same list of replica peers; from it each node derives the same fixed table of
 * replica groups (one group per peer, led by preference by that peer, with {@code copies} members
 * drawn first from the peer's own region, then from the nearest regions). An object belongs to one
 * group for its whole life; its activation runs on the group's Raft leader, and a turn's writes are
 * acknowledged only once a majority of the group's members have them in their Raft log on disk.
 *
 * @param peers every node that holds replicas, with its Raft address; node ids unique
 * @param copies copies of each object's data (members per group), at most the number of peers;
 *     default 3
 * @param electionTimeoutMin the shortest silence after which a follower campaigns (Raft's election
 *     timeout; Ratis {@code raft.server.rpc.timeout.min}); default 1 s
 * @param electionTimeoutMax the longest such silence; default 2 s. Failover (detection plus
 *     election) takes at most about twice this.
 * @param snapshotInterval log entries between two snapshots of a group's copy (a RocksDB
 *     checkpoint), after which the log before it is purged; default 10,000. Smaller keeps the log
 *     and restart replays shorter, larger takes fewer checkpoints. The log is kept in segments of
 *     about 64 bytes times this (4 KiB to 8 MiB), so a purge frees most of it.
 * @param replaceLostAfter how long a member must be unreachable by Raft and absent from the cluster
 *     before its group's leader builds a new copy on another live peer instead (a Raft membership
 *     change); default 5 min (CockroachDB's {@code server.time_until_store_dead}). A node restarted
 *     within this time just catches up; one away longer is no longer a member. A peer not seen at
 *     all since the leader's node started counts as lost only after ten times this, so that a
 *     cluster started one node at a time does not move copies around.
 */
public record ReplicationOptions(
    List<ReplicaPeer> peers,
    int copies,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotInterval,
    Duration replaceLostAfter) {

  /**
   * One node that holds replicas.
   *
   * @param nodeId the node's id, as in {@link ClusterOptions#nodeId()}
   * @param region the node's region
   * @param host the address other peers reach its Raft port on
   * @param raftPort the node's Raft (gRPC) port
   */
  public record ReplicaPeer(String nodeId, String region, String host, int raftPort) {
    public ReplicaPeer {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(host, "host");
      if (raftPort <= 0 || raftPort > 65535) {
        throw new IllegalArgumentException("raft port of " + nodeId + " must be 1..65535");
      }
    }

    /** {@code host:raftPort}. */
    public String address() {
      return host + ":" + raftPort;
    }
  }

  /** Validates the fields. */
  public ReplicationOptions {
    peers = List.copyOf(peers);
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("replication needs at least one replica peer");
    }
    Set<String> ids = new HashSet<>();
    for (ReplicaPeer peer : peers) {
      if (!ids.add(peer.nodeId())) {
        throw new IllegalArgumentException("replica peer " + peer.nodeId() + " is listed twice");
      }
    }
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be at least 1, was " + copies);
    }
    if (electionTimeoutMin.isNegative()
        || electionTimeoutMin.isZero()
        || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException(
          "election timeouts must be positive with max > min, were "
              + electionTimeoutMin
              + " and "
              + electionTimeoutMax);
    }
    if (snapshotInterval < 1) {
      throw new IllegalArgumentException(
          "snapshot interval must be at least 1 entry, was " + snapshotInterval);
    }
    if (replaceLostAfter.compareTo(electionTimeoutMax) <= 0) {
      throw new IllegalArgumentException(
          "a lost copy can be replaced only after more than the election timeout ("
              + electionTimeoutMax
              + "), was "
              + replaceLostAfter);
    }
  }

  /**
   * Defaults: 3 copies (or fewer peers), elections after 1-2 s of silence, a snapshot every 10,000
   * entries, a lost copy replaced after 5 minutes.
   */
  public static ReplicationOptions of(List<ReplicaPeer> peers) {
    return new ReplicationOptions(
        peers,
        Math.min(3, peers.size()),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        10_000,
        Duration.ofMinutes(5));
  }

  /** With another number of copies. */
  public ReplicationOptions withCopies(int value) {
    return new ReplicationOptions(
        peers, value, electionTimeoutMin, electionTimeoutMax, snapshotInterval, replaceLostAfter);
  }

  /** With elections after {@code min} to twice {@code min} of silence. */
  public ReplicationOptions withElectionTimeout(Duration min) {
    return new ReplicationOptions(
        peers, copies, min, min.multipliedBy(2), snapshotInterval, replaceLostAfter);
  }

  /** With a snapshot every {@code entries} log entries. */
  public ReplicationOptions withSnapshotInterval(long entries) {
    return new ReplicationOptions(
        peers, copies, electionTimeoutMin, electionTimeoutMax, entries, replaceLostAfter);
  }

  /** With lost copies replaced after {@code value}. */
  public ReplicationOptions withReplaceLostAfter(Duration value) {
    return new ReplicationOptions(
        peers, copies, electionTimeoutMin, electionTimeoutMax, snapshotInterval, value);
  }

  /** The copies actually kept: {@link #copies()}, at most one per peer. */
  public int effectiveCopies() {
    return Math.min(copies, peers.size());
  }

  /** The peer with {@code nodeId}. */
  public ReplicaPeer peer(String nodeId) {
    return peers.stream()
        .filter(p -> p.nodeId().equals(nodeId))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "node "
                        + nodeId
                        + " is not among the replica peers "
                        + peers.stream().map(ReplicaPeer::nodeId).toList()));
  }

  /**
   * Parses {@code node@region=host:port,...}, the form of {@code outpost node --replica-peers}.
   *
   * @throws IllegalArgumentException naming the malformed entry and the expected form
   */
  public static List<ReplicaPeer> parsePeers(String spec) {
    List<ReplicaPeer> peers = new ArrayList<>();
    for (String entry : spec.split(",")) {
      String e = entry.trim();
      if (e.isEmpty()) {
        continue;
      }
      int at = e.indexOf('@');
      int eq = e.indexOf('=');
      int colon = e.lastIndexOf(':');
      if (at <= 0 || eq < at + 2 || colon < eq + 2 || colon == e.length() - 1) {
        throw new IllegalArgumentException(
            "replica peer '" + e + "' is not of the form NODE@REGION=HOST:PORT");
      }
      int port;
      try {
        port = Integer.parseInt(e.substring(colon + 1));
      } catch (NumberFormatException x) {
        throw new IllegalArgumentException("replica peer '" + e + "' has a non-numeric port");
      }
      peers.add(
          new ReplicaPeer(
              e.substring(0, at), e.substring(at + 1, eq), e.substring(eq + 1, colon), port));
    }
    return peers;
  }
}
