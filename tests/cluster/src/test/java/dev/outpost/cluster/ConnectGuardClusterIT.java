package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.AuthOptions;
import dev.outpost.router.JwtOptions;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a cluster of two real nodes (Hazelcast on 127.0.0.1), a client the samples' {@code diary}
 * guards refuse, over any transport and at either router, leaves no trace: no placement in the
 * directory, no live object on any node (so nothing crossed a node link). The owner's own token
 * then places and wakes the diary, so the checks above can see one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectGuardClusterIT {

  private static final String SECRET = "connect-guard-cluster-it-secret-32-bytes-at-least";

  @TempDir Path dir;

  private TestCluster cluster;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start() {
    cluster =
        TestCluster.start(
            dir, 2, b -> b.authOptions(AuthOptions.defaults().withJwt(JwtOptions.hmac(SECRET))));
    vertx = Vertx.vertx();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() throws Exception {
    http.shutdownNow();
    vertx.close().await(10, TimeUnit.SECONDS);
    cluster.close();
  }

  private String token(String user) {
    return TestTokens.hs256(vertx, SECRET, user);
  }

  private int status(ClusterTestNode node, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private int upgradeStatus(ClusterTestNode node, String path) throws Exception {
    Throwable failure =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create("ws://127.0.0.1:" + node.port() + path), new WebSocket.Listener() {})
            .handle((ws, error) -> error)
            .get(20, TimeUnit.SECONDS);
    while (failure != null && !(failure instanceof WebSocketHandshakeException)) {
      failure = failure.getCause();
    }
    assertThat(failure).as("the upgrade to " + path + " was refused").isNotNull();
    return ((WebSocketHandshakeException) failure).getResponse().statusCode();
  }

  private void assertNoTrace(String name) {
    for (ClusterTestNode node : cluster.nodes()) {
      assertThat(node.cluster().directory().lookup(node.address("diary", name)))
          .as("placement of diary/" + name + " seen from " + node.nodeId())
          .isEmpty();
      assertThat(node.host().isActiveForTest(node.address("diary", name)))
          .as("diary/" + name + " live on " + node.nodeId())
          .isFalse();
    }
  }

  @Test
  void refusedClientsLeaveNoPlacementAndWakeNothingAnywhere() throws Exception {
    String bob = token("bob");
    for (ClusterTestNode router : cluster.nodes()) {
      assertThat(status(router, "/objects/diary/ana")).isEqualTo(401);
      assertThat(status(router, "/objects/diary/ana", "Authorization", "Bearer " + bob))
          .isEqualTo(403);
      assertThat(status(router, "/objects/diary/ana", "Accept", "text/event-stream"))
          .isEqualTo(401);
      assertThat(
              status(router, "/objects/diary/ana?outpost=open&outpost_transport=poll&token=" + bob))
          .isEqualTo(403);
      assertThat(upgradeStatus(router, "/objects/diary/ana")).isEqualTo(401);
      assertThat(upgradeStatus(router, "/objects/diary/ana?token=" + bob)).isEqualTo(403);
    }
    assertNoTrace("ana");

    ClusterTestNode second = cluster.node(1);
    assertThat(status(second, "/objects/diary/ana", "Authorization", "Bearer " + token("ana")))
        .isEqualTo(200);
    assertThat(second.ownerOf("diary", "ana"))
        .as("the owner's request placed the diary")
        .isNotEmpty();
  }
}
