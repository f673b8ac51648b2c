package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.RegionTopology;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement by region on a cluster of four nodes (two in eu-west, one in us-east, one in ap-south)
 * with the topology of {@code deploy/regions.json} and latency emulation on.
 */
class RegionsIT {

  private static final List<String> REGIONS = List.of("eu-west", "eu-west", "us-east", "ap-south");

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<TestHttpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    RegionTopology topology = RegionTopology.load(Path.of(System.getProperty("outpost.topology")));
    cluster = TestCluster.inRegions(dir, REGIONS, b -> b.topology(topology).emulateLatency(true));
    vertx = Vertx.vertx();
    cluster.nodes().forEach(n -> clients.add(new TestHttpClient(vertx, "127.0.0.1", n.port(), 8)));
  }

  @AfterEach
  void stop() {
    clients.forEach(TestHttpClient::close);
    vertx.close();
    cluster.close();
  }

  private TestHttpClient eu() {
    return clients.get(0);
  }

  private TestHttpClient us() {
    return clients.get(2);
  }

  private TestHttpClient ap() {
    return clients.get(3);
  }

  private String regionOf(String name) {
    return cluster
        .node(0)
        .cluster()
        .directory()
        .lookup(cluster.node(0).address("counter", name))
        .orElseThrow()
        .region();
  }

  @Test
  void anObjectLivesInTheRegionOfTheRouterThatSawItFirst() {
    assertThat(eu().post("/objects/counter/paris").status()).isEqualTo(200);
    assertThat(us().post("/objects/counter/boston").status()).isEqualTo(200);
    assertThat(ap().post("/objects/counter/mumbai").status()).isEqualTo(200);

    assertThat(regionOf("paris")).isEqualTo("eu-west");
    assertThat(regionOf("boston")).isEqualTo("us-east");
    assertThat(regionOf("mumbai")).isEqualTo("ap-south");
    assertThat(ap().post("/objects/counter/paris").body())
        .as("reachable from anywhere")
        .isEqualTo("2");
  }

  @Test
  void aLocationHintOverridesTheFirstRoutersRegion() {
    assertThat(us().post("/objects/counter/hinted?locationHint=weur").status()).isEqualTo(200);
    assertThat(ap().post("/objects/counter/hinted2?locationHint=us-east").status()).isEqualTo(200);

    assertThat(regionOf("hinted")).isEqualTo("eu-west");
    assertThat(regionOf("hinted2")).isEqualTo("us-east");
    HttpResult unknown = us().post("/objects/counter/lost?locationHint=moon");
    assertThat(unknown.status()).isEqualTo(503);
    assertThat(unknown.body()).contains("unknown location hint 'moon'");
  }

  @Test
  void aJurisdictionIsNeverViolated() {
    HttpResult viaUs = us().post("/objects/counter/gdpr?jurisdiction=eu");
    assertThat(viaUs.status()).as("%s", viaUs).isEqualTo(200);
    var id =
        cluster
            .node(0)
            .host()
            .namespace("counter")
            .orElseThrow()
            .jurisdiction("eu")
            .idFromName("gdpr");
    var record =
        cluster
            .node(0)
            .cluster()
            .directory()
            .lookup(new dev.outpost.runtime.ObjectAddress("counter", id))
            .orElseThrow();
    assertThat(record.region()).isEqualTo("eu-west");
    assertThat(record.jurisdiction()).contains("eu");

    HttpResult hintedOut = ap().post("/objects/counter/gdpr2?jurisdiction=eu&locationHint=enam");
    assertThat(hintedOut.status()).isEqualTo(503);
    assertThat(hintedOut.body()).contains("outside jurisdiction eu");

    assertThat(ap().post("/objects/counter/gdpr?jurisdiction=eu").body())
        .as("reachable from outside the jurisdiction")
        .isEqualTo("2");
    HttpResult move =
        admin(cluster.node(2), "/_outpost/admin/move?object=counter/gdpr&to-region=us-east");
    assertThat(move.status()).as("moving it out is refused: %s", move).isEqualTo(400);
  }

  @Test
  void insideTheRegionTheLeastLoadedNodeIsChosen() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(eu().post("/objects/counter/load-" + i).status()).isEqualTo(200);
    }
    ClusterTestNode first = cluster.node(0);
    for (int i = 0; i < 5; i++) {
      assertThat(first.ownerOf("counter", "load-" + i)).isEqualTo("node-1");
    }
    Eventually.waitUntil( // stats are published every 2 s
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        () ->
            first
                .cluster()
                .stats()
                .getOrDefault("node-1", new dev.outpost.runtime.ClusterView.NodeStats(0, 0))
                .objects(),
        objects -> objects >= 5,
        "node-1's published stats to count its 5 objects");
    assertThat(eu().post("/objects/counter/load-next").status()).isEqualTo(200);
    assertThat(first.ownerOf("counter", "load-next")).isEqualTo("node-2");
  }

  @Test
  void emulatedLatencyMakesTheConfiguredRoundTrip() {
    assertThat(eu().post("/objects/counter/far").status()).isEqualTo(200);
    // ap-south client → ap-south router (1 ms each way) → eu-west owner (60 ms each way)
    long viaAp = medianMillis(ap(), "/objects/counter/far?clientRegion=ap-south");
    assertThat(viaAp).as("median round trip ap-south → eu-west").isBetween(120L, 200L);
    // an ap-south client talking straight to an eu-west router pays the same distance
    long direct = medianMillis(eu(), "/objects/counter/far?clientRegion=ap-south");
    assertThat(direct).as("median round trip to the eu-west router").isBetween(120L, 200L);
    long local = medianMillis(eu(), "/objects/counter/far");
    assertThat(local).as("an undeclared client pays no emulated latency").isLessThan(40L);
  }

  private static long medianMillis(TestHttpClient client, String uri) {
    client.get(uri); // warm up the connection and the link
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      long start = System.nanoTime();
      HttpResult r = client.get(uri);
      times.add(Duration.ofNanos(System.nanoTime() - start).toMillis());
      assertThat(r.status()).isEqualTo(200);
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }

  @Test
  void routersAndTheClusterMapListEveryNodeByRegion() {
    JsonObject routers = new JsonObject(us().get("/_outpost/routers").body());
    assertThat(routers.getJsonArray("routers")).hasSize(4);
    assertThat(
            routers.getJsonArray("routers").stream()
                .map(r -> ((JsonObject) r).getString("region"))
                .toList())
        .containsExactlyInAnyOrder("eu-west", "eu-west", "us-east", "ap-south");

    assertThat(eu().post("/objects/counter/mapped").status()).isEqualTo(200);
    JsonObject map = new JsonObject(ap().get("/_outpost/cluster").body());
    assertThat(map.getInteger("nodes")).isEqualTo(4);
    assertThat(
            map.getJsonArray("regions").stream()
                .map(r -> ((JsonObject) r).getString("name"))
                .toList())
        .containsExactly("ap-south", "eu-west", "us-east");
    assertThat(map.getJsonObject("oneWayLatencyMs").getJsonObject("eu-west").getInteger("ap-south"))
        .isEqualTo(60);
    assertThat(ap().get("/_outpost/cluster.html").body()).contains("Outpost cluster");
  }

  @Test
  void anAdminMoveHandsTheObjectToTheTargetRegionWithItsData() {
    for (int i = 1; i <= 3; i++) {
      assertThat(eu().post("/objects/counter/traveller").body()).isEqualTo(Integer.toString(i));
    }
    HttpResult refused =
        adminWithToken(
            cluster.node(3),
            "/_outpost/admin/move?object=counter/traveller&to-region=us-east",
            "wrong");
    assertThat(refused.status()).isEqualTo(403);

    HttpResult moved =
        admin(cluster.node(3), "/_outpost/admin/move?object=counter/traveller&to-region=us-east");
    assertThat(moved.status()).as("%s", moved).isEqualTo(200);
    assertThat(regionOf("traveller")).isEqualTo("us-east");
    assertThat(ap().post("/objects/counter/traveller").body()).isEqualTo("4");
  }

  /** POSTs an admin request with the test token, following one redirect to the owner. */
  private HttpResult admin(ClusterTestNode via, String uri) {
    return adminWithToken(via, uri, ClusterTestNode.ADMIN_TOKEN);
  }

  private HttpResult adminWithToken(ClusterTestNode via, String uri, String token) {
    HttpResult r = send(via.port(), uri, token);
    if (r.status() == 307) {
      String location = r.header("Location");
      int port = Integer.parseInt(location.replaceFirst("^http://[^:]+:(\\d+)/.*$", "$1"));
      r = send(port, location.replaceFirst("^http://[^/]+", ""), token);
    }
    return r;
  }

  private HttpResult send(int port, String uri, String token) {
    io.vertx.core.http.HttpClientAgent client = vertx.createHttpClient();
    try {
      return client
          .request(HttpMethod.POST, port, "127.0.0.1", uri)
          .compose(
              req ->
                  req.putHeader("Authorization", "Bearer " + token)
                      .send(Buffer.buffer())
                      .compose(
                          res ->
                              res.body()
                                  .map(
                                      b ->
                                          new HttpResult(
                                              res.statusCode(),
                                              MultiMap.caseInsensitiveMultiMap()
                                                  .addAll(res.headers()),
                                              b.toString()))))
          .await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("POST " + uri + ": " + e, e);
    } finally {
      client.close();
    }
  }
}
