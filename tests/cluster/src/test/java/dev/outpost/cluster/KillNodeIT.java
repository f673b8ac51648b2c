package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes as separate processes; one is killed with SIGKILL. Objects elsewhere keep serving; its
 * objects answer 503 (their data is on its disk) and come back with their data when it restarts.
 */
class KillNodeIT {

  @TempDir Path dir;
  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes.reversed()) {
      node.close();
    }
  }

  @Test
  void killedNodesObjectsAnswer503AndReturnWithTheirDataWhenItRestarts() throws Exception {
    String clusterName = "kill-" + UUID.randomUUID();
    NodeProcess n1 = new NodeProcess("node-1", dir.resolve("node-1"));
    NodeProcess n2 = new NodeProcess("node-2", dir.resolve("node-2"));
    NodeProcess n3 = new NodeProcess("node-3", dir.resolve("node-3"));
    nodes.addAll(List.of(n1, n2, n3));
    n1.start(clusterName, List.of());
    n2.start(clusterName, List.of(n1.clusterAddress()));
    n3.start(clusterName, List.of(n1.clusterAddress()));

    for (int i = 1; i <= 5; i++) {
      assertThat(n1.post("/objects/counter/victim").body()).isEqualTo(Integer.toString(i));
    }
    assertThat(n2.post("/objects/counter/survivor").body()).isEqualTo("1");
    assertThat(n3.post("/objects/counter/victim").body())
        .as("forwarded to node-1 while it lives")
        .isEqualTo("6");

    n1.kill9();

    assertThat(n3.post("/objects/counter/survivor").body())
        .as("an object owned by a live node keeps serving")
        .isEqualTo("2");
    HttpResponse<String> down = awaitStatus(n2, "/objects/counter/victim", 503);
    assertThat(down.body()).contains("node-1").contains("not running");
    assertThat(down.headers().firstValue("Retry-After")).isPresent();
    assertThat(n2.post("/objects/counter/fresh").statusCode())
        .as("new objects are placed on live nodes")
        .isEqualTo(200);

    n1.start(clusterName, List.of(n2.clusterAddress(), n3.clusterAddress()));
    HttpResponse<String> back = awaitStatus(n3, "/objects/counter/victim", 200);
    assertThat(back.body()).as("the value survived with node-1's data").isEqualTo("6");
    assertThat(n2.post("/objects/counter/victim").body()).isEqualTo("7");
  }

  /** GETs until the status is {@code status} (bounded: 20 s). */
  private static HttpResponse<String> awaitStatus(NodeProcess via, String path, int status) {
    return Eventually.waitUntil(
            Duration.ofSeconds(20),
            Duration.ofMillis(100),
            () -> new Reply(get(via, path)),
            reply -> reply.response().statusCode() == status,
            "GET " + path + " via " + via.nodeId + " to answer " + status)
        .response();
  }

  private static HttpResponse<String> get(NodeProcess via, String path) {
    try {
      return via.get(path);
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " via " + via.nodeId, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A response that prints its status and body in a timeout message. */
  private record Reply(HttpResponse<String> response) {
    @Override
    public String toString() {
      return response.statusCode() + " " + response.body();
    }
  }
}
