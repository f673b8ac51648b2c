package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.AuthOptions;
import dev.outpost.router.JwtOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.testkit.TestNode;
import dev.outpost.testkit.TestTokens;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The samples' {@code diary} as its manifest declares it ({@code namespace.diary.guard=jwt,
 * ...OwnerOnly}) on a node with an HS256 key: its owner's token (made here, as an identity provider
 * would) writes and reads it over HTTP and hears new entries on a WebSocket with {@code ?token=};
 * no token, or another user's, is refused before the diary wakes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DiarySampleIT {

  private static final String SECRET = "diary-sample-it-secret-of-at-least-32-bytes";

  @TempDir Path dataDir;

  private OutpostNode node;
  private Vertx vertx;
  private HttpClient http;

  @BeforeEach
  void start() {
    node =
        OutpostNode.builder()
            .dataDir(dataDir)
            .bundle(TestNode.samplesBundle())
            .authOptions(AuthOptions.defaults().withJwt(JwtOptions.hmac(SECRET)))
            .start();
    vertx = Vertx.vertx();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() throws Exception {
    http.shutdownNow();
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  private String token(String user) {
    return TestTokens.hs256(vertx, SECRET, user);
  }

  private HttpResponse<String> send(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private ObjectAddress diary(String user) {
    return new ObjectAddress(
        "diary", node.host().namespace("diary").orElseThrow().idFromName(user));
  }

  @Test
  void onlyTheOwnersTokenOpensTheDiary() throws Exception {
    HttpResponse<String> anonymous = send("POST", "/objects/diary/ana", "hello");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("missing token");
    HttpResponse<String> bob =
        send("GET", "/objects/diary/ana", "", "Authorization", "Bearer " + token("bob"));
    assertThat(bob.statusCode()).isEqualTo(403);
    assertThat(bob.body())
        .isEqualTo("diary 'ana' belongs to its owner; your token's subject is 'bob'");
    assertThat(node.host().isActiveForTest(diary("ana"))).as("the diary never woke").isFalse();
    assertThat(node.host().storedKeysForTest(diary("ana"))).isEmpty();

    CompletableFuture<String> heard = new CompletableFuture<>();
    WebSocket tab =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create(
                    "ws://127.0.0.1:" + node.port() + "/objects/diary/ana?token=" + token("ana")),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    heard.complete(data.toString());
                    return null;
                  }
                })
            .get(20, TimeUnit.SECONDS);
    String ana = "Bearer " + token("ana");
    HttpResponse<String> written =
        send("POST", "/objects/diary/ana", "dear diary", "Authorization", ana);
    assertThat(written.statusCode()).isEqualTo(201);
    assertThat(written.body()).isEqualTo("1: dear diary");
    assertThat(heard.get(20, TimeUnit.SECONDS)).isEqualTo("1: dear diary\n");
    assertThat(send("GET", "/objects/diary/ana", "", "Authorization", ana).body())
        .isEqualTo("1: dear diary\n");
    assertThat(node.host().storedKeysForTest(diary("ana"))).isEqualTo(List.of("entry:00001"));
    tab.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
  }
}
