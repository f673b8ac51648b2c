package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestBundle;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exception escaping a turn, as in Cloudflare: HTTP 500 with an error id, the writes the turn
 * made before throwing kept, the instance (and its in-memory state) kept, and other objects
 * untouched. Runs a bundle compiled by the test, since the samples never throw.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailingObjectIT {

  /**
   * {@code /turns} answers how many requests this instance has served (an in-memory field, so a
   * reset would show as a restart from 1); {@code /boom} writes a key and throws; {@code /written}
   * answers that key.
   */
  private static final String FLAKY =
      """
      package test.flaky;

      import dev.outpost.api.DurableObject;
      import dev.outpost.api.DurableObjectState;
      import dev.outpost.api.Env;
      import dev.outpost.api.Request;
      import dev.outpost.api.Response;

      public final class Flaky implements DurableObject {
        private final DurableObjectState state;
        private int served;

        public Flaky(DurableObjectState state, Env env) {
          this.state = state;
        }

        @Override
        public Response fetch(Request request) {
          served++;
          return switch (request.path()) {
            case "/boom" -> {
              state.storage().put("written", "by the failed turn");
              throw new IllegalStateException("thrown on purpose by a test object");
            }
            case "/written" ->
                Response.ok(state.storage().get("written", String.class).orElse("nothing"));
            default -> Response.ok(Integer.toString(served));
          };
        }
      }
      """;

  @TempDir Path dataDir;
  @TempDir Path bundleDir;

  private Vertx vertx;
  private TestNode node;
  private TestHttpClient http;

  @BeforeEach
  void startNode() {
    Path bundle =
        TestBundle.named("flaky-test")
            .source("test.flaky.Flaky", FLAKY)
            .namespace("flaky", "test.flaky.Flaky")
            .compileTo(bundleDir.resolve("classes"));
    vertx = Vertx.vertx();
    node = TestNode.builder(dataDir).bundle(bundle).start();
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
  void throwingObjectAnswers500WithAnErrorIdKeepsItsWritesAndOthersKeepWorking() {
    assertThat(http.get("/objects/flaky/bystander/turns").body().strip())
        .as("bystander's first request")
        .isEqualTo("1");
    assertThat(http.get("/objects/flaky/victim/turns").body().strip())
        .as("victim's first request")
        .isEqualTo("1");
    assertThat(http.get("/objects/flaky/victim/turns").body().strip())
        .as("victim's second request")
        .isEqualTo("2");

    HttpResult failed = http.get("/objects/flaky/victim/boom");
    assertThat(failed.status())
        .as("answer to a request whose turn threw: %s", failed)
        .isEqualTo(500);
    assertThat(failed.body())
        .as("500 body")
        .containsPattern("error id [0-9a-f]{16}")
        .contains("IllegalStateException");

    assertThat(http.get("/objects/flaky/victim/turns").body().strip())
        .as("victim's next request: the same instance, which served /boom as its third")
        .isEqualTo("4");
    assertThat(http.get("/objects/flaky/victim/written").body().strip())
        .as("the key written by the failed turn before it threw")
        .isEqualTo("by the failed turn");
    assertThat(http.get("/objects/flaky/bystander/turns").body().strip())
        .as("bystander's second request: same instance, untouched by the victim's failure")
        .isEqualTo("2");
  }

  @Test
  void twoFailuresGetDistinctErrorIds() {
    String first = http.get("/objects/flaky/twice/boom").body();
    String second = http.get("/objects/flaky/twice/boom").body();
    assertThat(errorId(first))
        .as("error id of the second failure (first: %s)", first)
        .isNotEqualTo(errorId(second));
  }

  private static String errorId(String body) {
    var matcher = java.util.regex.Pattern.compile("error id ([0-9a-f]{16})").matcher(body);
    assertThat(matcher.find()).as("error id in %s", body).isTrue();
    return matcher.group(1);
  }
}
