package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples' {@code yjs} namespace with unmodified {@code yjs} 13.6.33 and {@code y-websocket}
 * 3.0.0 under Node.js ({@code src/test/js/yjs-test.mjs}, packages pinned by the committed
 * package-lock.json), against a node storing in RocksDB: two docs converge under concurrent edits;
 * a late joiner after everyone left gets the whole document; offline edits reach a peer after
 * reconnecting; two docs converge through a router that forwards to the owner (2-node cluster); the
 * awareness of a client killed with SIGKILL disappears within 5 s; an idle client stays connected
 * for 40 s; the document survives a node restart.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class YjsIT {

  @TempDir static Path data;
  private static Path js;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    js = NodeScripts.installed();
    node = TestNode.start(data.resolve("node"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void twoDocsConvergeUnderConcurrentEdits() throws Exception {
    assertThat(scenario("converge", "converge-room")).contains("ok converge");
  }

  @Test
  void docsConvergeThroughARouterThatForwardsToTheOwner(@TempDir Path dir) throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 2, b -> {})) {
      String owner = "http://127.0.0.1:" + cluster.node(0).port();
      String forwarder = "http://127.0.0.1:" + cluster.node(1).port();
      NodeScripts.Result result =
          NodeScripts.run(
              js,
              Duration.ofSeconds(120),
              line -> null,
              "node",
              "yjs-test.mjs",
              "converge",
              owner,
              "cluster-room",
              forwarder);
      assertThat(result.code()).as("converge across routers:\n%s", result.output()).isZero();
      assertThat(cluster.node(0).ownerOf("yjs", "cluster-room")).isEqualTo("node-1");
    }
  }

  @Test
  void aLateJoinerAfterEveryoneLeftGetsTheWholeDocument() throws Exception {
    assertThat(scenario("late", "late-room")).contains("ok late");
  }

  @Test
  void offlineEditsReachAPeerAfterReconnect() throws Exception {
    assertThat(scenario("offline", "offline-room")).contains("ok offline");
  }

  @Test
  void theAwarenessOfAKilledClientDisappearsWithinFiveSeconds() throws Exception {
    assertThat(scenario("awareness", "awareness-room")).contains("ok awareness");
  }

  @Test
  void anIdleClientStaysConnectedFor40Seconds() throws Exception {
    assertThat(scenario("idle", "idle-room")).contains("ok idle");
  }

  @Test
  void theDocumentSurvivesANodeRestart() throws Exception {
    String text = "survives a restart: ünïcödé 😀";
    assertThat(scenario("write", "restart-room", text)).contains("ok write");
    node = node.restart();
    assertThat(scenario("read", "restart-room", text)).contains("ok read");
  }

  private static String scenario(String name, String room, String... more) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("node", "yjs-test.mjs", name, node.baseUrl(), room));
    command.addAll(List.of(more));
    NodeScripts.Result result =
        NodeScripts.run(js, Duration.ofSeconds(120), line -> null, command.toArray(String[]::new));
    assertThat(result.code()).as("node yjs-test.mjs %s:\n%s", name, result.output()).isZero();
    System.out.println(result.output().strip());
    return result.output();
  }
}
