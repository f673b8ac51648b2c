package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestFutures;
import dev.outpost.testkit.TestHttpClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An owner whose process "paused" past its lease (its clock jumps ahead and its renewals stop) can
 * neither commit nor reply; it serves again once it has renewed.
 */
class StaleOwnerIT {

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private TestHttpClient viaOwner;

  @BeforeEach
  void start() {
    RegisteringCounter.reset();
    cluster = TestCluster.start(dir, 2, b -> b.namespace("counter", RegisteringCounter.class));
    vertx = Vertx.vertx();
    viaOwner = new TestHttpClient(vertx, "127.0.0.1", cluster.node(0).port(), 10);
  }

  @AfterEach
  void stop() {
    RegisteringCounter.gate.countDown();
    viaOwner.close();
    vertx.close();
    cluster.close();
  }

  @Test
  void ownerThatLostItsLeaseCannotCommitOrReply() throws Exception {
    ClusterTestNode owner = cluster.node(0);
    assertThat(viaOwner.post("/objects/counter/stale").body().trim()).isEqualTo("1");
    assertThat(owner.ownerOf("counter", "stale")).isEqualTo(owner.nodeId());

    RegisteringCounter.gate = new CountDownLatch(1);
    RegisteringCounter.entered = new CountDownLatch(1);
    Future<HttpResult> held = viaOwner.sendAsync(HttpMethod.POST, "/objects/counter/stale/slow");
    assertThat(RegisteringCounter.entered.await(10, TimeUnit.SECONDS)).as("turn started").isTrue();

    owner.cluster().suspendLeaseForTest(true);
    owner.time().jump(Duration.ofSeconds(10)); // past the 6 s lease: the process "was paused"
    RegisteringCounter.gate.countDown();

    HttpResult refused = TestFutures.await(held, "POST /slow after the lease lapsed");
    assertThat(refused.status()).as("reply of a stale owner: %s", refused).isEqualTo(503);
    assertThat(refused.body()).contains("lease lapsed");

    owner.cluster().suspendLeaseForTest(false);
    HttpResult after =
        Eventually.waitUntil( // the next renewal (every second) restores the lease
            Duration.ofSeconds(10),
            Duration.ofMillis(100),
            () -> viaOwner.get("/objects/counter/stale"),
            result -> result.status() == 200,
            "GET /objects/counter/stale served again (200) after renewing");
    assertThat(after.body().trim())
        .as("the stale turn's increment was never committed")
        .isEqualTo("1");
  }
}
