package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.router.link.NodeLinks;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.ManualTimeSource;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.ext.web.Router;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node accepts a link only from a peer that speaks its link frame format: a peer announcing
 * another version, or none (a node from before the header existed), is refused at the handshake
 * with a 400 that names both versions and what to do, and no link is served; a peer of the same
 * version links and is answered. Real sockets on 127.0.0.1: a clustered node's {@link NodeNetwork}
 * accepting links in front of a real {@link ObjectHost}, a hand-made handshake for the old peer and
 * the node's own {@link NodeLinks} for the current one.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkVersionTest {

  private static final String SECRET = "link-secret";

  /** Answers every request with its method and path. */
  public static final class Echo implements DurableObject {
    public Echo(DurableObjectState state, Env env) {}

    @Override
    public Response fetch(Request request) {
      return Response.ok(request.method() + " " + request.path());
    }
  }

  private NodeNetwork network;
  private ObjectHost host;
  private HttpServer server;
  private Vertx peerVertx;
  private RouterMetrics peerMetrics;

  @BeforeEach
  void start() throws Exception {
    network =
        NodeNetwork.open(
            RouterOptions.defaults(),
            Optional.of(
                new NodeNetwork.LinkSettings("local", SECRET, RegionTopology.open(), false)),
            ListenerOptions.defaults(),
            RouterMetrics.create());
    host =
        ObjectHost.builder()
            .time(new ManualTimeSource(Instant.parse("2030-01-01T00:00:00Z")))
            .storage(StorageEngines.inMemory())
            .namespace("echo", Echo.class)
            .build();
    Router router = Router.router(network.vertx());
    router
        .get(NodeLinks.PATH)
        .handler(ctx -> network.acceptLink(ctx, host, host, RealtimeOptions.defaults()));
    server =
        network
            .vertx()
            .createHttpServer()
            .requestHandler(router)
            .listen(0, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    peerVertx = Vertx.vertx();
    peerMetrics = RouterMetrics.create();
  }

  @AfterEach
  void stop() throws Exception {
    peerVertx.close().await(10, TimeUnit.SECONDS);
    peerMetrics.close();
    server.close().await(10, TimeUnit.SECONDS);
    host.close();
    network.close();
  }

  @Test
  void aPeerOfAnotherVersionIsRefusedWithBothVersionsNamed() throws Exception {
    UpgradeRejectedException refusal = handshakeRefused("1");

    assertThat(refusal.getStatus()).isEqualTo(400);
    assertThat(refusal.getBody().toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "node link refused: this node speaks link version 3, the peer 1; run the same"
                + " Outpost version on every node");
  }

  @Test
  void aPeerThatAnnouncesNoVersionIsRefusedAsOlder() throws Exception {
    UpgradeRejectedException refusal = handshakeRefused(null);

    assertThat(refusal.getStatus()).isEqualTo(400);
    assertThat(refusal.getBody().toString(StandardCharsets.UTF_8).strip())
        .isEqualTo(
            "node link refused: this node speaks link version 3, the peer an older one (no"
                + " X-Outpost-Link-Version); run the same Outpost version on every node");
  }

  @Test
  void aPeerOfTheSameVersionLinksAndIsAnswered() throws Exception {
    try (NodeLinks links =
        new NodeLinks(
            peerVertx,
            "peer",
            SECRET,
            1 << 20,
            LatencyEmulator.OFF,
            "local",
            Optional.empty(),
            peerMetrics)) {
      ObjectAddress address =
          new ObjectAddress("echo", DurableObjectId.of("%064x".formatted(5), Optional.empty()));
      Response response =
          links
              .forward(
                  new NodeInfo("node", "local", "127.0.0.1", server.actualPort()),
                  address,
                  Request.get("/hello"))
              .get(10, TimeUnit.SECONDS);

      assertThat(response.status()).isEqualTo(200);
      assertThat(response.bodyText()).isEqualTo("GET /hello");
      assertThat(links.openLinks()).isEqualTo(1);
    }
  }

  /** A link handshake with the right secret announcing {@code version} (none when null). */
  private UpgradeRejectedException handshakeRefused(String version) throws Exception {
    WebSocketClient client = peerVertx.createWebSocketClient();
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(server.actualPort())
            .setURI(NodeLinks.PATH)
            .addHeader("X-Outpost-Link-Secret", SECRET)
            .addHeader("X-Outpost-Node", "old-peer");
    if (version != null) {
      options.addHeader("X-Outpost-Link-Version", version);
    }
    CompletableFuture<Object> outcome = new CompletableFuture<>();
    client
        .connect(options)
        .onComplete(
            ws -> {
              ws.close();
              outcome.complete(ws);
            },
            outcome::completeExceptionally);
    try {
      Object linked = outcome.get(10, TimeUnit.SECONDS);
      throw new AssertionError(
          "a link announcing version " + version + " was accepted (" + linked + ")");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(UpgradeRejectedException.class);
      return (UpgradeRejectedException) e.getCause();
    }
  }
}
