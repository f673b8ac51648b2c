package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.testkit.TestCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples' demo pages ({@code /_outpost/demo/{sample}}) in a real browser: Debian's Chromium
 * driven by {@code playwright-core} (pinned by the committed package-lock.json; it never downloads
 * a browser) from {@code browser-test.mjs}. For each page, two browser contexts, one through the
 * eu-west router and one through the us-east router of a real two-region cluster (latency emulation
 * on), must see each other's actions. On failure the script saves a screenshot of each context
 * under {@code target/browser-screenshots/}. Skipped, saying so, where {@code /usr/bin/chromium} is
 * absent ({@code .ci/run} installs it).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BrowserPagesIT {

  private static final Path CHROMIUM =
      Path.of(System.getProperty("outpost.chromium", "/usr/bin/chromium"));
  private static final List<String> REGIONS = List.of("eu-west", "us-east");

  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Path scripts;
  // Two sites of "someone's app" on other origins: the routers allow the first, not the second.
  private static HttpServer allowedApp;
  private static HttpServer deniedApp;

  @BeforeAll
  static void start() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      // Each test is skipped with the reason (an assumption here would hide it from the report).
      System.out.println("BrowserPagesIT: " + missingChromium());
      return;
    }
    scripts = NodeScripts.installed();
    allowedApp = appSite();
    deniedApp = appSite();
    RegionTopology topology = RegionTopology.load(Path.of(System.getProperty("outpost.topology")));
    cluster =
        TestCluster.inRegions(
            dir,
            REGIONS,
            b ->
                b.topology(topology)
                    .emulateLatency(true)
                    .allowedOrigins(List.of(origin(allowedApp))));
  }

  @BeforeEach
  void needsChromium() {
    assumeTrue(Files.isExecutable(CHROMIUM), BrowserPagesIT::missingChromium);
  }

  private static String missingChromium() {
    return "skipped: "
        + CHROMIUM
        + " is missing; the browser tests need Debian's chromium"
        + " (apt-get install chromium; .ci/run installs it)";
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
    for (HttpServer app : new HttpServer[] {allowedApp, deniedApp}) {
      if (app != null) {
        app.stop(0);
      }
    }
  }

  /** A site on an origin of its own, serving one empty page at {@code /app.html}. */
  private static HttpServer appSite() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] page =
        "<!doctype html><meta charset=utf-8><title>an app on another origin</title>"
            .getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/app.html",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
          exchange.sendResponseHeaders(200, page.length);
          try (OutputStream body = exchange.getResponseBody()) {
            body.write(page);
          }
        });
    server.start();
    return server;
  }

  private static String origin(HttpServer app) {
    return "http://127.0.0.1:" + app.getAddress().getPort();
  }

  @Test
  void chat() throws Exception {
    assertThat(runPage("chat"))
        .contains("ok B sees the message typed in A")
        .contains("ok A sees the message typed in B");
  }

  @Test
  void todo() throws Exception {
    assertThat(runPage("todo"))
        .contains("ok B sees the item added in A, confirmed in both")
        .contains("ok B showed the duplicate at once, then rolled it back when the list refused it")
        .contains("ok A sees the item checked in B")
        .contains("ok A sees the item removed in B; never saw the refused duplicate");
  }

  @Test
  void jobs() throws Exception {
    assertThat(runPage("jobs"))
        .contains("ok B sees the progress of the job started in A")
        .contains("ok the node that owns the job restarted")
        .contains("ok both see the job go on after the restart and finish");
  }

  @Test
  void stream() throws Exception {
    assertThat(runPage("stream"))
        .contains("ok B sees the answer to the question asked in A streaming")
        .contains("and resumed with Last-Event-ID")
        .contains("ok both end with the whole answer, A with no token lost or repeated");
  }

  @Test
  void counter() throws Exception {
    assertThat(runPage("counter"))
        .contains("ok B sees the increments made in A")
        .contains("ok A sees the increment made in B");
  }

  @Test
  void theClientAsEsModuleAndAsClassicFile() throws Exception {
    assertThat(runPage("client-module"))
        .contains("ok A connected with the ES module's named export")
        .contains("ok each sees the message the other sent");
  }

  @Test
  void aPageOnAnAllowedOriginUsesEveryTransportAndTheNearestRouter() throws Exception {
    assertThat(runPage("cross-origin", origin(allowedApp), origin(deniedApp)))
        .contains("ok the allowed origin's page chatted over sse through the other region's router")
        .contains("ok the allowed origin's page chatted over polling")
        .contains("ok connectNearest ranked both routers from the allowed origin")
        .contains("ok the denied origin's page could not read health")
        .contains("ok the denied origin's POST never reached the object");
  }

  @Test
  void aWebSocketFromAnOriginTheRoutersDoNotAllowIsRefused() throws Exception {
    assertThat(runPage("websocket-origin", origin(allowedApp), origin(deniedApp)))
        .contains("ok the allowed origin's page chatted over a WebSocket")
        .contains("ok the denied origin's WebSocket was refused");
  }

  @Test
  void playback() throws Exception {
    assertThat(runPage("playback"))
        .contains("ok A's clock runs 3000 ms ahead, B's 2000 ms behind")
        .contains("ok both estimated their offset to the server")
        .contains("ok A pressed play, B plays; positions A - B at one instant")
        .contains("ok B sought to 120 s, A follows")
        .contains("ok B paused; both stopped at")
        .contains("ok B's seek past the end was refused with the reason; nothing changed");
  }

  @Test
  void notifications() throws Exception {
    assertThat(runPage("notifications"))
        .contains(
            "ok ben's three pages connected by themselves over websocket, sse (WebSocket blocked)"
                + " and polling (WebSocket and SSE blocked)")
        .contains("ok ana's page, with transport=sse, connected over sse")
        .contains("ok all three of ben's pages show the notification sent from A, unread 1")
        .contains("ok all three of ben's pages show the second notification, unread 2")
        .contains("ok marking one read in the polling page updated unread to 1 in all three")
        .contains("ok mark all read in the websocket page updated unread to 0 in all three")
        .contains(
            "ok a too-long notification from A was refused with the reason, and ben's pages did"
                + " not change");
  }

  @Test
  void doc() throws Exception {
    assertThat(runPage("doc"))
        .contains("ok both in sync, each sees the other in #here")
        .contains("ok B sees the text typed in A")
        .contains("ok A sees the text typed in B")
        .contains("ok A and B typed at once and both end with the same text holding both inputs")
        .contains("ok A shows ben's selection of \"eu-west\"")
        .contains("ben's selection still covers \"eu-west\" in A, and in B itself")
        .containsPattern("ok ben left A's #here \\d+ ms after B's browser context closed")
        .contains("ok C, joining after everyone left, got the whole text")
        .contains("ok an oversized paste was undone with a reason and lost nothing")
        .contains("an emoji swap kept its surrogate pair, as stored by the room");
  }

  @Test
  void adminPage() throws Exception {
    assertThat(runPage("admin", dev.outpost.testkit.ClusterTestNode.ADMIN_TOKEN))
        .contains("ok the page asks for the token and refuses a wrong one")
        .contains(
            "ok the admin page lists the test's objects by name, owned by node-1 and node-2, with"
                + " their storage")
        .contains("ok evict, confirmed in a dialog, dropped the instance and kept its storage")
        .contains("ok move to eu-west through the page: node-1 owns it, its count went on")
        .contains("ok delete, confirmed in a dialog, removed its storage: it starts again from 0")
        .contains("ok the token stays in its tab: another context is asked for it");
  }

  private static String url(int node) {
    return "http://127.0.0.1:" + cluster.node(node).port();
  }

  /**
   * Runs the page's scenario with context A on the eu-west router and B on the us-east one; serves
   * its "RESTART namespace/name" requests by restarting the object's owner. Returns the output.
   */
  private static String runPage(String page, String... extra) throws Exception {
    Path shots = Path.of("target", "browser-screenshots").toAbsolutePath();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "node",
                "browser-test.mjs",
                page,
                url(0),
                url(1),
                shots.toString(),
                CHROMIUM.toString()));
    command.addAll(List.of(extra));
    NodeScripts.Result result =
        NodeScripts.run(
            scripts,
            Duration.ofSeconds(240),
            line ->
                line.startsWith("RESTART ")
                    ? restartOwner(line.substring("RESTART ".length()).trim())
                    : null,
            command.toArray(String[]::new));
    System.out.print(result.output());
    assertThat(result.code())
        .as("node browser-test.mjs %s (screenshots in %s):\n%s", page, shots, result.output())
        .isZero();
    return result.output();
  }

  /** Restarts the node that owns {@code namespace/name}; answers the line for the script. */
  private static String restartOwner(String object) {
    try {
      int slash = object.indexOf('/');
      String owner =
          cluster.node(0).ownerOf(object.substring(0, slash), object.substring(slash + 1));
      for (int i = 0; i < cluster.size(); i++) {
        if (cluster.node(i).nodeId().equals(owner)) {
          cluster.restart(i);
          return "RESTARTED";
        }
      }
      return "no node " + owner + " owns " + object;
    } catch (RuntimeException e) {
      return "restart failed: " + e;
    }
  }
}
