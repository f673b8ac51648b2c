package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node's HTTP front starts with its default options. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerStartIT {

  private Vertx vertx;

  @BeforeEach
  void startClients() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopClients() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * Port 0 with two event loops (both defaults): every server of the node shares one free port.
   * Vert.x 5.0.7 shares servers only by the port asked for, so they must all ask for -1.
   */
  @Test
  void serverStartsOnAFreePortWithDefaultOptions() {
    try (OutpostNode node =
            OutpostNode.builder()
                .storage(StorageEngines.inMemory())
                .bundle(TestNode.samplesBundle())
                .routerOptions(RouterOptions.defaults())
                .start();
        TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
      HttpResult health = http.get("/_outpost/health");
      assertThat(health.status())
          .as("health of a server started with defaults: %s", health)
          .isEqualTo(200);
    }
  }

  /**
   * Readiness: ready while serving; not ready (503) once leaving, every other route still served.
   */
  @Test
  void healthSaysNotReadyOnceTheNodeIsLeaving() {
    try (OutpostNode node =
            OutpostNode.builder()
                .storage(StorageEngines.inMemory())
                .bundle(TestNode.samplesBundle())
                .routerOptions(RouterOptions.defaults())
                .start();
        TestHttpClient http = new TestHttpClient(vertx, "127.0.0.1", node.port(), 2)) {
      HttpResult serving = http.get("/_outpost/health");
      assertThat(serving.status()).as("health while serving: %s", serving).isEqualTo(200);
      assertThat(new io.vertx.core.json.JsonObject(serving.body()).getBoolean("ready")).isTrue();

      node.server().markLeaving();

      HttpResult leaving = http.get("/_outpost/health");
      assertThat(leaving.status()).as("health while leaving: %s", leaving).isEqualTo(503);
      io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject(leaving.body());
      assertThat(body.getString("status")).isEqualTo("leaving");
      assertThat(body.getBoolean("ready")).isFalse();
      assertThat(body.getString("node")).isEqualTo("node-1");
      assertThat(node.server().isLeaving()).isTrue();
      HttpResult page = http.get("/");
      assertThat(page.status()).as("the node's page while leaving: %s", page).isEqualTo(200);
    }
  }
}
