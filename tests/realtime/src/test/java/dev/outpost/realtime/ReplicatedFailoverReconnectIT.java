package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import io.vertx.core.Vertx;
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
 * Failover as real-time clients see it, with replicated storage: three nodes replicate with Raft; a
 * chat room runs on the leader of its replica group, and clients are connected through the two
 * other routers. The owner crashes: its sessions (the buffers that let a client resume) die with
 * it, so each client's socket is closed, the client reconnects through a surviving router, asks to
 * resume, and is told "not recovered" (a new session: reload your state); the room then runs on the
 * new leader and the clients talk again. A message sent before the crash and not yet acknowledged
 * is sent again in the new session (at least once).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicatedFailoverReconnectIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final List<ClusterTestNode> nodes = new ArrayList<>();
  private final List<OutpostClient> clients = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OutpostClient::close);
    if (vertx != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    nodes.reversed().forEach(ClusterTestNode::close);
  }

  private String url(ClusterTestNode node) {
    return "http://127.0.0.1:" + node.port();
  }

  @Test
  void clientsOfACrashedOwnerReconnectAreToldNotRecoveredAndTalkAgain() throws Exception {
    String clusterName = "replicated-realtime-" + UUID.randomUUID();
    List<ReplicaPeer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new ReplicaPeer("node-" + i, "local", "127.0.0.1", ClusterTestNode.freePort()));
    }
    List<String> join = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.add(
          ClusterTestNode.builder("node-" + i, dir.resolve("node-" + i))
              .clusterName(clusterName)
              .join(join)
              .replication(ReplicationOptions.of(peers))
              .start());
      join = List.of(nodes.get(0).clusterAddress());
    }
    String room = "failover-room";
    // Place the room (a plain GET: the chat room answers 426); cold keys get 503 until every
    // replica group has a leader.
    vertx = Vertx.vertx();
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    Eventually.waitUntil(
        TIMEOUT,
        Duration.ofMillis(200),
        () -> {
          try {
            return http.request(
                    io.vertx.core.http.HttpMethod.GET,
                    nodes.get(0).port(),
                    "127.0.0.1",
                    "/objects/chat/" + room)
                .compose(request -> request.send())
                .map(response -> response.statusCode())
                .await(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            return -1;
          }
        },
        status -> status == 426,
        "the room to be placed (a plain GET of a chat room answers 426)");
    // The room's owner: the leader of its replica group.
    String ownerId =
        Eventually.waitUntil(
            TIMEOUT,
            Duration.ofMillis(100),
            () ->
                nodes
                    .get(0)
                    .cluster()
                    .replicaGroupOf(nodes.get(0).address("chat", room))
                    .flatMap(g -> g.leader())
                    .orElse(""),
            leader -> !leader.isEmpty(),
            "the room's replica group to elect a leader");
    ClusterTestNode owner =
        nodes.stream().filter(n -> n.nodeId().equals(ownerId)).findFirst().orElseThrow();
    List<ClusterTestNode> others = nodes.stream().filter(n -> n != owner).toList();

    List<Recorder> views = new ArrayList<>();
    for (int k = 0; k < 2; k++) {
      Recorder view = new Recorder("client through " + others.get(k).nodeId());
      OutpostClient client =
          OutpostClient.connect(
              vertx,
              ClientOptions.of(
                      List.of(url(others.get(k)), url(others.get(1 - k))), "/objects/chat/" + room)
                  .withTransports(ClientTransport.WEBSOCKET)
                  .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)),
              view);
      clients.add(client);
      views.add(view);
      view.awaitOpens(1, TIMEOUT);
    }
    assertThat(clients.get(0).send("before")).isTrue();
    views.forEach(v -> v.await("the message before the crash", TIMEOUT, r -> r.chat().size() >= 1));

    owner.crash();

    for (Recorder view : views) {
      view.await(
          "a reconnect told 'not recovered'",
          TIMEOUT,
          r -> r.opens().stream().anyMatch(Recorder.Open::notRecovered));
    }
    // The room runs again on the new leader: both clients hear each other.
    Eventually.waitUntil(
        TIMEOUT,
        Duration.ofMillis(500),
        () -> {
          clients.get(1).send("after");
          return views.get(0).chat().contains("after");
        },
        heard -> heard,
        "the room to answer again on its new owner");
    views.get(1).await("its own message", TIMEOUT, r -> r.chat().contains("after"));
    // At least once: if the crash came before the sender's ack, the client sends "before" again in
    // its new session (the session that would have recognised the resend died with the owner).
    assertThat(views.get(0).chat()).as("the message before the crash").contains("before");
    assertThat(views.get(1).chat()).as("the message before the crash").contains("before");
  }
}
