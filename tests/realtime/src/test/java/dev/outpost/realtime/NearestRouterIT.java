package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.OutpostClient;
import dev.outpost.client.RouterSelector;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients pick the nearest router by measured round trip (with the emulated latencies of {@code
 * deploy/regions.json}) and move to the next nearest when it fails. One node per region.
 */
class NearestRouterIT {

  private static final List<String> REGIONS = List.of("eu-west", "us-east", "ap-south");

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;

  @BeforeEach
  void start() {
    RegionTopology topology = RegionTopology.load(Path.of(System.getProperty("outpost.topology")));
    cluster = TestCluster.inRegions(dir, REGIONS, b -> b.topology(topology).emulateLatency(true));
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  private static String url(ClusterTestNode node) {
    return "http://127.0.0.1:" + node.port();
  }

  @Test
  void theJavaClientConnectsThroughTheNearestRouterAndFailsOverToTheNextNearest() throws Exception {
    ClusterTestNode eu = cluster.node(0);
    ClusterTestNode us = cluster.node(1);
    ClusterTestNode ap = cluster.node(2);
    try (TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", eu.port(), 2)) {
      // the room lives in eu-west, so it survives the ap-south router
      assertThat(http.get("/objects/chat/near").status()).isEqualTo(426);
    }

    List<RouterSelector.Ranked> ranked =
        RouterSelector.rank(vertx, List.of(url(us)), Optional.of("ap-south"), 3)
            .get(30, TimeUnit.SECONDS);
    assertThat(ranked)
        .extracting(RouterSelector.Ranked::region)
        .as("ranked from ap-south: %s", ranked)
        .containsExactly("ap-south", "eu-west", "us-east");

    Recorder client = new Recorder("ap-south client");
    OutpostClient connection =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(
                    ranked.stream().map(RouterSelector.Ranked::url).toList(),
                    "/objects/chat/near?clientRegion=ap-south")
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)),
            client);
    try {
      client.awaitOpens(1, Duration.ofSeconds(15));
      assertThat(ap.server().clientSocketCount()).as("connected through ap-south").isEqualTo(1);
      connection.send("before");
      client.awaitChat(1, Duration.ofSeconds(15));

      cluster.crash(2); // the nearest router, ap-south, fails
      client.awaitOpens(2, Duration.ofSeconds(30));
      assertThat(eu.server().clientSocketCount())
          .as("moved to the next nearest router, eu-west")
          .isEqualTo(1);
      connection.send("after");
      client.awaitChat(2, Duration.ofSeconds(15));
      assertThat(client.chat()).containsExactly("before", "after");
    } finally {
      connection.close();
    }
  }

  @Test
  void theJsClientRanksRoutersAndConnectsThroughTheNearest() throws Exception {
    NodeScripts.Result result =
        NodeScripts.run(
            NodeScripts.installed(),
            Duration.ofSeconds(120),
            line -> null,
            "node",
            "nearest-test.mjs",
            url(cluster.node(1)),
            "ap-south");
    String output = result.output();
    assertThat(result.code()).as("node nearest-test.mjs:\n%s", output).isZero();
    assertThat(output)
        .contains("ranked: ap-south,eu-west,us-east")
        .contains("connected via ap-south");
  }
}
