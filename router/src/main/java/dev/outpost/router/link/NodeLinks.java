package dev.outpost.router.link;

import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The links to peer nodes: one {@link NodeLink} per peer and per event loop of this node that
 * forwards to it (its lane), opened on first use and re-opened after it drops. A link is a
 * WebSocket to the peer's HTTP port at {@value #PATH}, authenticated with the cluster's link
 * secret.
 *
 * <p>Lanes: a caller on one of this node's event loops (an HTTP request or a client socket being
 * forwarded) uses the link opened from, and running on, that same event loop, so neither the
 * request frame nor the answer crosses to another thread; a caller off the event loops (a turn's
 * object-to-object call, a hand-over) uses the peer's home lane. Everything one client connection
 * sends runs on its connection's event loop, so it travels one link, in order; so does each
 * hand-over. With E event loops and P peers a node holds at most (E + 1) × P links.
 */
public final class NodeLinks implements AutoCloseable, dev.outpost.runtime.spi.HandoverTransport {

  /** Where nodes accept links. */
  public static final String PATH = "/_outpost/link";

  /** Header carrying the link secret. */
  static final String SECRET_HEADER = "X-Outpost-Link-Secret";

  /** Header carrying the link frame format's version of the connecting node. */
  static final String VERSION_HEADER = "X-Outpost-Link-Version";

  /** Header carrying the connecting node's id. */
  static final String NODE_HEADER = "X-Outpost-Node";

  /** How long opening a link (TCP and handshake) may take. */
  private static final java.time.Duration CONNECT_TIMEOUT = java.time.Duration.ofSeconds(5);

  private static final System.Logger LOG = System.getLogger(NodeLinks.class.getName());

  private final String selfNode;
  private final dev.outpost.router.LatencyEmulator latency;
  private final String selfRegion;
  private final String secret;
  private final WebSocketClient client;
  private final NodeLink.Heartbeat heartbeat;
  private final dev.outpost.router.RouterMetrics metrics;
  private final ConcurrentHashMap<Lane, CompletableFuture<NodeLink>> links =
      new ConcurrentHashMap<>();

  /**
   * Which link to {@code node} a caller uses: {@code loop} is the id of the event-loop thread it
   * runs on and the link runs on, or {@link #HOME} for callers off the event loops.
   */
  private record Lane(String node, long loop) {}

  /** The lane of callers off this node's event loops. */
  private static final long HOME = -1;

  /**
   * TLS for outgoing links: this node's certificate and key (presented as the client certificate)
   * and the certificates it trusts for its peers. The peer's certificate must name the address the
   * link dials (hostname verification, RFC 6125).
   */
  public record Tls(
      io.vertx.core.net.KeyCertOptions keyCert, io.vertx.core.net.TrustOptions trust) {
    public Tls {
      java.util.Objects.requireNonNull(keyCert, "keyCert");
      java.util.Objects.requireNonNull(trust, "trust");
    }
  }

  /** Links over TLS when {@code tls} is present, else plain WebSockets. */
  public NodeLinks(
      Vertx vertx,
      String selfNode,
      String secret,
      int maxFrameSize,
      dev.outpost.router.LatencyEmulator latency,
      String selfRegion,
      java.util.Optional<Tls> tls,
      dev.outpost.router.RouterMetrics metrics) {
    this(
        vertx,
        selfNode,
        secret,
        maxFrameSize,
        latency,
        selfRegion,
        tls,
        metrics,
        NodeLink.Heartbeat.DEFAULT);
  }

  NodeLinks(
      Vertx vertx,
      String selfNode,
      String secret,
      int maxFrameSize,
      dev.outpost.router.LatencyEmulator latency,
      String selfRegion,
      java.util.Optional<Tls> tls,
      dev.outpost.router.RouterMetrics metrics,
      NodeLink.Heartbeat heartbeat) {
    this.heartbeat = heartbeat;
    this.selfNode = selfNode;
    this.metrics = java.util.Objects.requireNonNull(metrics, "metrics");
    this.secret = secret;
    this.latency = latency;
    this.selfRegion = selfRegion;
    WebSocketClientOptions options =
        new WebSocketClientOptions()
            .setMaxConnections(1024)
            .setConnectTimeout((int) CONNECT_TIMEOUT.toMillis())
            .setMaxFrameSize(maxFrameSize)
            .setMaxMessageSize(maxFrameSize)
            .setTcpNoDelay(true);
    tls.ifPresent(
        t ->
            options
                .setSsl(true)
                .setVerifyHost(true)
                .setKeyCertOptions(t.keyCert())
                .setTrustOptions(t.trust()));
    this.client = vertx.createWebSocketClient(options);
  }

  /**
   * The link to {@code node} of the caller's lane, connecting if there is none. Called on one of
   * this node's event loops, the link opened runs on that event loop.
   */
  CompletableFuture<NodeLink> to(NodeInfo node) {
    Lane lane =
        new Lane(
            node.nodeId(),
            io.vertx.core.Context.isOnEventLoopThread() ? Thread.currentThread().threadId() : HOME);
    CompletableFuture<NodeLink> existing = links.get(lane);
    if (existing != null
        && !(existing.isDone()
            && (existing.isCompletedExceptionally() || existing.join().isLost()))) {
      return existing;
    }
    CompletableFuture<NodeLink> created = new CompletableFuture<>();
    if (existing == null
        ? links.putIfAbsent(lane, created) != null
        : !links.replace(lane, existing, created)) {
      return links.get(lane);
    }
    Future<io.vertx.core.http.WebSocket> connect =
        client.connect(
            new WebSocketConnectOptions()
                .setHost(node.host())
                .setPort(node.httpPort())
                .setURI(PATH)
                .setTimeout(CONNECT_TIMEOUT.toMillis())
                .addHeader(SECRET_HEADER, secret)
                .addHeader(VERSION_HEADER, Integer.toString(LinkFrame.VERSION))
                .addHeader(NODE_HEADER, selfNode));
    connect.onComplete(
        ws ->
            created.complete(
                new NodeLink(
                    node.nodeId(),
                    ws,
                    () -> links.remove(lane, created),
                    latency,
                    latency.oneWay(selfRegion, java.util.Optional.of(node.region())),
                    heartbeat,
                    metrics::monotonicNanos)),
        error -> {
          LOG.log(
              System.Logger.Level.WARNING,
              "cannot open a link to node "
                  + node.nodeId()
                  + " at "
                  + node.host()
                  + ":"
                  + node.httpPort()
                  + ": "
                  + error);
          links.remove(lane, created);
          created.completeExceptionally(error);
        });
    return created;
  }

  /**
   * Membership says {@code nodeId} left, or joined as a new incarnation (a restart keeps the id):
   * every link to it (of every lane) is given up at once, failing its exchanges as retryable and
   * closing its forwarded sockets with 1012; the next use opens a new one. Any thread.
   */
  public void peerChanged(String nodeId) {
    for (Lane lane : links.keySet()) {
      CompletableFuture<NodeLink> link = lane.node().equals(nodeId) ? links.remove(lane) : null;
      if (link != null) {
        link.thenAccept(l -> l.abandon("node " + nodeId + " left or restarted"));
      }
    }
  }

  /** Forwards an HTTP request to the owner {@code node}. */
  public CompletableFuture<dev.outpost.api.Response> forward(
      NodeInfo node, dev.outpost.runtime.ObjectAddress address, dev.outpost.api.Request request) {
    return counted(
        "request", node, to(node).thenCompose(link -> link.forward(address, request, null)));
  }

  /**
   * Counts a forwarded exchange and, once answered, its round trip (from handing it to the link,
   * opening the link if needed, to the owner's answer).
   */
  private CompletableFuture<dev.outpost.api.Response> counted(
      String kind, NodeInfo node, CompletableFuture<dev.outpost.api.Response> exchange) {
    long start = metrics.monotonicNanos();
    return exchange.whenComplete(
        (response, error) -> metrics.forwarded(kind, node.nodeId(), start, error == null));
  }

  /** Forwards an object-to-object call to the owner {@code node}, with its call chain. */
  public CompletableFuture<dev.outpost.api.Response> call(
      NodeInfo node,
      dev.outpost.runtime.ObjectAddress address,
      dev.outpost.api.Request request,
      java.util.List<dev.outpost.runtime.ObjectAddress> chain) {
    return counted(
        "call", node, to(node).thenCompose(link -> link.forward(address, request, chain)));
  }

  /**
   * Forwards a WebSocket upgrade to the owner {@code node}. The result completes with the owner's
   * answer; on a 101, complete the client handshake and {@link ProxiedSocket#bind} it.
   */
  public CompletableFuture<dev.outpost.api.Response> upgrade(
      NodeInfo node,
      dev.outpost.runtime.ObjectAddress address,
      dev.outpost.api.Request request,
      ProxiedSocket socket) {
    return counted(
        "upgrade",
        node,
        to(node)
            .thenCompose(
                link -> {
                  NodeLink.Stream stream = link.upgrade(address, request, socket);
                  socket.attach(link, stream.id());
                  return stream.result();
                }));
  }

  @Override
  public CompletableFuture<Void> ship(
      NodeInfo target,
      dev.outpost.runtime.ObjectAddress address,
      long epoch,
      dev.outpost.runtime.ObjectSnapshot snapshot) {
    return to(target)
        .thenCompose(link -> link.ship(address, epoch, snapshot))
        .thenAccept(
            response -> {
              if (response.status() != 200) {
                throw new IllegalStateException("node " + target.nodeId() + " refused the object");
              }
            });
  }

  /** A proxy for one client socket, to pass to {@link #upgrade}. */
  public ProxiedSocket newProxiedSocket(int maxMessageSize) {
    return new ProxiedSocket(maxMessageSize);
  }

  /**
   * Accepts a link from another node on {@code ws}, serving its streams from {@code inbox}; false
   * (and nothing accepted) if the secret is wrong.
   */
  public static boolean checkSecret(io.vertx.core.http.HttpServerRequest request, String secret) {
    return secret.equals(request.getHeader(SECRET_HEADER));
  }

  /**
   * Why a peer's link request must be refused for its frame format, or empty if it speaks this
   * node's version ({@value LinkFrame#VERSION}): nodes of different versions cannot share links, so
   * a cluster is upgraded by replacing all its nodes, not one by one.
   */
  public static java.util.Optional<String> versionRefusal(
      io.vertx.core.http.HttpServerRequest request) {
    String version = request.getHeader(VERSION_HEADER);
    if (Integer.toString(LinkFrame.VERSION).equals(version)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "node link refused: this node speaks link version "
            + LinkFrame.VERSION
            + ", the peer "
            + (version == null ? "an older one (no " + VERSION_HEADER + ")" : version)
            + "; run the same Outpost version on every node");
  }

  /**
   * Serves a peer's link on {@code ws} from the local {@code inbox} and {@code migrations}; the
   * output of each forwarded client socket waiting for credit is bounded by {@code bounds}'
   * outbound limits.
   */
  public static void serve(
      io.vertx.core.http.ServerWebSocket ws,
      dev.outpost.runtime.ObjectInbox inbox,
      dev.outpost.runtime.ObjectMigrations migrations,
      String peer,
      dev.outpost.router.realtime.RealtimeOptions bounds) {
    new LinkIngress(inbox, migrations, ws, peer, bounds).start();
  }

  /** Whether a failure means the node asked does not own the object: re-locate and retry. */
  public static boolean isNotOwner(Throwable failure) {
    return NodeLink.isNotOwner(failure);
  }

  /** How many links are open, counting each lane's link to a peer. */
  public int openLinks() {
    return (int)
        links.values().stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
  }

  @Override
  public void close() {
    links.values().forEach(f -> f.thenAccept(NodeLink::close));
    client.close();
  }
}
