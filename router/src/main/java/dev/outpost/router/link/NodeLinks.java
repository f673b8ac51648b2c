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
 * One {@link NodeLink} per peer node, opened on first use and re-opened after it drops. The link is
 * a WebSocket to the peer's HTTP port at {@value #PATH}, authenticated with the cluster's link
 * secret.
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
  private final ConcurrentHashMap<String, CompletableFuture<NodeLink>> links =
      new ConcurrentHashMap<>();

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

  /** The link to {@code node}, connecting if there is none. */
  CompletableFuture<NodeLink> to(NodeInfo node) {
    CompletableFuture<NodeLink> existing = links.get(node.nodeId());
    if (existing != null
        && !(existing.isDone()
            && (existing.isCompletedExceptionally() || existing.join().isLost()))) {
      return existing;
    }
    CompletableFuture<NodeLink> created = new CompletableFuture<>();
    if (existing == null
        ? links.putIfAbsent(node.nodeId(), created) != null
        : !links.replace(node.nodeId(), existing, created)) {
      return links.get(node.nodeId());
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
                    () -> links.remove(node.nodeId(), created),
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
          links.remove(node.nodeId(), created);
          created.completeExceptionally(error);
        });
    return created;
  }

  /**
   * Membership says {@code nodeId} left, or joined as a new incarnation (a restart keeps the id):
   * the link to it, if any, is given up at once, failing its exchanges as retryable and closing its
   * forwarded sockets with 1012; the next use opens a new one. Any thread.
   */
  public void peerChanged(String nodeId) {
    CompletableFuture<NodeLink> link = links.remove(nodeId);
    if (link != null) {
      link.thenAccept(l -> l.abandon("node " + nodeId + " left or restarted"));
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

  /** How many links are open. */
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
