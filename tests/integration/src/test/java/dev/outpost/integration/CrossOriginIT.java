package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.testkit.TestNode;
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
 * The router decides cross-origin requests (CORS) itself: preflights never reach an object, an
 * allowed origin gets the headers, another origin gets 403 and its request is not delivered;
 * requests without {@code Origin} and same-origin ones pass untouched. WebSocket upgrades from
 * another origin that is not allowed get 403 before any object wakes (Cross-Site WebSocket
 * Hijacking); from an allowed origin, or without {@code Origin} (non-browser clients), they
 * connect. Real node, real HTTP; the browser's side is in {@code BrowserPagesIT}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CrossOriginIT {

  private static final String APP = "https://app.example.com";
  private static final String STRANGER = "https://evil.example.net";

  @TempDir Path dataDir;

  private TestNode node;
  private HttpClient http;

  @BeforeEach
  void start() {
    node =
        TestNode.builder(dataDir)
            .routerOptions(RouterOptions.defaults().withAllowedOrigins(List.of(APP)))
            .start();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    http.shutdownNow(); // close() would wait for the WebSocket's input side forever
    node.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  private HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url(path)))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                method.equals("POST")
                    ? HttpRequest.BodyPublishers.ofString("x")
                    : HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String counter(String name) throws Exception {
    return send("GET", "/objects/counter/" + name).body().strip();
  }

  @Test
  void anAllowedOriginsPreflightIsAnsweredByTheRouter() throws Exception {
    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/objects/counter/c1",
            "Origin",
            APP,
            "Access-Control-Request-Method",
            "POST",
            "Access-Control-Request-Headers",
            "content-type,last-event-id");

    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(APP);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow())
        .contains("POST");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow())
        .containsIgnoringCase("last-event-id");
    assertThat(preflight.headers().firstValue("Access-Control-Max-Age")).contains("600");

    HttpResponse<String> post = send("POST", "/objects/counter/c1", "Origin", APP);
    assertThat(post.statusCode()).isEqualTo(200);
    assertThat(post.headers().firstValue("Access-Control-Allow-Origin")).contains(APP);
    assertThat(post.headers().firstValue("Access-Control-Expose-Headers").orElseThrow())
        .containsIgnoringCase("X-Outpost-Realtime");
    assertThat(counter("c1")).isEqualTo("1");
  }

  @Test
  void anotherOriginIsRefusedWithHowToAllowItAndReachesNoObject() throws Exception {
    HttpResponse<String> preflight =
        send(
            "OPTIONS",
            "/objects/counter/c2",
            "Origin",
            STRANGER,
            "Access-Control-Request-Method",
            "POST");
    assertThat(preflight.statusCode()).isEqualTo(403);
    assertThat(preflight.body()).contains("--allow-origin " + STRANGER);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> simplePost = send("POST", "/objects/counter/c2", "Origin", STRANGER);
    assertThat(simplePost.statusCode()).isEqualTo(403);
    assertThat(counter("c2")).as("the refused POST was not delivered").isEqualTo("0");

    // An <img> or <script> of another site: no Origin, but Fetch Metadata says cross-site.
    HttpResponse<String> image =
        send(
            "GET",
            "/objects/counter/c2",
            "Sec-Fetch-Site",
            "cross-site",
            "Sec-Fetch-Mode",
            "no-cors");
    assertThat(image.statusCode()).isEqualTo(403);
    assertThat(image.body()).contains("Sec-Fetch-Site: cross-site");
    HttpResponse<String> link =
        send(
            "GET",
            "/objects/counter/c2",
            "Sec-Fetch-Site",
            "cross-site",
            "Sec-Fetch-Mode",
            "navigate");
    assertThat(link.statusCode()).as("following a link from another site").isEqualTo(200);
  }

  @Test
  void sameOriginAndOriginlessRequestsAndPlainOptionsReachTheObject() throws Exception {
    String own = "http://127.0.0.1:" + node.port();
    assertThat(send("POST", "/objects/counter/c3", "Origin", own).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/objects/counter/c3").statusCode()).isEqualTo(200);
    assertThat(counter("c3")).isEqualTo("2");

    HttpResponse<String> options = send("OPTIONS", "/objects/counter/c3");
    assertThat(options.statusCode()).as("the counter's own answer to OPTIONS").isEqualTo(405);
    assertThat(options.headers().firstValue("Allow")).contains("GET, POST");
  }

  @Test
  void aWebSocketFromAnAllowedOriginOrWithoutOriginReachesTheObject() throws Exception {
    for (String origin : new String[] {APP, null}) {
      CompletableFuture<String> echoed = new CompletableFuture<>();
      WebSocket.Builder builder = http.newWebSocketBuilder();
      if (origin != null) {
        builder.header("Origin", origin);
      }
      WebSocket ws =
          builder
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + node.port() + "/objects/chat/cors"),
                  new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(
                        WebSocket socket, CharSequence data, boolean last) {
                      echoed.complete(data.toString());
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      ws.sendText("hello from " + origin, true).get(10, TimeUnit.SECONDS);
      assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hello from " + origin);
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aWebSocketFromAnotherOriginIsRefusedBeforeTheObjectWakes() throws Exception {
    Throwable failure =
        http.newWebSocketBuilder()
            .header("Origin", STRANGER)
            .buildAsync(
                URI.create("ws://127.0.0.1:" + node.port() + "/objects/counter/hijack"),
                new WebSocket.Listener() {})
            .handle((ws, error) -> error)
            .get(10, TimeUnit.SECONDS);
    Throwable cause = failure;
    while (cause != null && !(cause instanceof java.net.http.WebSocketHandshakeException)) {
      cause = cause.getCause();
    }
    assertThat(cause).as("the handshake's failure").isNotNull();
    HttpResponse<?> refusal = ((java.net.http.WebSocketHandshakeException) cause).getResponse();
    assertThat(refusal.statusCode()).isEqualTo(403);
    assertThat(node.host().activeObjects()).as("no object woke").isZero();
    assertThat(node.host().isActiveForTest(node.address("counter", "hijack"))).isFalse();
  }
}
