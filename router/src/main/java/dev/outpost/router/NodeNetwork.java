package dev.outpost.router;

import dev.outpost.router.link.NodeLinks;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectLocator;
import dev.outpost.runtime.ObjectMigrations;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.spi.HandoverTransport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.zone.ZoneRulesProvider;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The part of a node's router that exists before its object host: the Vert.x instance that every
 * server, client and timer of the router runs on and, on a cluster node, the node links over which
 * requests, object calls and hand-overs reach other nodes (with the emulated latency of the
 * topology, when on). The object host's caller is built on it ({@link #dispatch}); {@link
 * OutpostServer#start} then serves on it and closes it with the server.
 *
 * <p>Open and close from a plain thread, never from an event loop (both block).
 */
public final class NodeNetwork implements AutoCloseable {

  /** Room for a link frame's head on top of the largest message. */
  private static final int LINK_HEAD_ALLOWANCE = 64 * 1024;

  /**
   * The largest WebSocket frame or message Netty accepts, on client sockets and links alike. Netty
   * drops a frame over its limit with 1006 (Vert.x does not close on the violation), so its limit
   * is the largest message anyone may configure; {@link MessageAssembler} then refuses messages
   * over this node's limit with 1009. Link frames carry a message plus a head.
   */
  static final int FRAME_LIMIT = RouterOptions.MAX_MESSAGE_SIZE_LIMIT + LINK_HEAD_ALLOWANCE;

  /** The region of a node alone. */
  private static final String LOCAL_REGION = "local";

  /**
   * What a cluster node's links need.
   *
   * @param region this node's region
   * @param linkSecret the cluster's node-link secret (peers present it; wrong secret: 403)
   * @param topology the world: regions and their one-way latencies
   * @param emulateLatency whether to add the topology's latencies to links and declared clients
   */
  public record LinkSettings(
      String region, String linkSecret, RegionTopology topology, boolean emulateLatency) {
    public LinkSettings {
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(linkSecret, "linkSecret");
      Objects.requireNonNull(topology, "topology");
    }
  }

  private final Vertx vertx;
  private final NodeLinks links; // null on a node alone
  private final LatencyEmulator latency;
  private final String region;
  private final String linkSecret; // null on a node alone
  private final ListenerOptions listener;
  private final RouterMetrics metrics;

  private NodeNetwork(
      Vertx vertx,
      NodeLinks links,
      LatencyEmulator latency,
      String region,
      String linkSecret,
      ListenerOptions listener,
      RouterMetrics metrics) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.links = links;
    this.latency = latency;
    this.region = region;
    this.linkSecret = linkSecret;
    this.listener = listener;
  }

  /**
   * Starts the router's Vert.x instance ({@link RouterOptions#eventLoops()} event loops) and, when
   * {@code cluster} is present, the node links. The network owns {@code metrics} from here on and
   * closes it last.
   */
  public static NodeNetwork open(RouterOptions options, Optional<LinkSettings> cluster) {
    return open(options, cluster, ListenerOptions.defaults(), RouterMetrics.create());
  }

  /**
   * As {@link #open(RouterOptions, Optional)}, with the HTTP port's {@code listener} options (with
   * TLS there, the links to peers use TLS too, trusting only the listener's trust and presenting
   * its certificate) and the node's {@code metrics}, which the network owns from here on.
   */
  public static NodeNetwork open(
      RouterOptions options,
      Optional<LinkSettings> cluster,
      ListenerOptions listener,
      RouterMetrics metrics) {
    Objects.requireNonNull(listener, "listener");
    // Load the time-zone rules now: at the open-file limit, loading them later fails and kills
    // Netty's acceptor thread.
    ZoneRulesProvider.getAvailableZoneIds();
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(options.eventLoops())
                .setPreferNativeTransport(false));
    if (cluster.isEmpty()) {
      return new NodeNetwork(
          vertx, null, LatencyEmulator.OFF, LOCAL_REGION, null, listener, metrics);
    }
    LinkSettings settings = cluster.get();
    LatencyEmulator latency =
        settings.emulateLatency()
            ? LatencyEmulator.on(vertx, settings.topology())
            : LatencyEmulator.OFF;
    NodeLinks links =
        new NodeLinks(
            vertx,
            options.nodeId(),
            settings.linkSecret(),
            FRAME_LIMIT,
            latency,
            settings.region(),
            listener.tls().map(tls -> new NodeLinks.Tls(tls.keyCert(), tls.trustOptions())),
            metrics);
    return new NodeNetwork(
        vertx, links, latency, settings.region(), settings.linkSecret(), listener, metrics);
  }

  /**
   * A dispatch that locates objects with {@code locator} and delivers to {@code local} or over the
   * links; it is the object host's {@link dev.outpost.runtime.ObjectCaller} on a cluster node.
   */
  public ObjectDispatch dispatch(ObjectLocator locator, ObjectInbox local) {
    return new ObjectDispatch(vertx, locator, links, local);
  }

  /** Ships objects to other nodes over the links; empty on a node alone. */
  public Optional<HandoverTransport> handoverTransport() {
    return Optional.ofNullable(links);
  }

  /** Whether this node has links (it is a cluster node). */
  boolean clustered() {
    return links != null;
  }

  Vertx vertx() {
    return vertx;
  }

  /** The node's metrics. */
  public RouterMetrics metrics() {
    return metrics;
  }

  LatencyEmulator latency() {
    return latency;
  }

  /** How the HTTP port treats connections: TLS, timeouts, caps. */
  ListenerOptions listener() {
    return listener;
  }

  /** This node's region ({@code local} on a node alone). */
  String region() {
    return region;
  }

  /**
   * Membership says {@code nodeId} left or (re)joined: gives up this node's link to it, so that no
   * request waits on a link to an incarnation that is gone. Any thread; nothing on a node alone.
   */
  public void peerChanged(String nodeId) {
    if (links != null) {
      links.peerChanged(nodeId);
    }
  }

  /** How many node links are open. */
  int openLinks() {
    return links == null ? 0 : links.openLinks();
  }

  /**
   * Accepts a peer's link on {@link NodeLinks#PATH} and serves its streams from {@code inbox} and
   * {@code migrations}, bounding forwarded sockets' output by {@code bounds}; 403 when the secret
   * is wrong or missing, or (with TLS) when the peer presented no client certificate that this
   * node's trust accepts (the handshake asks for one without requiring it, so that browsers need
   * none; an untrusted one leaves the connection without a verified peer).
   */
  void acceptLink(
      RoutingContext ctx, ObjectInbox inbox, ObjectMigrations migrations, RealtimeOptions bounds) {
    HttpServerRequest req = ctx.request();
    if (listener.tls().isPresent() && !hasClientCertificate(req)) {
      HttpReplies.text(
          ctx.response(),
          403,
          "node link refused: a link over TLS needs the peer's client certificate, trusted by"
              + " this node (--tls-trust)");
      return;
    }
    if (!NodeLinks.checkSecret(req, linkSecret)) {
      HttpReplies.text(ctx.response(), 403, "node link refused: wrong or missing link secret");
      return;
    }
    java.util.Optional<String> refusal = NodeLinks.versionRefusal(req);
    if (refusal.isPresent()) {
      HttpReplies.text(ctx.response(), 400, refusal.get());
      return;
    }
    String peer = String.valueOf(req.getHeader("X-Outpost-Node"));
    req.toWebSocket().onSuccess(ws -> NodeLinks.serve(ws, inbox, migrations, peer, bounds));
  }

  private static boolean hasClientCertificate(HttpServerRequest req) {
    try {
      return req.isSSL() && !req.connection().peerCertificates().isEmpty();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      return false;
    }
  }

  /** Closes the links, then Vert.x (every server and connection on it); waits at most 10 s. */
  @Override
  public void close() {
    if (links != null) {
      links.close();
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.getLogger(NodeNetwork.class.getName())
          .log(System.Logger.Level.WARNING, "Vert.x did not close within 10 s", e);
    }
    metrics.close();
  }
}
