package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.AdminOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API on a real cluster of three nodes (two in eu-west, one in us-east): the token is
 * required on every admin route (401 without, 403 wrong), the objects the test creates are listed
 * by name with their owners (on two nodes) and what those owners hold, one object is shown through
 * a node that does not own it, evict drops the instance and keeps the storage, delete removes the
 * storage, calls past the rate limit get 429, and every call leaves an audit line without the
 * token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT {

  private static final String TOKEN = ClusterTestNode.ADMIN_TOKEN;

  @TempDir static Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<String> audit = new CopyOnWriteArrayList<>();
  private final Logger auditLogger = Logger.getLogger("dev.outpost.admin.audit");
  private final Handler auditHandler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          audit.add(record.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  void start() {
    auditLogger.addHandler(auditHandler);
    cluster = TestCluster.inRegions(dir, List.of("eu-west", "eu-west", "us-east"), b -> {});
    vertx = Vertx.vertx();
  }

  @AfterAll
  void stop() {
    auditLogger.removeHandler(auditHandler);
    clients.values().forEach(TestHttpClient::close);
    if (vertx != null) {
      vertx.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyAdminRouteNeedsTheRightTokenAndIsAudited() {
    List<String[]> routes =
        List.of(
            new String[] {"GET", "/_outpost/admin/objects?namespace=counter"},
            new String[] {"GET", "/_outpost/admin/objects/counter/anything"},
            new String[] {"GET", "/_outpost/admin/names/counter/" + "a".repeat(64)},
            new String[] {"GET", "/_outpost/admin/cluster"},
            new String[] {"POST", "/_outpost/admin/objects/counter/anything/evict"},
            new String[] {"DELETE", "/_outpost/admin/objects/counter/anything?confirm=x"},
            new String[] {"POST", "/_outpost/admin/local/details"},
            new String[] {"POST", "/_outpost/admin/move?object=counter/anything&to-region=us-east"},
            new String[] {"POST", "/_outpost/admin/deploy"},
            new String[] {"POST", "/_outpost/admin/rollback"},
            new String[] {"POST", "/_outpost/admin/undeploy?app=samples"});
    int port = cluster.node(0).port();
    for (String[] route : routes) {
      HttpMethod method = HttpMethod.valueOf(route[0]);
      HttpResult none = call(port, method, route[1], null);
      assertThat(none.status())
          .as("%s %s without a token: %s", route[0], route[1], none)
          .isEqualTo(401);
      assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"outpost-admin\"");
      HttpResult wrong = call(port, method, route[1], "not-the-token");
      assertThat(wrong.status())
          .as("%s %s with a wrong token: %s", route[0], route[1], wrong)
          .isEqualTo(403);
      HttpResult almost = call(port, method, route[1], TOKEN + "x");
      assertThat(almost.status()).as("a longer token").isEqualTo(403);
    }
    assertThat(cluster.node(0).host().apps())
        .as("still served after the refused undeploy")
        .isNotEmpty();
    assertThat(call(port, HttpMethod.GET, "/_outpost/admin/cluster", TOKEN).status())
        .isEqualTo(200);

    assertThat(audit)
        .as("audit lines")
        .anyMatch(
            l ->
                l.contains("admin call from 127.0.0.1")
                    && l.contains(
                        "GET /_outpost/admin/objects?namespace=counter -> 401 (token absent)"))
        .anyMatch(l -> l.contains("POST /_outpost/admin/undeploy?app=samples -> 403 (token wrong)"))
        .anyMatch(l -> l.contains("GET /_outpost/admin/cluster -> 200 (token ok)"))
        .noneMatch(l -> l.contains(TOKEN) || l.contains("not-the-token"));
  }

  @Test
  void listsTheTestsObjectsByNameWithTheirOwnersAcrossNodes() throws Exception {
    TestHttpClient eu = client(0);
    TestHttpClient us = client(2);
    List<String> euNames = List.of("list-alpha", "list-beta", "list-gamma");
    List<String> usNames = List.of("list-delta", "list-epsilon");
    for (String name : euNames) {
      assertThat(eu.post("/objects/counter/" + name).body()).isEqualTo("1");
    }
    for (String name : usNames) {
      us.post("/objects/counter/" + name);
      assertThat(us.post("/objects/counter/" + name).body()).isEqualTo("2");
    }
    for (String name : concat(euNames, usNames)) { // names are recorded off the request's path
      ObjectAddress address = cluster.node(0).address("counter", name);
      dev.outpost.testkit.Eventually.waitUntil(
          Duration.ofSeconds(10),
          () -> cluster.node(0).cluster().directory().nameOf(address).isPresent(),
          "the directory to record the name " + name);
    }
    try (TestWebSocketClient ws =
            new TestWebSocketClient(vertx, "127.0.0.1", cluster.node(1).port(), 2);
        CollectingWebSocket watcher = ws.connect("/objects/counter/list-alpha")) {
      watcher.awaitTexts(1, Duration.ofSeconds(10));

      // Through node-2, two at a time, following the cursor.
      Map<String, JsonObject> listed = new HashMap<>();
      String cursor = null;
      int pages = 0;
      do {
        HttpResult page =
            call(
                cluster.node(1).port(),
                HttpMethod.GET,
                "/_outpost/admin/objects?namespace=counter&limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor),
                TOKEN);
        assertThat(page.status()).as("page %d: %s", pages, page).isEqualTo(200);
        JsonObject body = new JsonObject(page.body());
        JsonArray objects = body.getJsonArray("objects");
        assertThat(objects.size()).isBetween(1, 2);
        for (int i = 0; i < objects.size(); i++) {
          JsonObject o = objects.getJsonObject(i);
          assertThat(listed.put(o.getString("id"), o)).as("listed once: %s", o).isNull();
        }
        cursor = body.getString("next");
        pages++;
      } while (cursor != null && pages < 50);
      assertThat(cursor).as("the last page has no next").isNull();

      Map<String, JsonObject> byName = new HashMap<>();
      listed.values().forEach(o -> byName.put(o.getString("name"), o));
      Set<String> owners = new HashSet<>();
      for (String name : concat(euNames, usNames)) {
        JsonObject o = byName.get(name);
        assertThat(o).as("%s in %s", name, listed.values()).isNotNull();
        String owner = cluster.node(0).ownerOf("counter", name);
        owners.add(owner);
        assertThat(o.getString("owner")).as("%s's owner", name).isEqualTo(owner);
        assertThat(o.getString("id"))
            .isEqualTo(cluster.node(0).address("counter", name).id().toString());
        assertThat(o.getLong("epoch")).isEqualTo(1L);
        assertThat(o.getString("state")).isEqualTo("ACTIVE");
        assertThat(o.getLong("storedKeys")).as("%s", o).isEqualTo(1L);
        assertThat(o.getLong("storageBytes")).as("%s", o).isPositive();
        assertThat(o.containsKey("detailsError")).as("%s", o).isFalse();
        assertThat(o.getString("region")).isEqualTo(euNames.contains(name) ? "eu-west" : "us-east");
      }
      assertThat(owners).as("objects on several nodes").hasSizeGreaterThanOrEqualTo(2);
      assertThat(byName.get("list-alpha").getInteger("connections")).isEqualTo(1);
      assertThat(byName.get("list-alpha").getBoolean("active")).isTrue();
      assertThat(byName.get("list-delta").getInteger("connections")).isZero();

      // One object, by name and by id, through a node that does not own it.
      String id = cluster.node(0).address("counter", "list-delta").id().toString();
      int notOwner = cluster.node(0).ownerOf("counter", "list-delta").equals("node-1") ? 1 : 0;
      HttpResult byNameOne =
          call(
              cluster.node(notOwner).port(),
              HttpMethod.GET,
              "/_outpost/admin/objects/counter/list-delta",
              TOKEN);
      assertThat(byNameOne.status()).as("%s", byNameOne).isEqualTo(200);
      JsonObject one = new JsonObject(byNameOne.body());
      assertThat(one.getString("name")).isEqualTo("list-delta");
      assertThat(one.getString("id")).isEqualTo(id);
      assertThat(one.getString("owner")).isEqualTo("node-3");
      assertThat(one.getLong("storedKeys")).isEqualTo(1L);
      JsonObject byId =
          new JsonObject(
              call(
                      cluster.node(notOwner).port(),
                      HttpMethod.GET,
                      "/_outpost/admin/objects/counter/" + id,
                      TOKEN)
                  .body());
      assertThat(byId.getString("name")).as("the name recorded for the id").isEqualTo("list-delta");
      HttpResult name =
          call(
              cluster.node(0).port(), HttpMethod.GET, "/_outpost/admin/names/counter/" + id, TOKEN);
      assertThat(new JsonObject(name.body()).getString("name")).isEqualTo("list-delta");

      HttpResult never =
          call(
              cluster.node(0).port(),
              HttpMethod.GET,
              "/_outpost/admin/objects/counter/never-used",
              TOKEN);
      assertThat(never.status()).isEqualTo(404);
      assertThat(never.body()).contains("never been placed");
      HttpResult unknown =
          call(
              cluster.node(0).port(),
              HttpMethod.GET,
              "/_outpost/admin/objects?namespace=nope",
              TOKEN);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body()).contains("unknown namespace 'nope'").contains("counter");
      HttpResult badLimit =
          call(
              cluster.node(0).port(),
              HttpMethod.GET,
              "/_outpost/admin/objects?namespace=counter&limit=0",
              TOKEN);
      assertThat(badLimit.status()).isEqualTo(400);
    }
  }

  @Test
  void evictDropsTheInstanceAndClosesSocketsButKeepsStorage() throws Exception {
    TestHttpClient eu = client(0);
    for (int i = 0; i < 3; i++) {
      eu.post("/objects/counter/evictee");
    }
    String owner = cluster.node(0).ownerOf("counter", "evictee");
    ClusterTestNode ownerNode = cluster.byId(owner);
    ObjectAddress address = ownerNode.address("counter", "evictee");
    try (TestWebSocketClient ws =
            new TestWebSocketClient(vertx, "127.0.0.1", cluster.node(2).port(), 2);
        CollectingWebSocket watcher = ws.connect("/objects/counter/evictee")) {
      assertThat(watcher.awaitTexts(1, Duration.ofSeconds(10))).containsExactly("3");
      assertThat(ownerNode.host().isActiveForTest(address)).isTrue();

      HttpResult evicted =
          call(
              cluster.node(2).port(),
              HttpMethod.POST,
              "/_outpost/admin/objects/counter/evictee/evict",
              TOKEN);
      assertThat(evicted.status()).as("%s", evicted).isEqualTo(200);
      JsonObject body = new JsonObject(evicted.body());
      assertThat(body.getBoolean("wasActive")).isTrue();
      assertThat(body.getBoolean("active")).isFalse();
      assertThat(body.getInteger("connections")).isZero();
      assertThat(body.getLong("storedKeys")).isEqualTo(1L);
      assertThat(watcher.awaitClose(Duration.ofSeconds(10)).code()).isEqualTo(1012);
      assertThat(ownerNode.host().isActiveForTest(address)).isFalse();
    }
    assertThat(eu.get("/objects/counter/evictee").body()).as("storage stays").isEqualTo("3");
  }

  @Test
  void deleteNeedsConfirmationAndRemovesTheStorage() {
    TestHttpClient us = client(2);
    us.post("/objects/counter/doomed");
    assertThat(us.post("/objects/counter/doomed").body()).isEqualTo("2");
    String owner = cluster.node(0).ownerOf("counter", "doomed");
    ClusterTestNode ownerNode = cluster.byId(owner);
    ObjectAddress address = ownerNode.address("counter", "doomed");
    String id = address.id().toString();
    int via = owner.equals("node-1") ? 1 : 0; // through a node that does not own it

    HttpResult unconfirmed =
        call(
            cluster.node(via).port(),
            HttpMethod.DELETE,
            "/_outpost/admin/objects/counter/doomed",
            TOKEN);
    assertThat(unconfirmed.status()).isEqualTo(400);
    assertThat(unconfirmed.body()).contains("?confirm=");
    HttpResult wrong =
        call(
            cluster.node(via).port(),
            HttpMethod.DELETE,
            "/_outpost/admin/objects/counter/doomed?confirm=" + "0".repeat(64),
            TOKEN);
    assertThat(wrong.status()).isEqualTo(400);
    assertThat(ownerNode.host().storedKeysForTest(address))
        .as("nothing deleted yet")
        .containsExactly("value");

    HttpResult deleted =
        call(
            cluster.node(via).port(),
            HttpMethod.DELETE,
            "/_outpost/admin/objects/counter/doomed?confirm=" + id,
            TOKEN);
    assertThat(deleted.status()).as("%s", deleted).isEqualTo(200);
    JsonObject body = new JsonObject(deleted.body());
    assertThat(body.getBoolean("deleted")).isTrue();
    assertThat(body.getLong("deletedKeys")).isEqualTo(1L);
    assertThat(body.getLong("storedKeys")).isZero();
    assertThat(ownerNode.host().storedKeysForTest(address)).as("storage gone").isEmpty();
    assertThat(ownerNode.host().isActiveForTest(address)).isFalse();

    assertThat(us.get("/objects/counter/doomed").body()).as("empty when used again").isEqualTo("0");
    assertThat(us.post("/objects/counter/doomed").body()).isEqualTo("1");
  }

  @Test
  void callsPastTheRateLimitGet429WithRetryAfter(@TempDir Path other) {
    try (TestCluster limited =
        TestCluster.start(
            other,
            1,
            b ->
                b.clusterName("admin-limit")
                    .adminOptions(AdminOptions.defaults().withRateLimit(0.05, 3)))) {
      int port = limited.node(0).port();
      for (int i = 0; i < 3; i++) {
        assertThat(call(port, HttpMethod.GET, "/_outpost/admin/cluster", TOKEN).status())
            .as("call %d of the burst", i + 1)
            .isEqualTo(200);
      }
      HttpResult refused = call(port, HttpMethod.GET, "/_outpost/admin/cluster", TOKEN);
      assertThat(refused.status()).as("%s", refused).isEqualTo(429);
      assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 20);
      assertThat(refused.body()).contains("too many admin calls");
      assertThat(call(port, HttpMethod.GET, "/_outpost/admin/cluster", "guess").status())
          .as("guessing tokens is limited too")
          .isEqualTo(429);
      assertThat(call(port, HttpMethod.GET, "/_outpost/health", null).status())
          .as("other routes are not limited")
          .isEqualTo(200);
      assertThat(audit).anyMatch(l -> l.contains("-> 429 (rate limited)"));
    }
  }

  // ---- helpers

  private final Map<Integer, TestHttpClient> clients = new HashMap<>();

  private TestHttpClient client(int node) {
    return clients.computeIfAbsent(
        node, n -> new TestHttpClient(vertx, "127.0.0.1", cluster.node(n).port(), 4));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** One admin call; {@code token} null sends none. */
  private HttpResult call(int port, HttpMethod method, String uri, String token) {
    return TestHttpClient.exchange(
        vertx,
        port,
        method,
        uri,
        Buffer.buffer(),
        token == null ? Map.of() : Map.of("Authorization", "Bearer " + token),
        TestHttpClient.TIMEOUT);
  }
}
