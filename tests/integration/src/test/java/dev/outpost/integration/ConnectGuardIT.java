package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.node.OutpostNode;
import dev.outpost.router.AuthOptions;
import dev.outpost.router.JwtOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.testkit.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connect guards on a real node (RocksDB, real sockets): a client the guards refuse, over plain
 * HTTP, a WebSocket, an event stream or long polling, never wakes the object (its constructor never
 * runs, nothing is active, nothing is stored); the {@code jwt} guard admits valid tokens from the
 * header or the query and refuses missing, expired and badly signed ones with 401 and the reason;
 * the object reads the verified subject, never a header the client forged; a guard that throws is
 * 500 with an error id, one that hangs 503 after the guard timeout, and neither wakes the object.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConnectGuardIT {

  private static final String SECRET = "connect-guard-it-secret-of-at-least-32-bytes";

  /** Counts its constructions; answers who it was told the client is. */
  public static final class Inbox implements DurableObject {
    static final AtomicInteger constructed = new AtomicInteger();
    private final DurableObjectState state;

    public Inbox(DurableObjectState state, Env env) {
      constructed.incrementAndGet();
      this.state = state;
    }

    @Override
    public Response fetch(Request request) {
      String subject = request.header(ConnectGuard.SUBJECT_HEADER).orElse("(none)");
      if (request.isWebSocketUpgrade()) {
        return state.acceptWebSocket(request, "sub:" + subject);
      }
      state.storage().put("seen", subject);
      return Response.text(
          200,
          "subject="
              + subject
              + " forged="
              + request.header("X-Outpost-Auth-Role").orElse("")
              + " owner="
              + request.header("X-Inbox-Owner").orElse(""));
    }

    @Override
    public void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message) {
      ws.send(String.join(",", state.getTags(ws)));
    }
  }

  /** After {@code jwt}: only the subject named like the inbox may reach it. */
  public static final class OwnerOnly implements ConnectGuard {
    @Override
    public Admission onBeforeConnect(Request request, Lobby lobby) {
      return decide(request, lobby);
    }

    @Override
    public Admission onBeforeRequest(Request request, Lobby lobby) {
      return decide(request, lobby);
    }

    private static Admission decide(Request request, Lobby lobby) {
      String subject = request.header(SUBJECT_HEADER).orElse("");
      if (!lobby.name().orElse("").equals(subject)) {
        return Admission.refuse(
            403, "inbox " + lobby.name().orElse("?") + " is not yours (" + subject + ")");
      }
      return Admission.admit(request.withHeader("X-Inbox-Owner", subject));
    }
  }

  /** A guard with a bug. */
  public static final class Throwing implements ConnectGuard {
    @Override
    public Admission onBeforeRequest(Request request, Lobby lobby) {
      throw new IllegalStateException("the guard's database is down");
    }
  }

  /** A guard that never answers until interrupted. */
  public static final class Hanging implements ConnectGuard {
    static final CountDownLatch interrupted = new CountDownLatch(1);

    @Override
    public Admission onBeforeConnect(Request request, Lobby lobby) throws Exception {
      try {
        new CountDownLatch(1).await(); // nobody counts it down
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return Admission.admit(request);
    }
  }

  @TempDir Path dataDir;

  private OutpostNode node;
  private Vertx vertx;
  private HttpClient http;
  private WebSocketClient webSockets;

  @BeforeEach
  void start() {
    Inbox.constructed.set(0);
    node =
        OutpostNode.builder()
            .dataDir(dataDir)
            .namespace("inbox", Inbox.class)
            .namespace("broken", Inbox.class)
            .namespace("stuck", Inbox.class)
            .namespace("open", Inbox.class)
            .connectGuards("inbox", "jwt, " + OwnerOnly.class.getName())
            .connectGuards("broken", Throwing.class.getName())
            .connectGuards("stuck", Hanging.class.getName())
            .authOptions(
                AuthOptions.defaults()
                    .withGuardTimeout(Duration.ofSeconds(10))
                    .withJwt(JwtOptions.hmac(SECRET).withIssuer("connect-guard-it")))
            .start();
    vertx = Vertx.vertx();
    webSockets = vertx.createWebSocketClient();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() throws Exception {
    http.shutdownNow();
    webSockets.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  private String token(String subject, String secret, long expiresAtEpochSecond) {
    return TestTokens.hs256(
        vertx,
        secret,
        new JsonObject()
            .put("sub", subject)
            .put("iss", "connect-guard-it")
            .put("exp", expiresAtEpochSecond),
        0);
  }

  private String valid(String subject) {
    return token(subject, SECRET, Instant.now().plusSeconds(600).getEpochSecond());
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A WebSocket handshake; the refusal's status and body, or null once it was accepted. */
  private UpgradeRejectedException refusedUpgrade(String path, String... headers) {
    ClientWebSocket ws = webSockets.webSocket();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(path);
    for (int i = 0; i < headers.length; i += 2) {
      options.addHeader(headers[i], headers[i + 1]);
    }
    Throwable failure =
        ws.connect(options)
            .toCompletionStage()
            .toCompletableFuture()
            .handle((ok, error) -> error)
            .orTimeout(20, TimeUnit.SECONDS)
            .join();
    if (failure == null) {
      ws.close();
      return null;
    }
    assertThat(failure).as("handshake to " + path).isInstanceOf(UpgradeRejectedException.class);
    return (UpgradeRejectedException) failure;
  }

  private String exchangeOverWebSocket(String path, String... headers) throws Exception {
    ClientWebSocket ws = webSockets.webSocket();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI(path);
    for (int i = 0; i < headers.length; i += 2) {
      options.addHeader(headers[i], headers[i + 1]);
    }
    CompletableFuture<String> reply = new CompletableFuture<>();
    ws.textMessageHandler(reply::complete);
    ws.connect(options).await(20, TimeUnit.SECONDS);
    ws.writeTextMessage("who am I?");
    try {
      return reply.orTimeout(20, TimeUnit.SECONDS).join();
    } finally {
      ws.close();
    }
  }

  private ObjectAddress address(String namespace, String name) {
    return new ObjectAddress(
        namespace, node.host().namespace(namespace).orElseThrow().idFromName(name));
  }

  private void assertNeverWoken(String namespace, String name) {
    assertThat(Inbox.constructed.get()).as("constructor runs").isZero();
    assertThat(node.host().activeObjects()).as("live objects").isZero();
    assertThat(node.host().isActiveForTest(address(namespace, name))).isFalse();
    assertThat(node.host().storedKeysForTest(address(namespace, name))).as("stored keys").isEmpty();
  }

  @Test
  void unauthenticatedClientsOnEveryTransportAreRefusedAndNeverWakeTheObject() throws Exception {
    HttpResponse<String> plain = get("/objects/inbox/ana");
    assertThat(plain.statusCode()).isEqualTo(401);
    assertThat(plain.body()).startsWith("unauthorized: missing token");
    assertThat(plain.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"outpost\"");

    UpgradeRejectedException upgrade = refusedUpgrade("/objects/inbox/ana");
    assertThat(upgrade).as("the upgrade was refused").isNotNull();
    assertThat(upgrade.getStatus()).isEqualTo(401);
    assertThat(upgrade.getBody().toString()).contains("missing token");

    HttpResponse<String> stream = get("/objects/inbox/ana", "Accept", "text/event-stream");
    assertThat(stream.statusCode()).as("event stream").isEqualTo(401);
    assertThat(stream.body()).contains("missing token");

    HttpResponse<String> party = get("/parties/inbox/ana");
    assertThat(party.statusCode()).as("PartyKit's URL for the same room").isEqualTo(401);

    HttpResponse<String> poll = get("/objects/inbox/ana?outpost=open&outpost_transport=poll");
    assertThat(poll.statusCode()).as("long polling").isEqualTo(401);
    assertThat(poll.body()).contains("missing token");

    String expired = token("ana", SECRET, Instant.now().minusSeconds(600).getEpochSecond());
    HttpResponse<String> late = get("/objects/inbox/ana", "Authorization", "Bearer " + expired);
    assertThat(late.statusCode()).isEqualTo(401);
    assertThat(late.body()).isEqualTo("unauthorized: the token has expired; get a new one\n");

    String forged =
        token(
            "ana",
            "another-secret-of-at-least-32-bytes!",
            Instant.now().plusSeconds(600).getEpochSecond());
    UpgradeRejectedException badSignature = refusedUpgrade("/objects/inbox/ana?token=" + forged);
    assertThat(badSignature.getStatus()).isEqualTo(401);
    assertThat(badSignature.getBody().toString()).contains("bad signature").doesNotContain(forged);

    HttpResponse<String> someoneElse =
        get(
            "/objects/inbox/ana?outpost=open&outpost_transport=sse&token=" + valid("bob"),
            "Accept",
            "text/event-stream");
    assertThat(someoneElse.statusCode()).as("bob at ana's inbox").isEqualTo(403);
    assertThat(someoneElse.body()).isEqualTo("inbox ana is not yours (bob)");

    assertNeverWoken("inbox", "ana");
  }

  @Test
  void aValidTokenFromTheHeaderOrTheQueryReachesTheObjectWithTheVerifiedSubject() throws Exception {
    HttpResponse<String> plain =
        get(
            "/objects/inbox/ana",
            "Authorization",
            "Bearer " + valid("ana"),
            "X-Outpost-Auth-Role",
            "admin");
    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.body()).isEqualTo("subject=ana forged= owner=ana");

    assertThat(exchangeOverWebSocket("/objects/inbox/ana?token=" + valid("ana")))
        .isEqualTo("sub:ana");
    assertThat(
            exchangeOverWebSocket(
                "/objects/inbox/ana",
                "Authorization",
                "Bearer " + valid("ana"),
                "X-Outpost-Auth-Subject",
                "mallory"))
        .isEqualTo("sub:ana");

    HttpResponse<String> poll =
        get("/objects/inbox/ana?outpost=open&outpost_transport=poll&token=" + valid("ana"));
    assertThat(poll.statusCode()).as("long polling: " + poll.body()).isEqualTo(200);
    assertThat(new JsonObject(poll.body()).getString(OutpostV1.Field.TYPE))
        .isEqualTo(OutpostV1.Type.WELCOME);

    HttpRequest stream =
        HttpRequest.newBuilder(
                URI.create(node.baseUrl() + "/objects/inbox/ana?token=" + valid("ana")))
            .header("Accept", "text/event-stream")
            .build();
    HttpResponse<InputStream> events =
        http.sendAsync(stream, HttpResponse.BodyHandlers.ofInputStream()).get(20, TimeUnit.SECONDS);
    try (InputStream in = events.body()) {
      assertThat(events.statusCode()).isEqualTo(200);
      assertThat(events.headers().firstValue("Content-Type").orElseThrow())
          .startsWith("text/event-stream");
      byte[] first = in.readNBytes(6);
      assertThat(new String(first, StandardCharsets.UTF_8))
          .as("the stream's first bytes")
          .isNotEmpty();
    }
    assertThat(node.host().storedKeysForTest(address("inbox", "ana"))).containsExactly("seen");
  }

  @Test
  void aGuardThatThrowsIs500AndOneThatHangsIs503AndNeitherWakesTheObject() throws Exception {
    HttpResponse<String> broken = get("/objects/broken/x");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body())
        .startsWith(
            "a connect guard of namespace 'broken' failed: IllegalStateException (error id ");

    UpgradeRejectedException stuck = refusedUpgrade("/objects/stuck/x");
    assertThat(stuck.getStatus()).isEqualTo(503);
    assertThat(stuck.getHeaders().get("Retry-After")).isEqualTo("1");
    assertThat(stuck.getBody().toString())
        .contains("did not decide within 10000 ms (outpost.auth.guard-timeout)");
    assertThat(Hanging.interrupted.await(10, TimeUnit.SECONDS))
        .as("the hanging guard's thread was interrupted")
        .isTrue();

    assertNeverWoken("broken", "x");
    assertNeverWoken("stuck", "x");
    assertThat(get("/objects/open/x").body())
        .as("an unguarded namespace")
        .startsWith("subject=(none)");
    assertThat(Inbox.constructed.get()).isEqualTo(1);
  }

  @Test
  void withoutJwtKeysAJwtGuardedNamespaceIsRefusedNotOpened() throws Exception {
    node.close();
    node =
        OutpostNode.builder()
            .dataDir(dataDir)
            .namespace("inbox", Inbox.class)
            .connectGuards("inbox", "jwt")
            .start();
    HttpResponse<String> answer =
        get("/objects/inbox/ana", "Authorization", "Bearer " + valid("ana"));
    assertThat(answer.statusCode()).isEqualTo(500);
    assertThat(answer.body()).contains("guarded by jwt but this node has no JWT keys");
    assertNeverWoken("inbox", "ana");
  }
}
