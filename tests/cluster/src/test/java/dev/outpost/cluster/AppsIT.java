package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several apps side by side on a cluster of real nodes: each deploy adds or replaces one app and
 * leaves the others serving; rollback works from the first deploy on (the boot version counts); a
 * namespace claimed by two apps is refused naming both; an app can be removed.
 */
class AppsIT {

  /**
   * An object answering {@code TAG} to every request, and accepting WebSockets; TAG is replaced per
   * app and version.
   */
  private static final String ANSWER =
      """
      package apps;
      import dev.outpost.api.*;
      public final class Answer implements DurableObject {
        private final DurableObjectState state;
        public Answer(DurableObjectState state, Env env) { this.state = state; }
        @Override public Response fetch(Request request) {
          if (request.isWebSocketUpgrade()) { return state.acceptWebSocket(request, "m"); }
          return Response.ok("TAG");
        }
      }
      """;

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** A jar of app {@code app} serving {@code namespace} with an object that answers {@code tag}. */
  private Path app(String app, String namespace, String tag) {
    String build = app + "-" + tag.replaceAll("[^a-z0-9]", "");
    Path classes =
        TestBundle.named(app)
            .source("apps.Answer", ANSWER.replace("TAG", tag))
            .namespace(namespace, "apps.Answer")
            .compileTo(dir.resolve(build));
    return TestBundle.jar(classes, dir.resolve(build + ".jar"));
  }

  private HttpResult admin(String path, byte[] body) {
    return cluster.node(0).adminPost(vertx, path, body);
  }

  private HttpResult deploy(Path jar) {
    try {
      return admin("/_outpost/admin/deploy", Files.readAllBytes(jar));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** GET {@code path} on every node; each must answer 200 with {@code body}. */
  private void everyNodeAnswers(String path, String body, String phase) {
    for (ClusterTestNode node : cluster.nodes()) {
      try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
        HttpResult result = http.get(path);
        assertThat(result.status())
            .as("%s: GET %s on %s: %s", phase, path, node.nodeId(), result)
            .isEqualTo(200);
        assertThat(result.body())
            .as("%s: GET %s on %s", phase, path, node.nodeId())
            .isEqualTo(body);
      }
    }
  }

  /** The samples' counter keeps serving, with its data: each call adds one. */
  private long counter = 0;

  private void samplesStillServe(String phase) {
    counter++;
    ClusterTestNode node = cluster.node((int) (counter % cluster.size()));
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
      HttpResult result = http.post("/objects/counter/apps");
      assertThat(result.status())
          .as("%s: POST counter on %s: %s", phase, node.nodeId(), result)
          .isEqualTo(200);
      assertThat(result.body())
          .as("%s: the counter's value", phase)
          .isEqualTo(Long.toString(counter));
    }
  }

  /** The apps {@code /_outpost/health} of every node lists, name → version. */
  private Map<String, String> healthApps(ClusterTestNode node) {
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
      JsonArray apps = new JsonObject(http.get("/_outpost/health").body()).getJsonArray("apps");
      Map<String, String> byName = new TreeMap<>();
      for (int i = 0; i < apps.size(); i++) {
        byName.put(
            apps.getJsonObject(i).getString("name"), apps.getJsonObject(i).getString("version"));
      }
      return byName;
    }
  }

  @Test
  void deployingAnAppLeavesTheOthersServingAndRollbackReachesTheBootVersion() {
    Path roomsV1 = app("rooms", "room", "rooms v1");
    cluster =
        TestCluster.start(
            dir.resolve("nodes"), 2, b -> b.bundles(List.of(TestNode.samplesBundle(), roomsV1)));
    vertx = Vertx.vertx();

    // Two apps from the start, side by side.
    everyNodeAnswers("/objects/room/r", "rooms v1", "boot");
    samplesStillServe("boot");
    Map<String, String> booted = healthApps(cluster.node(1));
    assertThat(booted).containsOnlyKeys("rooms", "samples");
    assertThat(booted.get("rooms")).startsWith("test-");

    // The boot version is a version: nothing before it, but a deploy can be rolled back to it.
    HttpResult nothingBefore = admin("/_outpost/admin/rollback?app=rooms", new byte[0]);
    assertThat(nothingBefore.status()).as("%s", nothingBefore).isEqualTo(422);
    assertThat(nothingBefore.body()).contains("app rooms has no version before");

    HttpResult roomsV2 = deploy(app("rooms", "room", "rooms v2"));
    assertThat(roomsV2.status()).as("deploy rooms v2: %s", roomsV2).isEqualTo(200);
    assertThat(new JsonObject(roomsV2.body()).getString("app")).isEqualTo("rooms");
    everyNodeAnswers("/objects/room/r", "rooms v2", "rooms v2 deployed");
    samplesStillServe("rooms v2 deployed");

    HttpResult back = admin("/_outpost/admin/rollback", new byte[0]); // the app deployed last
    assertThat(back.status()).as("rollback to the boot version: %s", back).isEqualTo(200);
    assertThat(new JsonObject(back.body()).getString("version")).isEqualTo(booted.get("rooms"));
    everyNodeAnswers("/objects/room/r", "rooms v1", "rolled back to the boot version");
    samplesStillServe("rooms rolled back");

    // A new app joins the others; redeployed and rolled back on its own.
    assertThat(deploy(app("greeter", "greet", "hello v1")).status()).isEqualTo(200);
    everyNodeAnswers("/objects/greet/g", "hello v1", "greeter v1 added");
    everyNodeAnswers("/objects/room/r", "rooms v1", "greeter v1 added");
    samplesStillServe("greeter v1 added");
    for (ClusterTestNode node : cluster.nodes()) {
      assertThat(healthApps(node))
          .as("apps on %s", node.nodeId())
          .containsOnlyKeys("greeter", "rooms", "samples");
    }
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", cluster.node(1).port(), 2)) {
      JsonObject map = new JsonObject(http.get("/_outpost/cluster").body());
      assertThat(map.getJsonObject("apps").getMap())
          .as("the cluster map's apps")
          .containsOnlyKeys("greeter", "rooms", "samples");
    }

    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", cluster.node(0).port(), 2)) {
      String landing = http.get("/").body();
      assertThat(landing)
          .as("the landing page of a cluster node")
          .contains("<tr><td>greeter</td>")
          .contains("<td>greet</td>")
          .contains("href=\"/_outpost/cluster.html\"");
    }

    assertThat(deploy(app("greeter", "greet", "hello v2")).status()).isEqualTo(200);
    everyNodeAnswers("/objects/greet/g", "hello v2", "greeter v2");
    HttpResult greeterBack = admin("/_outpost/admin/rollback?app=greeter", new byte[0]);
    assertThat(greeterBack.status()).as("%s", greeterBack).isEqualTo(200);
    everyNodeAnswers("/objects/greet/g", "hello v1", "greeter rolled back");
    everyNodeAnswers("/objects/room/r", "rooms v1", "greeter rolled back");
    samplesStillServe("greeter rolled back");

    // A namespace of another app is refused, naming both; nothing changes.
    HttpResult clash = deploy(app("clash", "counter", "clash"));
    assertThat(clash.status()).as("%s", clash).isEqualTo(422);
    assertThat(clash.body())
        .contains("namespace 'counter' of app clash is already served by app samples");
    samplesStillServe("clash refused");
    assertThat(healthApps(cluster.node(0))).containsOnlyKeys("greeter", "rooms", "samples");

    // Removing an app leaves the others, and closes its objects' sockets.
    TestWebSocketClient sockets =
        new TestWebSocketClient(vertx, "127.0.0.1", cluster.node(1).port(), 2);
    CollectingWebSocket greeterSocket = sockets.connect("/objects/greet/g");
    HttpResult removed = admin("/_outpost/admin/undeploy?app=greeter", new byte[0]);
    assertThat(removed.status()).as("%s", removed).isEqualTo(200);
    assertThat(greeterSocket.awaitClose(Duration.ofSeconds(10)))
        .as("a socket of an undeployed app's object")
        .isEqualTo(new CollectingWebSocket.CloseStatus(1001, "app greeter was undeployed"));
    sockets.close();
    for (ClusterTestNode node : cluster.nodes()) {
      try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
        HttpResult gone = http.get("/objects/greet/g");
        assertThat(gone.status())
            .as("greet on %s after undeploy: %s", node.nodeId(), gone)
            .isEqualTo(404);
        assertThat(gone.body()).contains("unknown namespace 'greet'");
      }
      assertThat(healthApps(node)).containsOnlyKeys("rooms", "samples");
    }
    everyNodeAnswers("/objects/room/r", "rooms v1", "greeter undeployed");
    samplesStillServe("greeter undeployed");
    HttpResult unknown = admin("/_outpost/admin/undeploy?app=greeter", new byte[0]);
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.body()).contains("no app greeter runs here");

    // A node that joins later runs every app at its current version.
    ClusterTestNode late = cluster.add("node-late", b -> {});
    assertThat(healthApps(late)).isEqualTo(healthApps(cluster.node(0)));
  }

  @Test
  void aNodeRefusesToStartWithTwoAppsClaimingOneNamespace() {
    Path first = app("first", "room", "first");
    Path second = app("second", "room", "second");
    assertThatThrownBy(
            () ->
                ClusterTestNode.builder("solo", dir.resolve("solo"))
                    .clusterName("conflict-" + System.nanoTime())
                    .bundles(List.of(first, second))
                    .start())
        .hasMessageContaining("namespace 'room' of app second is already served by app first");
  }
}
