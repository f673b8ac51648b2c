package dev.outpost.router;

import dev.outpost.router.link.NodeLinks;
import dev.outpost.runtime.ObjectInbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node's HTTP front: one Vert.x instance and one HTTP server per event loop on the same port
 * (Vert.x spreads connections across them), all routing through {@link ObjectRouter}.
 */
public final class OutpostServer implements AutoCloseable {

  /** Room for a link frame's head on top of the largest message. */
  private static final int LINK_HEAD_ALLOWANCE = 64 * 1024;

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final int port;
  private final NodeLinks links; // null on a node alone
  private final ObjectRouter router;

  private OutpostServer(
      Vertx vertx, List<HttpServer> servers, int port, NodeLinks links, ObjectRouter router) {
    this.vertx = vertx;
    this.servers = servers;
    this.port = port;
    this.links = links;
    this.router = router;
  }

  /** Routes object-to-object calls through this node's router (install on the object host). */
  public dev.outpost.runtime.ObjectCaller objectCaller() {
    return router.caller();
  }

  /** Closes every client WebSocket with {@code code} (1012 when the node leaves). */
  public int closeClientSockets(int code, String reason) {
    return router.closeClientSockets(code, reason);
  }

  /** How many client WebSockets are open. */
  public int clientSocketCount() {
    return router.clientSocketCount();
  }

  /**
   * What a cluster node's router needs.
   *
   * @param cluster the node's cluster membership, directory and locator
   * @param migrations the object host, for hand-overs and moves
   * @param linkSecret the cluster's node-link secret
   * @param adminToken the bearer token of the admin endpoints
   * @param emulateLatency whether to add the topology's latencies to links and declared clients
   */
  public record ClusterRouting(
      dev.outpost.runtime.Cluster cluster,
      dev.outpost.runtime.ObjectMigrations migrations,
      String linkSecret,
      String adminToken,
      boolean emulateLatency) {}

  /** Ships objects to other nodes over the node links (cluster nodes; null alone). */
  public dev.outpost.runtime.spi.HandoverTransport handoverTransport() {
    return links;
  }

  /** How many node links are open (cluster nodes). */
  public int openLinks() {
    return links == null ? 0 : links.openLinks();
  }

  /** Starts serving {@code inbox} alone; blocks until bound. Do not call on an event loop. */
  public static OutpostServer start(ObjectInbox inbox, RouterOptions options) {
    return start(inbox, options, null);
  }

  /**
   * Starts serving {@code inbox} as a cluster node: objects are located with {@code cluster}'s
   * locator and reached over node links. Blocks until bound. Do not call on an event loop.
   */
  public static OutpostServer start(
      ObjectInbox inbox, RouterOptions options, ClusterRouting cluster) {
    return start(inbox, options, cluster, dev.outpost.router.realtime.RealtimeOptions.defaults());
  }

  /**
   * Starts serving {@code inbox}, alone ({@code cluster} null) or as a cluster node, with the
   * real-time layer (sessions, heartbeats, recovery, event streams, long polling) set by {@code
   * realtime}. Blocks until bound. Do not call on an event loop.
   */
  public static OutpostServer start(
      ObjectInbox inbox,
      RouterOptions options,
      ClusterRouting cluster,
      dev.outpost.router.realtime.RealtimeOptions realtime) {
    // Load the time-zone rules now: at the open-file limit, loading them later fails and kills
    // Netty's acceptor thread (STACK.md).
    ZoneRulesProvider.getAvailableZoneIds();
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(options.eventLoops())
                .setPreferNativeTransport(false));
    NodeLinks links = null;
    try {
      // Netty drops a frame over its limit with 1006 (Vert.x does not close on the violation), so
      // its limit is the largest message anyone may configure; MessageAssembler then refuses
      // messages over this node's limit with 1009. Link frames carry a message plus a head.
      int frameLimit = RouterOptions.MAX_MESSAGE_SIZE_LIMIT + LINK_HEAD_ALLOWANCE;
      HttpServerOptions http =
          new HttpServerOptions()
              .setHost(options.host())
              // Vert.x shares one random port among servers asked for -1 (0 gives each its own).
              .setPort(options.port() == 0 ? -1 : options.port())
              .setMaxWebSocketFrameSize(frameLimit)
              .setMaxWebSocketMessageSize(frameLimit)
              .setTcpNoDelay(true)
              .setWebSocketSubProtocols(List.of(dev.outpost.router.realtime.Protocol.SUBPROTOCOL));
      ObjectRouter objectRouter;
      if (cluster == null) {
        objectRouter = new ObjectRouter(inbox, options);
      } else {
        LatencyEmulator latency =
            cluster.emulateLatency()
                ? LatencyEmulator.on(vertx, cluster.cluster().topology())
                : LatencyEmulator.OFF;
        String region = cluster.cluster().self().region();
        links =
            new NodeLinks(
                vertx, options.nodeId(), cluster.linkSecret(), frameLimit, latency, region);
        objectRouter =
            new ObjectRouter(
                    inbox,
                    options,
                    cluster.cluster().locator(),
                    links,
                    cluster.linkSecret(),
                    cluster.migrations())
                .cluster(
                    new ClusterRoutes(
                        cluster.cluster(),
                        inbox,
                        cluster.migrations(),
                        links,
                        cluster.adminToken(),
                        cluster.migrations()::codeVersion),
                    latency,
                    region);
      }
      objectRouter.realtime(new dev.outpost.router.realtime.RealtimeGateway(realtime));
      Router router = objectRouter.create(vertx);
      HttpServer first = vertx.createHttpServer(http).requestHandler(router);
      int port = first.listen().await(30, TimeUnit.SECONDS).actualPort();
      List<HttpServer> servers = new ArrayList<>(List.of(first));
      List<Future<HttpServer>> more = new ArrayList<>();
      for (int i = 1; i < options.eventLoops(); i++) {
        HttpServer server = vertx.createHttpServer(http).requestHandler(router);
        servers.add(server);
        more.add(server.listen());
      }
      Future.all(more).await(30, TimeUnit.SECONDS);
      return new OutpostServer(vertx, servers, port, links, objectRouter);
    } catch (Exception e) {
      if (links != null) {
        links.close();
      }
      vertx.close();
      throw new IllegalStateException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** The Vert.x instance, for clients that should share its event loops. */
  public Vertx vertx() {
    return vertx;
  }

  /** Stops listening and closes every connection; waits at most 10 s. */
  @Override
  public void close() {
    // Clients hear the server is going away (1001) and reconnect, to another router if they can.
    router.closeClientSockets(1001, "server going away; reconnect");
    if (links != null) {
      links.close();
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.getLogger(OutpostServer.class.getName())
          .log(System.Logger.Level.WARNING, "Vert.x did not close within 10 s", e);
    }
    router.closeRealtime(); // after the connections: their closes still schedule resume windows
  }
}
