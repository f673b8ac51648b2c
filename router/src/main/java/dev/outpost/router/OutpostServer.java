package dev.outpost.router;

import dev.outpost.router.realtime.RealtimeGateway;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectLocator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's HTTP front: one HTTP server per event loop of the {@link NodeNetwork}'s Vert.x, all on
 * the same port (Vert.x spreads connections across them), routing through {@link ObjectRouter} with
 * the real-time layer (sessions, heartbeats, recovery, event streams, long polling) in front of the
 * object host. Started by {@code dev.outpost.node.OutpostNode}, which assembles a node; {@link
 * #close()} closes the network too.
 */
public final class OutpostServer implements AutoCloseable {

  private final NodeNetwork network;
  private final List<HttpServer> servers;
  private final int port;
  private final ClientSockets sockets;
  private final RealtimeGateway realtime;
  private final AtomicReference<ServingState> state; // read by the health route
  private final ExecutorService guardThreads; // connect guards' virtual threads

  private OutpostServer(
      NodeNetwork network,
      List<HttpServer> servers,
      int port,
      ClientSockets sockets,
      RealtimeGateway realtime,
      AtomicReference<ServingState> state,
      ExecutorService guardThreads) {
    this.guardThreads = guardThreads;
    this.network = network;
    this.servers = servers;
    this.port = port;
    this.sockets = sockets;
    this.realtime = realtime;
    this.state = state;
  }

  /**
   * What a cluster node's router serves on top of objects.
   *
   * @param cluster the node's membership, directory and locator (objects are located with it)
   * @param adminToken the bearer token of the admin endpoints
   * @param admin the admin API's rate limit and timeouts
   * @param time the clock of the admin rate limit
   */
  public record ClusterRouting(
      Cluster cluster, String adminToken, AdminOptions admin, dev.outpost.runtime.TimeSource time) {
    public ClusterRouting {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(adminToken, "adminToken");
      Objects.requireNonNull(admin, "admin");
      Objects.requireNonNull(time, "time");
    }
  }

  /**
   * Serves {@code host} on {@code network}: alone ({@code cluster} empty: every object is local) or
   * as a cluster node (objects located with the cluster's locator, reached over the network's
   * links, plus the cluster endpoints). Blocks until bound; do not call on an event loop. On
   * failure nothing is left listening; the caller still owns {@code network}.
   *
   * @throws IllegalStateException if the port cannot be bound, naming host and port
   */
  public static OutpostServer start(
      NodeNetwork network,
      ObjectHost host,
      RouterOptions options,
      RealtimeOptions realtimeOptions,
      Optional<ClusterRouting> cluster) {
    return start(network, host, options, realtimeOptions, cluster, AuthOptions.defaults());
  }

  /**
   * As {@link #start(NodeNetwork, ObjectHost, RouterOptions, RealtimeOptions, Optional)}, with how
   * connect guards run ({@code auth}: their time limit and the {@code jwt} guard's keys).
   *
   * @throws IllegalStateException if the port cannot be bound, naming host and port
   */
  public static OutpostServer start(
      NodeNetwork network,
      ObjectHost host,
      RouterOptions options,
      RealtimeOptions realtimeOptions,
      Optional<ClusterRouting> cluster,
      AuthOptions auth) {
    if (cluster.isPresent() != network.clustered()) {
      throw new IllegalArgumentException(
          "a cluster node needs a network with links, a node alone one without");
    }
    Vertx vertx = network.vertx();
    RealtimeGateway realtime = new RealtimeGateway(realtimeOptions);
    // Connect guards run here (user code that may block), never on an event loop.
    ExecutorService guardThreads =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("guard-", 0).factory());
    List<HttpServer> servers = new ArrayList<>();
    try {
      // For local transports and the link ingress alike; connections are counted below sessions.
      ObjectInbox inbox = realtime.wrap(new MeteredInbox(host, network.metrics()));
      cluster.ifPresent(
          c ->
              network
                  .metrics()
                  .replication(
                      () ->
                          c.cluster().replicaGroups().stream()
                              .flatMap(
                                  g ->
                                      g.followerLag().entrySet().stream()
                                          .map(
                                              lag ->
                                                  new RouterMetrics.FollowerLag(
                                                      g.name(), lag.getKey(), lag.getValue())))
                              .toList()));
      ObjectLocator locator = cluster.map(c -> c.cluster().locator()).orElse(ObjectLocator.LOCAL);
      ClusterRoutes clusterRoutes =
          cluster
              .map(
                  c ->
                      new ClusterRoutes(
                          c.cluster(),
                          inbox,
                          host,
                          network.handoverTransport().orElseThrow(),
                          c.adminToken(),
                          c.admin(),
                          c.time(),
                          network.listener().tls()))
              .orElse(null);
      ClientSockets sockets = new ClientSockets();
      AtomicReference<ServingState> state = new AtomicReference<>(ServingState.SERVING);
      sockets.startPinging(vertx, options.pingInterval());
      Router router =
          new ObjectRouter(
                  inbox,
                  options,
                  new GuardDirector(vertx, guardThreads, auth),
                  network.dispatch(locator, inbox),
                  realtime,
                  network,
                  sockets,
                  cluster.isPresent() ? host : null,
                  clusterRoutes,
                  state::get)
              .create(vertx);
      ListenerOptions listener = network.listener();
      ConnectionGuard guard = new ConnectionGuard(vertx, listener);
      DeflateExtensions deflate =
          new DeflateExtensions(options.compression(), options.maxMessageSize());
      router.route().order(Integer.MIN_VALUE).handler(guard::requestStarted);
      HttpServerOptions http =
          new HttpServerOptions()
              .setHost(options.host())
              // Vert.x shares one random port among servers asked for -1 (0 gives each its own).
              .setPort(options.port() == 0 ? -1 : options.port())
              .setMaxWebSocketFrameSize(NodeNetwork.FRAME_LIMIT)
              .setMaxWebSocketMessageSize(NodeNetwork.FRAME_LIMIT)
              // No server-wide subprotocols: the object's answer (or the session layer's, for
              // outpost.v1) names the subprotocol; see UpgradeAnswer.
              .setTcpNoDelay(true)
              // HTTP/1.1 only. With cleartext HTTP/2 on (Vert.x's default), a connection is only
              // classified, and handed to the ConnectionGuard, once its first bytes arrive: an
              // idle one would escape the head timeout and the cap per address.
              .setHttp2ClearTextEnabled(false);
      deflate.configure(http);
      listener
          .tls()
          .ifPresent(
              tls ->
                  http.setSsl(true)
                      .setKeyCertOptions(tls.keyCert())
                      // Asked of every client, required only of node links (NodeNetwork).
                      .setTrustOptions(tls.trustOptions())
                      .setClientAuth(ClientAuth.REQUEST));
      HttpServer first = serve(vertx, http, router, guard, deflate);
      servers.add(first);
      int port = first.listen().await(30, TimeUnit.SECONDS).actualPort();
      List<Future<HttpServer>> more = new ArrayList<>();
      for (int i = 1; i < options.eventLoops(); i++) {
        HttpServer server = serve(vertx, http, router, guard, deflate);
        servers.add(server);
        more.add(server.listen());
      }
      Future.all(more).await(30, TimeUnit.SECONDS);
      return new OutpostServer(network, servers, port, sockets, realtime, state, guardThreads);
    } catch (Exception e) {
      for (HttpServer server : servers) {
        server.close();
      }
      realtime.close();
      guardThreads.shutdownNow();
      throw new IllegalStateException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
  }

  private static HttpServer serve(
      Vertx vertx,
      HttpServerOptions http,
      Router router,
      ConnectionGuard guard,
      DeflateExtensions deflate) {
    int maxLine = http.getMaxInitialLineLength();
    int maxHead = http.getMaxHeaderSize();
    return vertx
        .createHttpServer(http)
        .connectionHandler(
            connection -> {
              deflate.install(connection);
              guard.accepted(connection);
            })
        .invalidRequestHandler(request -> ConnectionGuard.refuseInvalid(request, maxLine, maxHead))
        .requestHandler(router);
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** The Vert.x instance, for clients that should share its event loops. */
  public Vertx vertx() {
    return network.vertx();
  }

  /**
   * Reports the node as leaving: from now on {@code GET /_outpost/health} answers 503 with {@code
   * "status":"leaving"}, so load balancers and readiness probes send new clients elsewhere while
   * the node hands its objects over. Everything else is still served. Idempotent; any thread.
   */
  public void markLeaving() {
    state.getAndUpdate(
        current -> current.canMoveTo(ServingState.LEAVING) ? ServingState.LEAVING : current);
  }

  /** Whether {@link #markLeaving()} was called: health answers 503. */
  public boolean isLeaving() {
    return state.get() == ServingState.LEAVING;
  }

  /** Closes every client WebSocket with {@code code} (1012 when the node leaves); how many. */
  public int closeClientSockets(int code, String reason) {
    return sockets.closeAll(code, reason);
  }

  /** How many client WebSockets are open. */
  public int clientSocketCount() {
    return sockets.count();
  }

  /** The node's metrics: what {@code /_outpost/metrics} serves (tests read meters from it). */
  public RouterMetrics metrics() {
    return network.metrics();
  }

  /** How many node links are open (0 on a node alone). */
  public int openLinks() {
    return network.openLinks();
  }

  /**
   * Stops listening and closes every connection and the network; waits at most 10 s. Client sockets
   * are closed with 1001 first, so clients reconnect, to another router if they can.
   */
  @Override
  public void close() {
    sockets.closeAll(1001, "server going away; reconnect");
    network.close();
    realtime.close(); // after the connections: their closes still schedule resume windows
    guardThreads.shutdownNow(); // a guard still running is interrupted
  }
}
