package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the router answers to requests it or the object refuses, and to health checks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouterResponsesIT {

  @TempDir Path dataDir;

  private Vertx vertx;
  private TestNode node;
  private TestHttpClient http;

  @BeforeEach
  void startNode() {
    vertx = Vertx.vertx();
    node = TestNode.start(dataDir);
    http = new TestHttpClient(vertx, node, 4);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      http.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void theLandingPageSaysWhatThisNodeIsAndLinksToThePagesAndDocs() {
    JsonObject health = new JsonObject(http.get("/_outpost/health").body());
    JsonObject samples = health.getJsonArray("apps").getJsonObject(0);
    assertThat(health.getJsonArray("apps").size()).as("apps in %s", health).isEqualTo(1);
    assertThat(samples.getString("name")).isEqualTo("samples");
    assertThat(samples.getJsonArray("namespaces").getList())
        .isEqualTo(health.getJsonArray("namespaces").getList());

    HttpResult page = http.get("/");
    assertThat(page.status()).as("GET /: %s", page).isEqualTo(200);
    assertThat(page.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(page.body())
        .contains("Outpost node <span id=\"node\">" + health.getString("node") + "</span>")
        .contains("region <b id=\"region\">" + health.getString("region") + "</b>")
        .contains(
            "<tr><td>samples</td><td>"
                + samples.getString("version")
                + "</td><td>"
                + String.join(", ", samples.getJsonArray("namespaces").getList())
                + "</td></tr>")
        .contains("href=\"/_outpost/health\"")
        .contains("docs/design.md")
        .contains("this node runs alone")
        .contains("<link rel=\"icon\" href=\"/favicon.svg\"");
    for (String sample :
        List.of("chat", "counter", "todo", "jobs", "stream", "playback", "notifications", "doc")) {
      assertThat(page.body())
          .as("a link to the %s page", sample)
          .contains("<a href=\"/_outpost/demo/" + sample + "\">");
    }
  }

  @Test
  void theFaviconIsServedAsSvgAtBothAddresses() {
    for (String path : List.of("/favicon.ico", "/favicon.svg")) {
      HttpResult icon = http.get(path);
      assertThat(icon.status()).as("GET %s: %s", path, icon).isEqualTo(200);
      assertThat(icon.header("Content-Type")).as("%s type", path).isEqualTo("image/svg+xml");
      assertThat(icon.body()).as("%s body", path).startsWith("<svg ").endsWith("</svg>\n");
    }
  }

  @Test
  void plainGetOnAChatRoomAnswers426() {
    HttpResult result = http.get("/objects/chat/lobby");
    assertThat(result.status())
        .as("GET /objects/chat/lobby without upgrade: %s", result)
        .isEqualTo(426);
    assertThat(result.header("Upgrade")).as("Upgrade header of the 426").isEqualTo("websocket");
  }

  @Test
  void unknownNamespaceAnswers404NamingIt() {
    HttpResult result = http.get("/objects/no-such-space/thing");
    assertThat(result.status()).as("GET on an unknown namespace: %s", result).isEqualTo(404);
    assertThat(result.body()).as("404 body").contains("'no-such-space'");
  }

  @Test
  void malformedIdAnswers400() {
    HttpResult result = http.get("/objects/counter/id/xyz");
    assertThat(result.status()).as("GET with id 'xyz': %s", result).isEqualTo(400);
    assertThat(result.body()).as("400 body").isNotBlank();
  }

  @Test
  void wellFormedIdReachesTheSameObjectAsItsName() {
    String id = node.address("counter", "by-id").id().toString();
    assertThat(http.post("/objects/counter/by-id").body().strip())
        .as("increment by name")
        .isEqualTo("1");
    HttpResult byId = http.get("/objects/counter/id/" + id);
    assertThat(byId.status()).as("GET by id %s: %s", id, byId).isEqualTo(200);
    assertThat(byId.body().strip()).as("value read by id").isEqualTo("1");
  }

  @Test
  void healthAnswers200() {
    HttpResult result = http.get("/_outpost/health");
    assertThat(result.status()).as("GET /_outpost/health: %s", result).isEqualTo(200);
    JsonObject health = new JsonObject(result.body());
    assertThat(health.getString("status")).as("health status").isEqualTo("ok");
    assertThat(health.getJsonArray("namespaces").getList())
        .as("namespaces in the health answer")
        .containsExactlyInAnyOrder(
            "chat",
            "counter",
            "yjs",
            "todo",
            "jobs",
            "stream",
            "playback",
            "notifications",
            "diary");
  }

  @Test
  void demoPagesAreServedByNameAndAnUnknownOneIsNamedIn404() {
    for (String page :
        List.of("chat", "counter", "todo", "jobs", "stream", "playback", "notifications", "doc")) {
      HttpResult result = http.get("/_outpost/demo/" + page);
      assertThat(result.status()).as("GET /_outpost/demo/%s: %s", page, result).isEqualTo(200);
      // doc imports unmodified y-websocket (vendored) instead of Outpost's JS client
      assertThat(result.body())
          .as("page %s", page)
          .contains(page.equals("doc") ? "from 'y-websocket'" : "/_outpost/client.js");
    }
    HttpResult index = http.get("/_outpost/demo/");
    assertThat(index.status()).isEqualTo(200);
    assertThat(index.body())
        .contains(
            "href=\"/_outpost/demo/chat\"",
            "href=\"/_outpost/demo/todo\"",
            "href=\"/_outpost/demo/jobs\"",
            "href=\"/_outpost/demo/stream\"",
            "href=\"/_outpost/demo/playback\"");
    HttpResult unknown = http.get("/_outpost/demo/nope");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).contains("no demo page nope", "chat", "todo");
    assertThat(http.get("/_outpost/demo/..%2Fcluster").status()).isEqualTo(404);
  }

  @Test
  void theDocPageGetsTheImportMapAndOnlyVendoredModulesAreServed() {
    HttpResult page = http.get("/_outpost/demo/doc");
    assertThat(page.status()).as("GET /_outpost/demo/doc: %s", page).isEqualTo(200);
    assertThat(page.body())
        .contains("<script type=\"importmap\">", "\"y-websocket\": \"/_outpost/vendor/y-websocket@")
        .doesNotContain("<!-- outpost:importmap -->");
    int at = page.body().indexOf("\"yjs\": \"") + "\"yjs\": \"".length();
    String yjs = page.body().substring(at, page.body().indexOf('"', at));
    HttpResult module = http.get(yjs);
    assertThat(module.status()).as("GET %s", yjs).isEqualTo(200);
    assertThat(module.headers().get("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
    assertThat(module.headers().get("Cache-Control")).contains("immutable");
    assertThat(module.body()).contains("export {");
    String pkg = yjs.substring(0, yjs.indexOf('/', "/_outpost/vendor/".length()));
    assertThat(http.get(pkg + "/LICENSE").body()).contains("Permission is hereby granted");
    for (String path :
        List.of(
            pkg + "/package.json",
            pkg + "/dist/nope.mjs",
            pkg + "/%2e%2e/x.js",
            "/_outpost/vendor/importmap.json")) {
      HttpResult refused = http.get(path);
      assertThat(refused.status()).as("GET %s", path).isEqualTo(404);
      assertThat(refused.body()).as("GET %s", path).contains("no vendored file");
    }
    HttpResult escape = http.get(pkg + "/%2e%2e/%2e%2e/demo/chat.html");
    assertThat(escape.status()).as("a path climbing out of the vendor directory").isEqualTo(404);
    assertThat(escape.body()).doesNotContain("<html");
  }
}
