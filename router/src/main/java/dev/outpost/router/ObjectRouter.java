package dev.outpost.router;

import dev.outpost.api.Admission;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.router.link.NodeLinks;
import dev.outpost.router.link.ProxiedSocket;
import dev.outpost.router.realtime.OutboundBudget;
import dev.outpost.router.realtime.RealtimeGateway;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectMigrations;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The routes of a node's router: client connection → the owning object, through {@link
 * ObjectDispatch}. URLs are parsed by {@link ObjectUrl}, refusals written by {@link HttpReplies}.
 *
 * <ul>
 *   <li>{@code /objects/{namespace}/{name}[/{path}]}: any method, or a WebSocket upgrade, or an
 *       event stream ({@code Accept: text/event-stream}), to the object's {@code fetch}; the name
 *       is percent-decoded. The 101 of an upgrade carries the subprotocol and headers the object
 *       answered with ({@link UpgradeAnswer}); a subprotocol the client did not offer is 500.
 *   <li>{@code /objects/{namespace}/id/{id}[/{path}]}: the same, addressed by id.
 *   <li>{@code /parties/{party}/{room}[/{path}]} and {@code /party/{room}[/{path}]}: PartyKit's
 *       shapes (partysocket's defaults), the same handling; see {@link ObjectUrl}.
 *   <li>{@code GET /}: the node's landing page ({@link LandingPage}: node, region, apps, links to
 *       the samples' pages, the cluster map and the docs); {@code GET /favicon.ico} and {@code
 *       /favicon.svg}: the icon (SVG).
 *   <li>{@code GET /_outpost/health}: 200 with the node, its region, namespaces, party aliases and
 *       apps ({@code [{name, version, namespaces}]}), {@code "status":"ok"} and {@code
 *       "ready":true}; the same with 503, {@code "status":"leaving"} and {@code "ready":false} once
 *       the node is leaving ({@link ServingState}), for readiness probes.
 *   <li>{@code GET /_outpost/demo/{sample}}, {@code GET /_outpost/client.js}, {@code .mjs}, {@code
 *       .d.ts}: the samples' pages ({@link DemoPages}), listed at {@code /_outpost/demo/}, and the
 *       JS client (classic script, ES module, TypeScript declarations).
 *   <li>{@code GET /_outpost/vendor/{package}@{version}/{path}}: the browser modules some pages
 *       import ({@link VendorModules}); 404 for anything not vendored.
 *   <li>{@code GET /_outpost/link} (cluster nodes): node links; plus {@link ClusterRoutes}.
 * </ul>
 *
 * Cross-origin HTTP requests and WebSocket upgrades are decided first, by {@link CrossOrigin}:
 * preflights never reach an object. Then, on every transport (HTTP, WebSocket, event stream, long
 * polling), the namespace's connect guards ({@link GuardDirector}) admit or refuse the request
 * before anything locates or wakes the object. Every refusal has a body saying why: unknown
 * namespace (404), malformed id (400), body too large (413), object overloaded (503 with
 * Retry-After), object threw (500 with an error id). Handlers run on event loops and never block.
 */
final class ObjectRouter {

  private final ObjectInbox inbox; // the session layer in front of the object host
  private final RouterOptions options;
  private final ObjectDispatch dispatch;
  private final RealtimeGateway realtime;
  private final NodeNetwork network;
  private final ClientSockets sockets;
  private final ObjectMigrations migrations; // null on a node alone
  private final ClusterRoutes clusterRoutes; // null on a node alone
  private final Supplier<ServingState> servingState; // what health reports
  private final GuardDirector guards;

  ObjectRouter(
      ObjectInbox inbox,
      RouterOptions options,
      GuardDirector guards,
      ObjectDispatch dispatch,
      RealtimeGateway realtime,
      NodeNetwork network,
      ClientSockets sockets,
      ObjectMigrations migrations,
      ClusterRoutes clusterRoutes,
      Supplier<ServingState> servingState) {
    this.inbox = inbox;
    this.options = options;
    this.guards = guards;
    this.dispatch = dispatch;
    this.realtime = realtime;
    this.network = network;
    this.sockets = sockets;
    this.migrations = migrations;
    this.clusterRoutes = clusterRoutes;
    this.servingState = servingState;
  }

  /** A Vert.x Web router with every route. */
  Router create(Vertx vertx) {
    Router router = Router.router(vertx);
    // The JS client files are public, for pages of any origin (served with ACAO *).
    router.get(RealtimeGateway.CLIENT_PATH).handler(realtime::serveClient);
    router.get(RealtimeGateway.MODULE_PATH).handler(realtime::serveClient);
    router.get(RealtimeGateway.TYPES_PATH).handler(realtime::serveClient);
    router.route().handler(new CrossOrigin(options.allowedOrigins()));
    router.get("/_outpost/health").handler(this::health);
    router.get(METRICS_PATH).handler(this::metrics);
    LandingPage landing =
        new LandingPage(inbox, options.nodeId(), network.region(), clusterRoutes != null);
    router.get("/").handler(landing::serve);
    router.get("/favicon.svg").handler(landing::favicon);
    router.get("/favicon.ico").handler(landing::favicon);
    if (network.clustered()) {
      router
          .get(NodeLinks.PATH)
          .handler(ctx -> network.acceptLink(ctx, inbox, migrations, realtime.options()));
    }
    router.get(DemoPages.PREFIX + ":sample").handler(this::demoPage);
    router.get(DemoPages.PREFIX).handler(ObjectRouter::demoIndex);
    router.get("/_outpost/demo").handler(ObjectRouter::demoIndex);
    router.get(VendorModules.PREFIX + "*").handler(VendorModules::serve);
    if (clusterRoutes != null) {
      clusterRoutes.mount(router, vertx);
    }
    for (String prefix : ObjectUrl.PREFIXES) {
      String pattern = prefix + "*";
      router.route(pattern).handler(this::upgradeOrNext);
      router.route(pattern).handler(this::eventStreamOrNext);
      router
          .route(pattern)
          .handler(BodyHandler.create(false).setBodyLimit(options.maxMessageSize()));
      router.route(pattern).handler(this::http);
    }
    router
        .route()
        .last()
        .handler(
            ctx ->
                HttpReplies.text(
                    ctx.response(),
                    404,
                    "no route for "
                        + ctx.request().path()
                        + "; objects live under /objects/{namespace}/{name}"
                        + " (or PartyKit's /parties/{party}/{room} and /party/{room});"
                        + " the node's page at / lists its namespaces"));
    router.errorHandler(
        413,
        ctx ->
            HttpReplies.text(
                ctx.response(),
                413,
                "request body exceeds "
                    + options.maxMessageSize()
                    + " bytes (outpost.websocket.max-message-size)"));
    return router;
  }

  /** Where Prometheus scrapes this node. */
  static final String METRICS_PATH = "/_outpost/metrics";

  /**
   * The node's metrics in Prometheus text format 0.0.4 (OpenMetrics when the scraper's {@code
   * Accept} asks for it), rendered off the event loop: some gauges ask Raft for its state.
   */
  private void metrics(RoutingContext ctx) {
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    ctx.vertx()
        .executeBlocking(() -> network.metrics().scrape(accept), false)
        .onSuccess(
            text ->
                ctx.response()
                    .putHeader(HttpHeaders.CONTENT_TYPE, RouterMetrics.contentType(accept))
                    .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                    .end(text))
        .onFailure(
            error ->
                HttpReplies.text(
                    ctx.response(), 500, "rendering the metrics failed: " + error.getMessage()));
  }

  /** A page listing the samples' pages, with their descriptions. */
  private static void demoIndex(RoutingContext ctx) {
    StringBuilder html =
        new StringBuilder(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Outpost samples</title><link rel=\"icon\" href=\"data:,\"></head>"
                + "<body style=\"font: 15px system-ui, sans-serif; max-width: 40rem; margin: 2rem"
                + " auto\"><h1>Outpost samples</h1><ul>");
    DemoPages.all()
        .forEach(
            (name, description) ->
                html.append("<li><a href=\"")
                    .append(DemoPages.PREFIX)
                    .append(name)
                    .append("\">")
                    .append(name)
                    .append("</a>: ")
                    .append(
                        description.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
                    .append("</li>"));
    html.append("</ul></body></html>");
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .end(html.toString());
  }

  private void demoPage(RoutingContext ctx) {
    String sample = ctx.pathParam("sample");
    DemoPages.resource(sample)
        .ifPresentOrElse(
            resource -> HttpReplies.page(ctx, resource),
            () ->
                HttpReplies.text(
                    ctx.response(),
                    404,
                    "no demo page "
                        + sample
                        + "; the pages are "
                        + String.join(", ", DemoPages.all().keySet())));
  }

  private void health(RoutingContext ctx) {
    // A client that declares its region pays the emulated round trip, so that probing routers'
    // health measures the emulated distance (RouterSelector ranks routers by it).
    LatencyEmulator latency = network.latency();
    Duration oneWay =
        latency.oneWay(
            network.region(),
            ObjectUrl.param(
                ctx, LatencyEmulator.CLIENT_REGION_PARAM, LatencyEmulator.CLIENT_REGION_HEADER));
    boolean ready = servingState.get() == ServingState.SERVING;
    latency.after(
        Vertx.currentContext(),
        oneWay.multipliedBy(2),
        () ->
            ctx.response()
                .setStatusCode(ready ? 200 : 503)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(
                    new JsonObject()
                        .put("status", ready ? "ok" : "leaving")
                        .put("ready", ready)
                        .put("node", options.nodeId())
                        .put("region", network.region())
                        .put("namespaces", List.copyOf(inbox.namespaceNames()))
                        .put("apps", apps(inbox))
                        .put(
                            "parties",
                            new JsonObject(new LinkedHashMap<String, Object>(inbox.parties())))
                        .encode()));
  }

  /** The apps as JSON: {@code [{"name":..,"version":..,"namespaces":[..]}]}, sorted by name. */
  static io.vertx.core.json.JsonArray apps(ObjectInbox inbox) {
    io.vertx.core.json.JsonArray apps = new io.vertx.core.json.JsonArray();
    for (dev.outpost.runtime.ServedApp app : inbox.apps()) {
      apps.add(
          new JsonObject()
              .put("name", app.name())
              .put("version", app.version())
              .put("namespaces", app.namespaces()));
    }
    return apps;
  }

  private void eventStreamOrNext(RoutingContext ctx) {
    if (!RealtimeGateway.isEventStream(ctx.request())) {
      ctx.next();
      return;
    }
    Optional<ObjectUrl> target = ObjectUrl.resolve(ctx, inbox);
    if (target.isEmpty()) {
      return;
    }
    ObjectUrl url = target.get();
    admitThen(
        ctx,
        url,
        url.toRequest(ctx.request(), new byte[0]),
        Lobby.Transport.EVENT_STREAM,
        admitted ->
            realtime.serveEventStream(
                ctx,
                admitted,
                request -> dispatch.fetch(url.address(), url.hints(), request),
                ObjectUrl::write,
                (out, error) -> HttpReplies.fail(out, url.address(), error)));
  }

  /**
   * Runs the namespace's connect guards on {@code request} ({@link GuardDirector}), then {@code
   * next} with the request they admitted, on this event loop; or writes their refusal. Nothing has
   * located or woken the object before {@code next} runs.
   */
  private void admitThen(
      RoutingContext ctx,
      ObjectUrl url,
      Request request,
      Lobby.Transport transport,
      Consumer<Request> next) {
    CompletableFuture<Admission> decision = guards.admit(inbox, url, request, transport);
    if (decision.isDone()) {
      decided(ctx, decision.join(), next); // no guards: no hop
      return;
    }
    Context context = Vertx.currentContext();
    decision.thenAccept(admission -> context.runOnContext(v -> decided(ctx, admission, next)));
  }

  private static void decided(RoutingContext ctx, Admission admission, Consumer<Request> next) {
    switch (admission) {
      case Admission.Admit admit -> next.accept(admit.request());
      case Admission.Refuse refuse -> ObjectUrl.write(ctx.response(), refuse.response());
    }
  }

  private void http(RoutingContext ctx) {
    Optional<ObjectUrl> target = ObjectUrl.resolve(ctx, inbox);
    if (target.isEmpty()) {
      return;
    }
    ObjectUrl url = target.get();
    Buffer body = ctx.body().buffer();
    admitThen(
        ctx,
        url,
        url.toRequest(ctx.request(), body == null ? new byte[0] : body.getBytes()),
        ctx.request().getParam(OutpostV1.Query.OP) != null
            ? Lobby.Transport.LONG_POLL
            : Lobby.Transport.HTTP,
        request -> deliver(ctx, url, request));
  }

  private void deliver(RoutingContext ctx, ObjectUrl url, Request request) {
    Context context = Vertx.currentContext();
    LatencyEmulator latency = network.latency();
    Duration oneWay = latency.oneWay(network.region(), url.clientRegion());
    latency.after(
        context,
        oneWay,
        () ->
            dispatch
                .fetch(url.address(), url.hints(), request)
                .whenComplete(
                    (response, error) ->
                        latency.after(
                            context,
                            oneWay,
                            () ->
                                context.runOnContext(
                                    v -> {
                                      if (error != null) {
                                        HttpReplies.fail(ctx.response(), url.address(), error);
                                      } else {
                                        ObjectUrl.write(ctx.response(), response);
                                      }
                                      network
                                          .metrics()
                                          .httpResponse(ctx.response().getStatusCode());
                                    }))));
  }

  private void upgradeOrNext(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (!"websocket".equalsIgnoreCase(req.getHeader(HttpHeaders.UPGRADE))) {
      ctx.next();
      return;
    }
    Optional<ObjectUrl> target = ObjectUrl.resolve(ctx, inbox);
    if (target.isEmpty()) {
      return;
    }
    ObjectUrl url = target.get();
    req.pause(); // the handshake completes asynchronously, after the owner accepted
    admitThen(
        ctx,
        url,
        url.toRequest(req, new byte[0]),
        Lobby.Transport.WEBSOCKET,
        request -> upgrade(ctx, url, request));
  }

  private void upgrade(RoutingContext ctx, ObjectUrl url, Request request) {
    HttpServerRequest req = ctx.request();
    Context context = Vertx.currentContext();
    dispatch
        .send(
            url.address(), url.hints(), upgrade(url, request, String.valueOf(req.remoteAddress())))
        .whenComplete(
            (accepted, error) ->
                context.runOnContext(
                    v -> {
                      if (error != null) {
                        HttpReplies.fail(ctx.response(), url.address(), error);
                      } else if (!accepted.response().isWebSocketAccept()) {
                        ObjectUrl.write(ctx.response(), accepted.response());
                      } else if (UpgradeAnswer.refusal(request, accepted.response()).isPresent()) {
                        accepted.onFailure().run();
                        HttpReplies.text(
                            ctx.response(),
                            500,
                            UpgradeAnswer.refusal(request, accepted.response()).get());
                      } else {
                        UpgradeAnswer.headers(accepted.response())
                            .forEach((name, values) -> ctx.response().headers().set(name, values));
                        req.toWebSocket()
                            .onSuccess(
                                ws -> {
                                  if (network.listener().trimWebSockets()) {
                                    SocketFootprint.trim(ws);
                                  }
                                  sockets.add(ws);
                                  accepted.onOpen().accept(ws);
                                })
                            .onFailure(e -> accepted.onFailure().run());
                      }
                    }));
  }

  /** The owner's answer to an upgrade, and how to finish the client side of it. */
  private record Upgrade(Response response, Consumer<ServerWebSocket> onOpen, Runnable onFailure) {}

  /**
   * An upgrade delivered to the owner: locally, the client socket becomes the object's connection;
   * remotely, it is proxied over the node link.
   */
  private ObjectDispatch.Delivery<Upgrade> upgrade(ObjectUrl url, Request request, String remote) {
    return new ObjectDispatch.Delivery<>(
        local -> {
          WebSocketConnection connection =
              new WebSocketConnection(
                  remote, options.maxMessageSize(), OutboundBudget.of(realtime.options()));
          return local
              .upgrade(url.address(), request, connection)
              .thenApply(
                  r ->
                      new Upgrade(
                          r,
                          ws -> connection.bind(ws, local, () -> sockets.remove(ws)),
                          () -> connection.handshakeFailed(local)));
        },
        (links, node) -> {
          ProxiedSocket proxy = links.newProxiedSocket(options.maxMessageSize());
          CompletableFuture<Response> answer = links.upgrade(node, url.address(), request, proxy);
          return answer.thenApply(
              r ->
                  new Upgrade(
                      r, ws -> proxy.bind(ws, () -> sockets.remove(ws)), proxy::handshakeFailed));
        });
  }
}
