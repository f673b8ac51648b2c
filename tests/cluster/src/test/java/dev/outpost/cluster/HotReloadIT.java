package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.Eventually;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code versions rolled out to a running cluster, at turn boundaries, with sockets kept open. */
class HotReloadIT {

  private static final String ROOM_V1 =
      """
      package reload;
      import dev.outpost.api.*;
      public final class Room implements DurableObject {
        private final DurableObjectState state;
        public Room(DurableObjectState state, Env env) { this.state = state; }
        @Override public Response fetch(Request request) {
          if (request.isWebSocketUpgrade()) { return state.acceptWebSocket(request, "m"); }
          return Response.ok("v1");
        }
        @Override public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage m) {
          for (HibernatableWebSocket ws : state.getWebSockets("m")) { ws.send(m.text()); }
        }
      }
      """;

  private static final String ROOM_V2 =
      ROOM_V1
          .replace("Response.ok(\"v1\")", "Response.ok(\"v2\")")
          .replace("ws.send(m.text())", "ws.send(\"v2:\" + m.text())");

  private static final String THROWING =
      ROOM_V1.replace(
          "this.state = state; }",
          "this.state = state; throw new IllegalStateException(\"no database configured\"); }");

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A version of the app {@code reload}, built in {@code dir/NAME} and packed as NAME.jar. */
  private Path bundle(String name, String source) {
    Path classes =
        TestBundle.named("reload")
            .source("reload.Room", source)
            .namespace("room", "reload.Room")
            .compileTo(dir.resolve(name));
    return TestBundle.jar(classes, dir.resolve(name + ".jar"));
  }

  private void startCluster(int nodes, Path initial) {
    cluster = TestCluster.start(dir.resolve("nodes"), nodes, b -> b.bundle(initial));
    vertx = Vertx.vertx();
  }

  private HttpResult admin(ClusterTestNode via, String path, byte[] body) {
    return via.adminPost(vertx, path, body);
  }

  @Test
  void fiftyChattingClientsKeepTheirSocketsAndMissNothingAcrossARollout() throws Exception {
    startCluster(2, bundle("v1", ROOM_V1));
    byte[] v2 = Files.readAllBytes(bundle("v2", ROOM_V2));
    List<CollectingWebSocket> members = new ArrayList<>();
    for (int n = 0; n < 2; n++) {
      TestWebSocketClient client =
          new TestWebSocketClient(vertx, "127.0.0.1", cluster.node(n).port(), 50);
      closeables.add(client);
      for (int i = 0; i < 25; i++) {
        members.add(client.connect("/objects/room/lobby"));
      }
    }
    // At least 40 rounds, and 5 more once the deploy has answered (the rollout is done), so that
    // messages reach the new version however long the rollout takes on a loaded machine (a fixed
    // 40 rounds once all went out before it finished).
    int minRounds = 40;
    java.util.concurrent.atomic.AtomicBoolean rolledOut =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger rounds =
        new java.util.concurrent.atomic.AtomicInteger();
    Thread sender =
        Thread.ofVirtual()
            .start(
                () -> {
                  int afterRollout = 0;
                  for (int round = 0; round < 1000; round++) { // bounded: 1,000 rounds at most
                    if (rolledOut.get() && ++afterRollout > 5 && round >= minRounds) {
                      return;
                    }
                    for (int c = 0; c < members.size(); c++) {
                      members.get(c).sendText("c" + c + "-" + round);
                    }
                    rounds.set(round + 1);
                    try {
                      Thread.sleep(10); // spreads the rounds over the rollout
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
    // Deploy mid-stream: once a first round of messages has reached a member.
    members.get(0).awaitTexts(members.size(), Duration.ofSeconds(10));
    HttpResult deployed = admin(cluster.node(1), "/_outpost/admin/deploy", v2);
    rolledOut.set(true);
    assertThat(deployed.status()).as("deploy: %s", deployed).isEqualTo(200);
    JsonObject report = new JsonObject(deployed.body());
    sender.join(Duration.ofSeconds(60));
    int perClient = rounds.get();

    int total = members.size() * perClient;
    for (int m = 0; m < members.size(); m++) {
      CollectingWebSocket member = members.get(m);
      List<String> got = member.awaitTexts(total, Duration.ofSeconds(60));
      assertThat(member.closeStatus()).as("member %d stays connected", m).isEmpty();
      Set<String> distinct = new HashSet<>();
      boolean sawV2 = false;
      for (String text : got) {
        boolean isV2 = text.startsWith("v2:");
        assertThat(!sawV2 || isV2).as("member %d: a v1 message after v2: %s", m, text).isTrue();
        sawV2 |= isV2;
        assertThat(distinct.add(isV2 ? text.substring(3) : text))
            .as("member %d: duplicate %s", m, text)
            .isTrue();
      }
      assertThat(distinct).as("member %d: every message once", m).hasSize(total);
      assertThat(sawV2).as("member %d saw the new version", m).isTrue();
    }
    assertThat(report.getLong("activateMillis")).as("switch time").isLessThan(5_000L);

    // a node that joins afterwards runs v2 too
    ClusterTestNode late = cluster.add("node-3", b -> {});
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", late.port(), 2)) {
      assertThat(
              new JsonObject(http.get("/_outpost/code").body())
                  .getJsonObject("apps")
                  .getString("reload"))
          .isEqualTo(report.getString("version"));
      assertThat(http.get("/objects/room/elsewhere").body()).isEqualTo("v2");
    }
  }

  @Test
  void brokenBundlesAreRefusedWithTheirCauseAndTheOldVersionKeepsServing() throws Exception {
    startCluster(2, bundle("v1", ROOM_V1));
    Path missing = dir.resolve("missing-classes");
    Files.createDirectories(missing.resolve("META-INF/outpost"));
    Files.writeString(
        missing.resolve("META-INF/outpost/bundle.properties"),
        "bundle.name=reload\nbundle.version=2\nnamespace.room.class=reload.Nowhere\n");
    byte[] missingJar = Files.readAllBytes(TestBundle.jar(missing, dir.resolve("missing.jar")));
    byte[] throwingJar = Files.readAllBytes(bundle("throwing", THROWING));

    HttpResult refused = admin(cluster.node(0), "/_outpost/admin/deploy", missingJar);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body()).contains("reload.Nowhere").contains("cannot load");

    HttpResult thrown = admin(cluster.node(1), "/_outpost/admin/deploy", throwingJar);
    assertThat(thrown.status()).isEqualTo(422);
    assertThat(thrown.body())
        .contains("reload.Room")
        .contains("IllegalStateException")
        .contains("no database configured");

    for (ClusterTestNode node : cluster.nodes()) {
      try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
        assertThat(http.get("/objects/room/still").body()).isEqualTo("v1");
      }
    }
  }

  @Test
  void rollbackReturnsEveryNodeToThePreviousVersion() {
    startCluster(2, bundle("v1", ROOM_V1));
    byte[] v1 = readAll(dir.resolve("v1.jar"));
    assertThat(admin(cluster.node(0), "/_outpost/admin/deploy", v1).status()).isEqualTo(200);
    assertThat(
            admin(cluster.node(0), "/_outpost/admin/deploy", readAll(bundle("v2", ROOM_V2)))
                .status())
        .isEqualTo(200);
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", cluster.node(1).port(), 2)) {
      assertThat(http.get("/objects/room/r").body()).isEqualTo("v2");
      HttpResult back = admin(cluster.node(1), "/_outpost/admin/rollback", new byte[0]);
      assertThat(back.status()).as("%s", back).isEqualTo(200);
      assertThat(http.get("/objects/room/r").body()).isEqualTo("v1");
    }
  }

  @Test
  void theOldVersionsClassLoaderIsCollectedAfterTheSwitch() throws Exception {
    ClusterTestNode node =
        ClusterTestNode.builder("solo", dir.resolve("solo"))
            .clusterName("gc-" + System.nanoTime())
            .bundle(bundle("v1", ROOM_V1))
            .start();
    closeables.add(node);
    vertx = Vertx.vertx();
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
      assertThat(http.get("/objects/room/gc").body()).isEqualTo("v1");
      var v1 = node.host().prepare(dir.resolve("v1.jar"), "v1-again");
      node.host().activate(v1);
      assertThat(http.get("/objects/room/gc").body()).isEqualTo("v1");
      java.lang.ref.WeakReference<ClassLoader> oldLoader =
          new java.lang.ref.WeakReference<>(v1.classLoaderForTest().orElseThrow());
      v1 = null;
      node.host().activate(node.host().prepare(bundle("v2", ROOM_V2), "v2"));
      assertThat(http.get("/objects/room/gc").body()).as("the object switched").isEqualTo("v2");
      Eventually.waitUntil(
          Duration.ofSeconds(10),
          () -> {
            System.gc();
            return oldLoader.get() == null;
          },
          "the v1 class loader to be collected after the switch");
    }
  }

  @Test
  void devModePicksUpARecompiledClass() throws Exception {
    Path classes =
        TestBundle.named("dev")
            .source("reload.Room", ROOM_V1)
            .namespace("room", "reload.Room")
            .compileTo(dir.resolve("dev-classes"));
    Path root = Path.of(System.getProperty("outpost.root")).toAbsolutePath().normalize();
    int port = ClusterTestNode.freePort();
    ProcessBuilder builder =
        new ProcessBuilder(
                root.resolve("outpost").toString(),
                "dev",
                "--watch",
                classes.toString(),
                "--http-port",
                Integer.toString(port),
                "--cluster-port",
                Integer.toString(ClusterTestNode.freePort()),
                "--data-dir",
                dir.resolve("dev-data").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("dev.log").toFile());
    builder.environment().put("OUTPOST_NO_BUILD", "1");
    Process dev = builder.start();
    closeables.add(
        () -> {
          dev.destroy();
          if (!dev.waitFor(30, TimeUnit.SECONDS)) {
            dev.destroyForcibly();
          }
        });
    vertx = Vertx.vertx();
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", port, 2)) {
      awaitServed(http, "v1", "served by the dev node; log: " + dir.resolve("dev.log"));
      TestBundle.named("dev")
          .source("reload.Room", ROOM_V2)
          .namespace("room", "reload.Room")
          .compileTo(classes);
      awaitServed(http, "v2", "reloaded after recompiling");
    }
  }

  /** GETs until the room answers {@code expected}; a failed GET means "not up yet". */
  private static void awaitServed(TestHttpClient http, String expected, String what) {
    Eventually.waitUntil(
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> {
          try {
            return http.get("/objects/room/dev").body();
          } catch (AssertionError e) { // a timeout: not up yet, like a refused connection
            throw new IllegalStateException("GET /objects/room/dev failed: " + e.getMessage(), e);
          }
        },
        expected::equals,
        "the room to answer '" + expected + "': " + what);
  }

  private static byte[] readAll(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
