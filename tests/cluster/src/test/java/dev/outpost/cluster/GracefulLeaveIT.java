package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.Cluster;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestHttpClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Increments through random routers lose nothing, even while the owner leaves. */
class GracefulLeaveIT {

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<TestHttpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    RegisteringCounter.reset();
    cluster = TestCluster.start(dir, 3, b -> b.namespace("counter", RegisteringCounter.class));
    vertx = Vertx.vertx();
    cluster.nodes().forEach(n -> clients.add(new TestHttpClient(vertx, "127.0.0.1", n.port(), 20)));
  }

  @AfterEach
  void stop() {
    clients.forEach(TestHttpClient::close);
    vertx.close();
    cluster.close();
  }

  @Test
  void incrementsThroughRandomRoutersAllLand() {
    for (int i = 0; i < 300; i++) {
      int router = ThreadLocalRandom.current().nextInt(3);
      HttpResult r;
      try {
        r = clients.get(router).post("/objects/counter/spread");
      } catch (AssertionError e) {
        throw new AssertionError(
            "increment " + i + " via router " + router + " hung; " + describe(), e);
      }
      assertThat(r.status()).as("increment %d: %s", i, r).isEqualTo(200);
      assertThat(r.body().trim()).isEqualTo(Integer.toString(i + 1));
    }
  }

  private String describe() {
    StringBuilder state = new StringBuilder();
    for (ClusterTestNode n : cluster.nodes()) {
      state
          .append(n.nodeId())
          .append(": links=")
          .append(n.server().openLinks())
          .append(" active=")
          .append(n.host().activeObjects())
          .append(" owner=")
          .append(n.cluster().directory().lookup(n.address("counter", "spread")))
          .append("; ");
    }
    return state.toString();
  }

  @Test
  void gracefulLeaveOfTheOwnerUnderLoadLosesNoAcknowledgedIncrement() throws Exception {
    // node-1's router places the object on node-1, which then leaves.
    assertThat(clients.get(0).post("/objects/counter/busy").status()).isEqualTo(200);
    ClusterTestNode owner = cluster.node(0);
    assertThat(owner.ownerOf("counter", "busy")).isEqualTo("node-1");

    ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Instant> ackTimes = new ConcurrentLinkedQueue<>();
    acknowledged.add(1L);
    AtomicBoolean running = new AtomicBoolean(true);
    CountDownLatch loadersDone = new CountDownLatch(4);
    for (int t = 0; t < 4; t++) {
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  // bounded: at most 2,000 attempts per loader, and stops when told
                  for (int i = 0; i < 2_000 && running.get(); i++) {
                    TestHttpClient client = clients.get(1 + ThreadLocalRandom.current().nextInt(2));
                    HttpResult r;
                    try {
                      r =
                          dev.outpost.testkit.TestFutures.await(
                              client.sendAsync(HttpMethod.POST, "/objects/counter/busy"),
                              Duration.ofSeconds(20),
                              "increment under load");
                    } catch (AssertionError | RuntimeException e) {
                      continue; // not acknowledged
                    }
                    if (r.status() == 200) {
                      acknowledged.add(Long.parseLong(r.body().trim()));
                      ackTimes.add(Instant.now());
                    }
                  }
                } finally {
                  loadersDone.countDown();
                }
              });
    }
    waitForAcks(acknowledged, 50);
    Instant leaveStarted = Instant.now();
    Cluster.LeaveReport report = owner.leave();
    Instant leaveEnded = Instant.now();
    waitForAcksAfter(ackTimes, leaveEnded, 50);
    running.set(false);
    assertThat(loadersDone.await(60, TimeUnit.SECONDS)).as("load loops stopped").isTrue();

    assertThat(report.moved()).as("objects handed over by node-1").isGreaterThanOrEqualTo(1);
    assertThat(cluster.node(1).ownerOf("counter", "busy")).isIn("node-2", "node-3");
    List<Long> acks = new ArrayList<>(acknowledged);
    assertThat(acks)
        .as("acknowledged values are distinct: none was lost and reused")
        .doesNotHaveDuplicates();
    long last = Long.parseLong(clients.get(1).get("/objects/counter/busy").body().trim());
    assertThat(last)
        .as("the final value covers every acknowledged increment")
        .isGreaterThanOrEqualTo(acks.stream().mapToLong(Long::longValue).max().orElseThrow())
        .isGreaterThanOrEqualTo(acks.size());
    Instant firstAfter =
        ackTimes.stream()
            .filter(t -> t.isAfter(leaveStarted))
            .min(Instant::compareTo)
            .orElseThrow();
    assertThat(Duration.between(leaveStarted, firstAfter))
        .as("the object answers again soon after its owner began to leave")
        .isLessThan(Duration.ofSeconds(5));
    assertThat(
            RegisteringCounter.CONSTRUCTED_ON.get(owner.address("counter", "busy").id().toString()))
        .as("the object moved to exactly one other node")
        .hasSize(2);
  }

  private static void waitForAcks(ConcurrentLinkedQueue<Long> acks, int count) {
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        acks::size,
        n -> n >= count,
        count + " increments acknowledged before the leave");
  }

  private static void waitForAcksAfter(
      ConcurrentLinkedQueue<Instant> times, Instant after, int count) {
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> times.stream().filter(t -> t.isAfter(after)).count(),
        n -> n >= count,
        count + " increments acknowledged after the leave");
  }
}
