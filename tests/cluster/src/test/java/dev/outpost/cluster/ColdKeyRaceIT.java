package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestFutures;
import dev.outpost.testkit.TestHttpClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routers racing on a cold key agree on one owner: one activation, increments 1..100. */
class ColdKeyRaceIT {

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<TestHttpClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    RegisteringCounter.reset();
    cluster = TestCluster.start(dir, 3, b -> b.namespace("counter", RegisteringCounter.class));
    vertx = Vertx.vertx();
    cluster
        .nodes()
        .forEach(n -> clients.add(new TestHttpClient(vertx, "127.0.0.1", n.port(), 100)));
  }

  @AfterEach
  void stop() {
    clients.forEach(TestHttpClient::close);
    vertx.close();
    cluster.close();
  }

  @Test
  void hundredClientsOnANewKeyThroughThreeRoutersMakeExactlyOneActivation() {
    List<Future<HttpResult>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(clients.get(i % 3).sendAsync(HttpMethod.POST, "/objects/counter/race"));
    }
    List<Integer> values = new ArrayList<>();
    for (Future<HttpResult> answer : answers) {
      HttpResult result = TestFutures.await(answer, "POST /objects/counter/race");
      assertThat(result.status()).as("answer %s", result).isEqualTo(200);
      values.add(Integer.parseInt(result.body().trim()));
    }

    assertThat(values)
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
    assertThat(RegisteringCounter.VIOLATIONS).as("second live instances").isEmpty();
    String id = cluster.node(0).address("counter", "race").id().toString();
    assertThat(RegisteringCounter.CONSTRUCTED_ON.get(id))
        .as("nodes that constructed the object")
        .containsExactly(cluster.node(0).ownerOf("counter", "race"));
    for (int i = 0; i < 3; i++) {
      assertThat(clients.get(i).get("/objects/counter/race").body().trim())
          .as("GET through router %d", i)
          .isEqualTo("100");
    }
  }
}
