package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    js = installedScripts();
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
      Result result =
          run(
              js,
              Duration.ofSeconds(120),
              "node",
              "yjs-test.mjs",
              "converge",
              owner,
              "cluster-room",
              forwarder);
      assertThat(result.code).as("converge across routers:\n%s", result.output).isZero();
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
    Result result = run(js, Duration.ofSeconds(120), command.toArray(String[]::new));
    assertThat(result.code).as("node yjs-test.mjs %s:\n%s", name, result.output).isZero();
    System.out.println(result.output.strip());
    return result.output;
  }

  /**
   * The scripts' directory with its packages: the sources' own when {@code npm ci} ran there (as
   * .ci/run does), else a copy in target/ installed from the same lockfile.
   */
  private static Path installedScripts() throws Exception {
    Path source = Path.of(System.getProperty("outpost.realtime.js", "src/test/js"));
    Path work = source.toAbsolutePath();
    if (!Files.isDirectory(work.resolve("node_modules/y-websocket"))) {
      work = Path.of("target", "js-test").toAbsolutePath();
      Files.createDirectories(work);
      try (var files = Files.list(source)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, work.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    if (!Files.isDirectory(work.resolve("node_modules/y-websocket"))) {
      Result install = run(work, Duration.ofSeconds(180), "npm", "ci", "--no-audit", "--no-fund");
      assertThat(install.code).as("npm ci in %s:\n%s", work, install.output).isZero();
    }
    return work;
  }

  private record Result(int code, String output) {}

  private static Result run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("outpost-yjs", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return new Result(-1, "timed out after " + timeout + ":\n" + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
