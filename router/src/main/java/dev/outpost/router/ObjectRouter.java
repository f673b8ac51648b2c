package dev.outpost.router;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.router.link.NodeLinks;
import dev.outpost.router.link.ProxiedSocket;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectLocator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Client connection → owner (Pekko's {@code ShardRegion}); on a single node the owner is always
 * local. Routes:
 *
 * <ul>
 *   <li>{@code /objects/{namespace}/{name}[/{path}]}: any method, or a WebSocket upgrade, to the
 *       object's {@code fetch}; the name is percent-decoded.
 *   <li>{@code /objects/{namespace}/id/{id}[/{path}]}: the same, addressed by id.
 *   <li>{@code GET /_outpost/health}: 200 while the node serves.
 * </ul>
 *
 * Every refusal has a body saying why: unknown namespace (404), malformed id (400), body too large
 * (413), object overloaded (503 with Retry-After), object threw (500 with an error id).
 */
public final class ObjectRouter {

  private static final System.Logger LOG = System.getLogger(ObjectRouter.class.getName());
  private static final String PREFIX = "/objects/";

  /** Most times a request is re-located after "not owner" before it fails. */
  private static final int MAX_HOPS = 3;

  /** How long a request waits for an object that is moving before asking again. */
  private static final java.time.Duration MOVING_WAIT = java.time.Duration.ofMillis(100);

  /** Most attempts while an object is moving (about 5 s in all). */
  private static final int MAX_MOVING_WAITS = 50;

  private Vertx vertx; // set by create()
  private final java.util.Set<io.vertx.core.http.ServerWebSocket> clientSockets =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ObjectInbox inbox; // wrapped by the session layer in realtime()
  private final RouterOptions options;
  private final ObjectLocator locator;
  private final NodeLinks links; // null on a node alone
  private final String linkSecret;
  private ClusterRoutes clusterRoutes; // null on a node alone
  private LatencyEmulator latency = LatencyEmulator.OFF;
  private String region = "local"; // this router's region
  private final dev.outpost.runtime.ObjectMigrations migrations; // null on a node alone

  /** A router for a node alone: every object is local. */
  public ObjectRouter(ObjectInbox inbox, RouterOptions options) {
    this(inbox, options, ObjectLocator.LOCAL, null, null, null);
  }

  /** A router for a cluster node: objects are located, and reached over node links. */
  public ObjectRouter(
      ObjectInbox inbox,
      RouterOptions options,
      ObjectLocator locator,
      NodeLinks links,
      String linkSecret,
      dev.outpost.runtime.ObjectMigrations migrations) {
    this.inbox = inbox;
    this.migrations = migrations;
    this.options = options;
    this.locator = locator;
    this.links = links;
    this.linkSecret = linkSecret;
  }

  /** Serves the cluster's endpoints and emulates latency as a node of {@code region}. */
  ObjectRouter cluster(ClusterRoutes routes, LatencyEmulator emulator, String nodeRegion) {
    this.clusterRoutes = routes;
    this.latency = emulator;
    this.region = nodeRegion;
    return this;
  }

  // ---- the real-time layer: sessions, event streams, the JS client (package router.realtime)

  private dev.outpost.router.realtime.RealtimeGateway realtime; // null until realtime()

  /**
   * Puts the session layer in front of the inbox (for local transports and the node-link ingress
   * alike) and serves event streams and the JS client. Call before {@link #create}.
   */
  ObjectRouter realtime(dev.outpost.router.realtime.RealtimeGateway gateway) {
    this.realtime = gateway;
    this.inbox = gateway.wrap(inbox);
    return this;
  }

  /** Stops the real-time layer's clock. */
  void closeRealtime() {
    if (realtime != null) {
      realtime.close();
    }
  }

  private void eventStreamOrNext(RoutingContext ctx) {
    if (realtime == null
        || !dev.outpost.router.realtime.RealtimeGateway.isEventStream(ctx.request())) {
      ctx.next();
      return;
    }
    Optional<Target> target = resolve(ctx);
    if (target.isEmpty()) {
      return;
    }
    Target t = target.get();
    realtime.serveEventStream(
        ctx,
        toRequest(ctx.request(), t.path(), new byte[0]),
        request -> dispatch(t.address(), t.hints(), request, 0),
        ObjectRouter::write,
        (out, error) -> fail(out, t.address(), error));
  }

  private WebSocketConnection newWebSocketConnection(String remote) {
    return realtime == null
        ? new WebSocketConnection(remote, options.maxMessageSize())
        : new WebSocketConnection(
            remote,
            options.maxMessageSize(),
            realtime.options().outboundMaxMessages(),
            realtime.options().outboundMaxBytes());
  }

  /** Closes every client WebSocket of this router with {@code code}; returns how many. */
  public int closeClientSockets(int code, String reason) {
    int closed = 0;
    for (io.vertx.core.http.ServerWebSocket ws : clientSockets) {
      ws.close((short) code, reason);
      closed++;
    }
    return closed;
  }

  /** How many client WebSockets are open through this router. */
  public int clientSocketCount() {
    return clientSockets.size();
  }

  /** A Vert.x Web router with every route. */
  public Router create(Vertx vertx) {
    this.vertx = vertx;
    Router router = Router.router(vertx);
    router.get("/_outpost/health").handler(this::health);
    if (links != null) {
      router.get(NodeLinks.PATH).handler(this::acceptLink);
    }
    router.get("/_outpost/demo/chat").handler(ctx -> page(ctx, "outpost/demo/chat.html"));
    if (realtime != null) {
      router
          .get(dev.outpost.router.realtime.RealtimeGateway.CLIENT_PATH)
          .handler(realtime::serveClient);
    }
    if (clusterRoutes != null) {
      clusterRoutes.mount(router, vertx);
    }
    router.route("/objects/*").handler(this::upgradeOrNext);
    router.route("/objects/*").handler(this::eventStreamOrNext);
    router
        .route("/objects/*")
        .handler(BodyHandler.create(false).setBodyLimit(options.maxMessageSize()));
    router.route("/objects/*").handler(this::http);
    router
        .route()
        .last()
        .handler(
            ctx ->
                text(
                    ctx.response(),
                    404,
                    "no route for "
                        + ctx.request().path()
                        + "; objects live under /objects/{namespace}/{name}"));
    router.errorHandler(
        413,
        ctx ->
            text(
                ctx.response(),
                413,
                "request body exceeds "
                    + options.maxMessageSize()
                    + " bytes (outpost.websocket.max-message-size)"));
    return router;
  }

  private void health(RoutingContext ctx) {
    // A client that declares its region pays the emulated round trip, so that probing routers'
    // health measures the emulated distance (RouterSelector ranks routers by it).
    java.time.Duration oneWay =
        latency.oneWay(
            region,
            param(ctx, LatencyEmulator.CLIENT_REGION_PARAM, LatencyEmulator.CLIENT_REGION_HEADER));
    latency.after(
        Vertx.currentContext(),
        oneWay.multipliedBy(2),
        () ->
            ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(
                    new JsonObject()
                        .put("status", "ok")
                        .put("node", options.nodeId())
                        .put("region", region)
                        .put("namespaces", List.copyOf(inbox.namespaceNames()))
                        .encode()));
  }

  private void acceptLink(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!NodeLinks.checkSecret(req, linkSecret)) {
      text(ctx.response(), 403, "node link refused: wrong or missing link secret");
      return;
    }
    String peer = String.valueOf(req.getHeader("X-Outpost-Node"));
    req.toWebSocket().onSuccess(ws -> NodeLinks.serve(ws, inbox, migrations, peer));
  }

  static void page(RoutingContext ctx, String resource) {
    try (var in = ObjectRouter.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        text(ctx.response(), 404, "page " + resource + " is missing from the router jar");
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .end(Buffer.buffer(in.readAllBytes()));
    } catch (java.io.IOException e) {
      text(ctx.response(), 500, "cannot read page " + resource + ": " + e.getMessage());
    }
  }

  private void upgradeOrNext(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      ctx.next();
      return;
    }
    Optional<Target> target = resolve(ctx);
    if (target.isEmpty()) {
      return;
    }
    req.pause(); // the handshake completes asynchronously, after the owner accepted
    Context context = Vertx.currentContext();
    Request request = toRequest(req, target.get().path(), new byte[0]);
    upgrade(
            target.get().address(),
            target.get().hints(),
            request,
            String.valueOf(req.remoteAddress()),
            0)
        .whenComplete(
            (accepted, error) ->
                context.runOnContext(
                    v -> {
                      if (error != null) {
                        fail(ctx.response(), target.get().address(), error);
                      } else if (!accepted.response().isWebSocketAccept()) {
                        write(ctx.response(), accepted.response());
                      } else {
                        req.toWebSocket()
                            .onSuccess(
                                ws -> {
                                  clientSockets.add(ws);
                                  accepted.onOpen().accept(ws);
                                })
                            .onFailure(e -> accepted.onFailure().run());
                      }
                    }));
  }

  /** The owner's answer to an upgrade, and how to finish the client side of it. */
  private record Upgrade(
      Response response,
      java.util.function.Consumer<io.vertx.core.http.ServerWebSocket> onOpen,
      Runnable onFailure) {}

  private CompletableFuture<Upgrade> upgrade(
      ObjectAddress address,
      dev.outpost.runtime.PlacementHints hints,
      Request request,
      String remote,
      int attempt) {
    return locator
        .locate(address, hints)
        .thenCompose(
            location ->
                switch (location) {
                  case ObjectLocator.Location.Local local -> {
                    WebSocketConnection connection = newWebSocketConnection(remote);
                    yield inbox
                        .upgrade(address, request, connection)
                        .thenApply(
                            r ->
                                new Upgrade(
                                    r,
                                    ws ->
                                        connection.bind(ws, inbox, () -> clientSockets.remove(ws)),
                                    () -> connection.handshakeFailed(inbox)));
                  }
                  case ObjectLocator.Location.Remote remoteNode -> {
                    ProxiedSocket proxy = links.newProxiedSocket(options.maxMessageSize());
                    yield links
                        .upgrade(remoteNode.node(), address, request, proxy)
                        .thenApply(
                            r ->
                                new Upgrade(
                                    r,
                                    ws -> proxy.bind(ws, () -> clientSockets.remove(ws)),
                                    proxy::handshakeFailed));
                  }
                  case ObjectLocator.Location.Unavailable u ->
                      CompletableFuture.failedFuture(new Unavailable(u));
                })
        .exceptionallyCompose(
            error ->
                retry(
                    address,
                    error,
                    attempt,
                    () -> upgrade(address, hints, request, remote, attempt + 1)));
  }

  private void http(RoutingContext ctx) {
    Optional<Target> target = resolve(ctx);
    if (target.isEmpty()) {
      return;
    }
    Buffer body = ctx.body().buffer();
    Request request =
        toRequest(ctx.request(), target.get().path(), body == null ? new byte[0] : body.getBytes());
    Context context = Vertx.currentContext();
    java.time.Duration oneWay = latency.oneWay(region, target.get().clientRegion());
    latency.after(
        context,
        oneWay,
        () ->
            dispatch(target.get().address(), target.get().hints(), request, 0)
                .whenComplete(
                    (response, error) ->
                        latency.after(
                            context,
                            oneWay,
                            () ->
                                context.runOnContext(
                                    v -> {
                                      if (error != null) {
                                        fail(ctx.response(), target.get().address(), error);
                                      } else {
                                        write(ctx.response(), response);
                                      }
                                    }))));
  }

  /**
   * Routes object-to-object calls of this node's objects to the target's owner, wherever it is;
   * install it on the object host of a cluster node.
   */
  public dev.outpost.runtime.ObjectCaller caller() {
    return (address, request, chain) -> call(address, request, chain, 0);
  }

  private CompletableFuture<Response> call(
      ObjectAddress address, Request request, java.util.List<ObjectAddress> chain, int attempt) {
    return locator
        .locate(address)
        .thenCompose(
            location ->
                switch (location) {
                  case ObjectLocator.Location.Local local -> inbox.call(address, request, chain);
                  case ObjectLocator.Location.Remote remote ->
                      links.call(remote.node(), address, request, chain);
                  case ObjectLocator.Location.Unavailable u ->
                      CompletableFuture.<Response>failedFuture(
                          DurableObjectException.retryable(u.reason()));
                })
        .exceptionallyCompose(
            error ->
                retry(address, error, attempt, () -> call(address, request, chain, attempt + 1)));
  }

  /** Sends a request to the object's owner, wherever it is; re-locates on "not owner". */
  private CompletableFuture<Response> dispatch(
      ObjectAddress address,
      dev.outpost.runtime.PlacementHints hints,
      Request request,
      int attempt) {
    return locator
        .locate(address, hints)
        .thenCompose(
            location ->
                switch (location) {
                  case ObjectLocator.Location.Local local -> inbox.fetch(address, request);
                  case ObjectLocator.Location.Remote remote ->
                      links.forward(remote.node(), address, request);
                  case ObjectLocator.Location.Unavailable u ->
                      CompletableFuture.<Response>failedFuture(new Unavailable(u));
                })
        .exceptionallyCompose(
            error ->
                retry(
                    address, error, attempt, () -> dispatch(address, hints, request, attempt + 1)));
  }

  /**
   * Tries again after "not owner" (at once, after forgetting the cached placement) or while the
   * object is moving (after {@link #MOVING_WAIT}); gives up after a few attempts.
   */
  private <T> CompletableFuture<T> retry(
      ObjectAddress address,
      Throwable error,
      int attempt,
      java.util.function.Supplier<CompletableFuture<T>> again) {
    Throwable cause = unwrap(error);
    if (attempt < MAX_HOPS && NodeLinks.isNotOwner(cause)) {
      locator.invalidate(address);
      return again.get();
    }
    if (attempt < MAX_MOVING_WAITS
        && cause instanceof Unavailable unavailable
        && unavailable.location.moving()) {
      locator.invalidate(address);
      CompletableFuture<T> later = new CompletableFuture<>();
      vertx.setTimer(
          MOVING_WAIT.toMillis(),
          id ->
              again
                  .get()
                  .whenComplete(
                      (value, failure) -> {
                        if (failure != null) {
                          later.completeExceptionally(failure);
                        } else {
                          later.complete(value);
                        }
                      }));
      return later;
    }
    return CompletableFuture.failedFuture(error);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The object cannot be reached now; answered 503 with the reason and Retry-After. */
  private static final class Unavailable extends RuntimeException {
    final ObjectLocator.Location.Unavailable location;

    Unavailable(ObjectLocator.Location.Unavailable location) {
      super(location.reason(), null, false, false);
      this.location = location;
    }
  }

  /** The object and sub-path a URL names, or empty after answering the error. */
  private Optional<Target> resolve(RoutingContext ctx) {
    String path = ctx.request().path();
    String rest = path.substring(PREFIX.length());
    int slash = rest.indexOf('/');
    String nsName = slash < 0 ? rest : rest.substring(0, slash);
    Optional<DurableObjectNamespace> ns = inbox.namespace(nsName);
    if (ns.isEmpty()) {
      text(
          ctx.response(),
          404,
          "unknown namespace '" + nsName + "'; this node serves " + inbox.namespaceNames());
      return Optional.empty();
    }
    String afterNs = slash < 0 ? "" : rest.substring(slash + 1);
    int next = afterNs.indexOf('/');
    String first = next < 0 ? afterNs : afterNs.substring(0, next);
    String tail = next < 0 ? "" : afterNs.substring(next);
    try {
      Optional<String> jurisdiction = param(ctx, "jurisdiction", "X-Outpost-Jurisdiction");
      DurableObjectNamespace scoped =
          jurisdiction.isPresent() ? ns.get().jurisdiction(jurisdiction.get()) : ns.get();
      DurableObjectId id;
      if (first.equals("id")) {
        String idAndPath = tail.isEmpty() ? "" : tail.substring(1);
        int end = idAndPath.indexOf('/');
        id = scoped.idFromString(end < 0 ? idAndPath : idAndPath.substring(0, end));
        tail = end < 0 ? "" : idAndPath.substring(end);
      } else {
        String name = decode(first);
        if (name.isEmpty()) {
          text(ctx.response(), 400, "missing object name: use /objects/" + nsName + "/{name}");
          return Optional.empty();
        }
        id = scoped.idFromName(name);
      }
      return Optional.of(
          new Target(
              new ObjectAddress(nsName, id),
              tail.isEmpty() ? "/" : tail,
              new dev.outpost.runtime.PlacementHints(
                  param(ctx, "locationHint", "X-Outpost-Location-Hint")),
              param(
                  ctx, LatencyEmulator.CLIENT_REGION_PARAM, LatencyEmulator.CLIENT_REGION_HEADER)));
    } catch (IllegalArgumentException e) {
      text(ctx.response(), 400, e.getMessage());
      return Optional.empty();
    }
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Request toRequest(HttpServerRequest req, String path, byte[] body) {
    Request.Builder builder = Request.builder(req.method().name(), req.uri()).path(path).body(body);
    for (Map.Entry<String, String> header : req.headers()) {
      builder.header(header.getKey(), header.getValue());
    }
    return builder.build();
  }

  private static void write(HttpServerResponse out, Response response) {
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(response.status());
    response
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("content-length")
                  && !name.equalsIgnoreCase("transfer-encoding")) {
                out.putHeader(name, values);
              }
            });
    out.end(Buffer.buffer(response.body()));
  }

  private static void fail(HttpServerResponse out, ObjectAddress address, Throwable error) {
    Throwable cause = unwrap(error);
    if (out.ended() || out.closed()) {
      return;
    }
    if (cause instanceof Unavailable unavailable) {
      out.putHeader(
          "Retry-After", Long.toString(Math.max(1, unavailable.location.retryAfter().toSeconds())));
      text(out, 503, unavailable.location.reason());
      return;
    }
    if (cause instanceof DurableObjectException failure) {
      if (failure.overloaded() || failure.retryable()) {
        out.putHeader("Retry-After", "1");
        text(out, 503, failure.getMessage());
      } else {
        text(out, 500, "internal error in " + address + ": " + failure.getMessage());
      }
      return;
    }
    if (cause instanceof IllegalArgumentException) {
      text(out, 404, cause.getMessage());
      return;
    }
    LOG.log(Level.ERROR, "unexpected failure serving " + address, cause);
    text(out, 500, "internal error in " + address + ": " + cause.getClass().getSimpleName());
  }

  static void text(HttpServerResponse out, int status, String message) {
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(message + "\n");
  }

  /**
   * What a URL addresses: the object, the path below it, placement hints for a first request, and
   * the region the client says it is in (for latency emulation).
   */
  private record Target(
      ObjectAddress address,
      String path,
      dev.outpost.runtime.PlacementHints hints,
      Optional<String> clientRegion) {}

  /** A query parameter, or else a header, if present and not blank. */
  private static Optional<String> param(RoutingContext ctx, String query, String header) {
    String value = ctx.request().getParam(query);
    if (value == null || value.isBlank()) {
      value = ctx.request().getHeader(header);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
