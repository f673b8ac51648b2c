package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a service manager sees (systemd's stop, Kubernetes' pod termination): two {@code outpost
 * node} processes, each in a network namespace of its own with its own address (as pods are, see
 * {@link TestNetwork}) and the same cluster port, find each other through one DNS name that
 * resolves to both ({@code --join dns:NAME}, the Kubernetes headless-service way; the name comes
 * from a hosts file given to the JVM, {@code -Djdk.net.hosts.file}); SIGTERM to one makes it hand
 * its object over to the other, close its client WebSocket with 1012 and exit (143, the JVM's code
 * for SIGTERM, which systemd's {@code SuccessExitStatus=143} takes as success); the object keeps
 * its data.
 */
class SigtermLeaveIT {

  private static final String MEMBERS = "outpost-members.test";

  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private TestNetwork network;

  @AfterEach
  void stop() throws Exception {
    try {
      for (NodeProcess node : nodes.reversed()) {
        node.close();
      }
    } finally {
      if (network != null) {
        network.close(); // after the processes in it
      }
    }
  }

  @Test
  void sigtermHandsTheObjectOverAndClosesSocketsWith1012() throws Exception {
    network = TestNetwork.create(List.of("node-a", "node-b"));
    Path hosts = dir.resolve("hosts");
    Files.writeString(
        hosts,
        network.host("node-a")
            + " "
            + MEMBERS
            + "\n"
            + network.host("node-b")
            + " "
            + MEMBERS
            + "\n");
    int clusterPort = ClusterTestNode.freePort(); // one port on every address, as in pods
    String clusterName = "sigterm-" + UUID.randomUUID();
    NodeProcess a = node("node-a", clusterPort, hosts);
    NodeProcess b = node("node-b", clusterPort, hosts);
    a.start(clusterName, List.of("dns:" + MEMBERS));
    b.start(clusterName, List.of("dns:" + MEMBERS));
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> routers(a),
        seen -> seen == 2,
        "node-a to list both routers after joining through dns:" + MEMBERS);

    for (int i = 1; i <= 3; i++) {
      assertThat(a.post("/objects/counter/leaver").body()).isEqualTo(Integer.toString(i));
    }
    ClosingSocket socket =
        ClosingSocket.open("ws://" + a.httpAddress() + "/objects/counter/leaver");
    assertThat(socket.firstMessage.get(20, TimeUnit.SECONDS))
        .as("the counter's first push on its WebSocket")
        .isEqualTo("3");

    int exit = a.terminate(Duration.ofSeconds(60));

    assertThat(exit)
        .as(
            "exit code of node-a after SIGTERM (128 + 15: the JVM's, once the hooks ran); see %s",
            a.log)
        .isEqualTo(143);
    assertThat(socket.closeCode.get(10, TimeUnit.SECONDS))
        .as("close code of node-a's client WebSocket")
        .isEqualTo(1012);
    assertThat(Files.readString(a.log))
        .as("node-a's output")
        .containsPattern("left the cluster: 1 objects handed over, 0 parked");
    assertThat(b.get("/objects/counter/leaver").body())
        .as("the object, now on node-b, with its data")
        .isEqualTo("3");
    assertThat(b.post("/objects/counter/leaver").body()).isEqualTo("4");
  }

  private NodeProcess node(String id, int clusterPort, Path hosts) {
    NodeProcess node =
        new NodeProcess(id, dir.resolve(id), clusterPort)
            .inNetwork(network.host(id), network.exec(id))
            .withJvmArgs("-Djdk.net.hosts.file=" + hosts);
    nodes.add(node);
    return node;
  }

  private static int routers(NodeProcess via) {
    try {
      return new JsonObject(via.get("/_outpost/routers").body()).getJsonArray("routers").size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A client WebSocket that records its first text message and the close code it got. */
  private static final class ClosingSocket implements WebSocket.Listener {
    final CompletableFuture<String> firstMessage = new CompletableFuture<>();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();

    static ClosingSocket open(String url) throws Exception {
      ClosingSocket listener = new ClosingSocket();
      HttpClient.newHttpClient()
          .newWebSocketBuilder()
          .buildAsync(URI.create(url), listener)
          .get(20, TimeUnit.SECONDS);
      return listener;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        firstMessage.complete(text.toString());
        text.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closeCode.completeExceptionally(error);
      firstMessage.completeExceptionally(error);
    }
  }
}
