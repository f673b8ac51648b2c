package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated storage with real Ratis servers and Hazelcast members in the test's JVM: writes
 * acknowledged through any router are held by the object's replica group, and when the node that
 * runs an object crashes, a node holding a copy serves it again with every acknowledged write.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicatedStorageIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final List<ClusterTestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.reversed().forEach(ClusterTestNode::close);
  }

  private List<ClusterTestNode> startCluster(int count) {
    return startCluster(count, b -> {});
  }

  private List<ClusterTestNode> startCluster(
      int count, java.util.function.Consumer<ClusterTestNode.Builder> customize) {
    String clusterName = "replicated-" + UUID.randomUUID();
    List<ReplicaPeer> peers = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      peers.add(new ReplicaPeer("node-" + i, "local", "127.0.0.1", ClusterTestNode.freePort()));
    }
    ReplicationOptions replication = ReplicationOptions.of(peers);
    List<String> join = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      ClusterTestNode.Builder builder =
          ClusterTestNode.builder("node-" + i, dir.resolve("node-" + i))
              .clusterName(clusterName)
              .join(join)
              .replication(replication);
      customize.accept(builder);
      ClusterTestNode node = builder.start();
      nodes.add(node);
      join = List.of(nodes.get(0).clusterAddress());
    }
    return nodes;
  }

  @Test
  void aCrashedOwnersObjectsAreServedAgainWithEveryAcknowledgedWrite() throws Exception {
    List<ClusterTestNode> cluster = startCluster(3);
    // Until every replica group has a leader, cold keys get 503 with Retry-After.
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () -> post(cluster.get(0), "/objects/counter/warm-up").statusCode() == 200,
        "every replica group to elect a leader");

    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      names.add("c" + i);
    }
    for (String name : names) {
      for (int k = 1; k <= 3; k++) {
        HttpResponse<String> r = post(cluster.get(k % 3), "/objects/counter/" + name);
        assertThat(r.statusCode())
            .as("increment %s via node %d: %s", name, k % 3, r.body())
            .isEqualTo(200);
        assertThat(r.body()).isEqualTo(Integer.toString(k));
      }
    }
    // The victim: the Raft leader of c0's replica group, which runs c0 now.
    String victimId =
        cluster
            .get(0)
            .cluster()
            .replicaGroupOf(cluster.get(0).address("counter", names.get(0)))
            .flatMap(g -> g.leader())
            .orElseThrow();
    ClusterTestNode victim =
        cluster.stream().filter(n -> n.nodeId().equals(victimId)).findFirst().orElseThrow();
    List<String> onVictim =
        names.stream()
            .filter(
                n ->
                    victim
                        .cluster()
                        .replicaGroupOf(victim.address("counter", n))
                        .flatMap(g -> g.leader())
                        .orElse("")
                        .equals(victimId))
            .toList();
    List<ClusterTestNode> survivors = cluster.stream().filter(n -> n != victim).toList();

    long killedAt = System.nanoTime();
    victim.crash();
    for (String name : names) {
      HttpResponse<String> r =
          Eventually.waitUntil(
              Duration.ofSeconds(15),
              Duration.ofMillis(50),
              () -> post(survivors.get(0), "/objects/counter/" + name),
              response -> response.statusCode() == 200,
              "counter " + name + " to answer again after " + victimId + " crashed");
      assertThat(r.body())
          .as("counter %s kept its three acknowledged increments", name)
          .isEqualTo("4");
    }
    long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.printf("replicated failover: every counter served again after %d ms%n", failoverMs);
    assertThat(post(survivors.get(1), "/objects/counter/" + onVictim.get(0)).body()).isEqualTo("5");
  }

  @Test
  void anAlarmSetOnACrashedNodeFiresOnceOnTheNewLeader() throws Exception {
    AlarmObject.FIRINGS.clear();
    List<ClusterTestNode> cluster = startCluster(3, b -> b.namespace("alarm", AlarmObject.class));
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () -> post(cluster.get(0), "/objects/alarm/warm-up?ms=600000").statusCode() == 200,
        "every replica group to elect a leader");
    HttpResponse<String> armed = post(cluster.get(1), "/objects/alarm/wake-me?ms=4000");
    assertThat(armed.statusCode()).as("arm: %s", armed.body()).isEqualTo(200);
    String runnerId =
        cluster
            .get(0)
            .cluster()
            .replicaGroupOf(cluster.get(0).address("alarm", "wake-me"))
            .flatMap(g -> g.leader())
            .orElseThrow();
    ClusterTestNode runner =
        cluster.stream().filter(n -> n.nodeId().equals(runnerId)).findFirst().orElseThrow();
    runner.crash();
    ClusterTestNode survivor = cluster.stream().filter(n -> n != runner).findFirst().orElseThrow();
    Eventually.waitUntil(
        Duration.ofSeconds(20),
        () -> "1".equals(post(survivor, "/objects/alarm/wake-me", "GET").body()),
        "the alarm to fire on the new leader");
    Thread.sleep(3000); // a "nothing more happens" wait: a second delivery would show here
    assertThat(AlarmObject.FIRINGS.get("wake-me").get())
        .as("alarm runs, on any node (a run whose writes were lost would count here too)")
        .isEqualTo(1);
    assertThat(post(survivor, "/objects/alarm/wake-me", "GET").body()).isEqualTo("1");
  }

  private static HttpResponse<String> post(ClusterTestNode via, String path, String method) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + path))
              .timeout(Duration.ofSeconds(20))
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " via " + via.nodeId() + " failed", e);
    }
  }

  private static HttpResponse<String> post(ClusterTestNode via, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + path))
              .timeout(Duration.ofSeconds(20))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("POST " + path + " via " + via.nodeId() + " failed", e);
    }
  }
}
