package dev.outpost.runtime.internal.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The membership view that routers read on every forwarded request is a snapshot kept up to date by
 * Hazelcast's membership events: two real members on loopback, one joining and one leaving.
 */
class HazelcastMembershipTest {

  private static final String HOST = "127.0.0.1";

  @Test
  void liveNodesAndNodeFollowJoinsAndLeaves() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> join = List.of(HOST + ":" + portA, HOST + ":" + portB);
    String clusterName = "membership-" + UUID.randomUUID();
    try (HazelcastCluster a =
        HazelcastCluster.start(
            ClusterOptions.of("a", "eu", HOST, 8101, portA, join).withClusterName(clusterName))) {
      assertEquals(List.of("a"), ids(a.liveNodes()));
      assertTrue(a.node("b").isEmpty());
      assertThrows(UnsupportedOperationException.class, () -> a.liveNodes().clear());

      HazelcastCluster b =
          HazelcastCluster.start(
              ClusterOptions.of("b", "us", HOST, 8102, portB, join).withClusterName(clusterName));
      try {
        awaitTrue(() -> a.node("b").isPresent(), "a to see b join");
        assertEquals(Optional.of(new NodeInfo("b", "us", HOST, 8102)), a.node("b"));
        assertEquals(List.of("a", "b"), ids(a.liveNodes()).stream().sorted().toList());
        awaitTrue(() -> b.node("a").isPresent(), "b to see a");
        assertEquals(new NodeInfo("a", "eu", HOST, 8101), b.node("a").orElseThrow());
      } finally {
        b.close();
      }
      awaitTrue(() -> a.node("b").isEmpty(), "a to see b leave");
      assertEquals(List.of("a"), ids(a.liveNodes()));
    }
  }

  private static List<String> ids(List<NodeInfo> nodes) {
    return nodes.stream().map(NodeInfo::nodeId).toList();
  }

  /** Membership events arrive on Hazelcast's event thread: wait for them (30 s at most). */
  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
      Thread.sleep(100);
    }
    assertTrue(condition.getAsBoolean(), "timed out waiting for " + what);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }
}
