package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The samples' counter on a real node: turns one at a time, writes durable across restarts. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CounterIT {

  @TempDir Path dataDir;

  private Vertx vertx;
  private TestNode node;

  @BeforeEach
  void startNode() {
    vertx = Vertx.vertx();
    node = TestNode.start(dataDir);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void concurrentIncrementsEachSeeADistinctValue() throws Exception {
    int requests = 200;
    try (TestHttpClient http = new TestHttpClient(vertx, node, requests)) {
      List<Future<HttpResult>> inFlight = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        inFlight.add(http.sendAsync(HttpMethod.POST, "/objects/counter/hits"));
      }
      Future.all(inFlight).await(30, TimeUnit.SECONDS);

      List<HttpResult> results = inFlight.stream().map(Future::result).toList();
      assertThat(results)
          .as("status of every POST /objects/counter/hits")
          .allSatisfy(r -> assertThat(r.status()).as("answer %s", r).isEqualTo(200));
      List<Long> answers = results.stream().map(r -> Long.parseLong(r.body().strip())).toList();
      assertThat(answers)
          .as("values answered by %d concurrent increments", requests)
          .containsExactlyInAnyOrderElementsOf(
              LongStream.rangeClosed(1, requests).boxed().collect(Collectors.toList()));

      HttpResult read = http.get("/objects/counter/hits");
      assertThat(read.status()).as("GET after the increments: %s", read).isEqualTo(200);
      assertThat(read.body().strip()).as("value after %d increments", requests).isEqualTo("200");
    }
  }

  @Test
  void valueSurvivesANodeRestartOnTheSameDirectory() {
    try (TestHttpClient http = new TestHttpClient(vertx, node, 1)) {
      for (int i = 1; i <= 7; i++) {
        assertThat(http.post("/objects/counter/durable").body().strip())
            .as("answer to increment %d before the restart", i)
            .isEqualTo(Integer.toString(i));
      }
      assertThat(http.post("/objects/counter/other").body().strip())
          .as("another counter before the restart")
          .isEqualTo("1");
    }

    node = node.restart();

    try (TestHttpClient http = new TestHttpClient(vertx, node, 1)) {
      HttpResult read = http.get("/objects/counter/durable");
      assertThat(read.status()).as("GET after the restart: %s", read).isEqualTo(200);
      assertThat(read.body().strip()).as("counter 'durable' after the restart").isEqualTo("7");
      assertThat(http.get("/objects/counter/other").body().strip())
          .as("counter 'other' after the restart")
          .isEqualTo("1");
      assertThat(http.get("/objects/counter/never-touched").body().strip())
          .as("a counter never incremented")
          .isEqualTo("0");
      assertThat(http.post("/objects/counter/durable").body().strip())
          .as("the next increment after the restart")
          .isEqualTo("8");
    }
  }
}
