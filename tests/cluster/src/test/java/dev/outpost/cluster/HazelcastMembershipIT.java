package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.internal.cluster.HazelcastCluster;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live-node snapshot that routers read on every forwarded request follows Hazelcast's
 * membership, with two real members on loopback: a join and a leave are in the snapshot before the
 * listeners hear of them (a router told that a node left must no longer find it), and the snapshot
 * is read-only.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HazelcastMembershipIT {

  private static final String HOST = "127.0.0.1";

  /** What {@code a}'s snapshot said about node {@code b} while its listener was being told. */
  private static final class Seen implements ClusterMembership.Listener {
    private final ClusterMembership membership;
    final CompletableFuture<Optional<NodeInfo>> atJoin = new CompletableFuture<>();
    final CompletableFuture<Optional<NodeInfo>> atLeave = new CompletableFuture<>();

    Seen(ClusterMembership membership) {
      this.membership = membership;
    }

    @Override
    public void nodeJoined(NodeInfo node) {
      atJoin.complete(membership.node(node.nodeId()));
    }

    @Override
    public void nodeLeft(NodeInfo node) {
      atLeave.complete(membership.node(node.nodeId()));
    }
  }

  @Test
  void theSnapshotFollowsAJoinAndALeaveBeforeListenersHearOfThem() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> join = List.of(HOST + ":" + portA, HOST + ":" + portB);
    String clusterName = "membership-" + UUID.randomUUID();
    try (HazelcastCluster a =
        HazelcastCluster.start(
            ClusterOptions.of("a", "eu", HOST, 8101, portA, join).withClusterName(clusterName))) {
      assertThat(a.liveNodes()).extracting(NodeInfo::nodeId).containsExactly("a");
      assertThat(a.node("b")).isEmpty();
      assertThatThrownBy(() -> a.liveNodes().clear())
          .isInstanceOf(UnsupportedOperationException.class);
      Seen seen = new Seen(a);
      a.addListener(seen);

      NodeInfo b = new NodeInfo("b", "us", HOST, 8102);
      try (HazelcastCluster memberB =
          HazelcastCluster.start(
              ClusterOptions.of("b", "us", HOST, 8102, portB, join).withClusterName(clusterName))) {
        assertThat(seen.atJoin.get(30, TimeUnit.SECONDS)).as("a's view as b joined").contains(b);
        assertThat(a.liveNodes()).extracting(NodeInfo::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(memberB.node("a")).contains(new NodeInfo("a", "eu", HOST, 8101));
      }
      assertThat(seen.atLeave.get(30, TimeUnit.SECONDS)).as("a's view as b left").isEmpty();
      assertThat(a.liveNodes()).extracting(NodeInfo::nodeId).containsExactly("a");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }
}
