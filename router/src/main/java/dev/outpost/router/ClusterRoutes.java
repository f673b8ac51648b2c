package dev.outpost.router;

import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ClusterView;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectMigrations;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import dev.outpost.runtime.spi.HandoverTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's own endpoints:
 *
 * <ul>
 *   <li>{@code GET /_outpost/routers}: every live router (URL, region, node, health), for clients
 *       that pick the nearest;
 *   <li>{@code GET /_outpost/cluster}: regions, their nodes, object and connection counts;
 *   <li>{@code GET /_outpost/cluster.html}: a page drawing that map;
 *   <li>{@code POST /_outpost/admin/move?object=NS/NAME&to-region=R}: moves an object (NAME may be
 *       its 64-hex-digit id) with the hand-over; sent to another node than the owner, it is
 *       forwarded to the owner and its answer passed back.
 *   <li>{@code POST /_outpost/admin/deploy} (bearer token, the jar as body): rolls the jar out as a
 *       version of its app ({@code bundle.name}); the other apps keep serving. {@code POST
 *       /_outpost/admin/rollback[?app=APP]}: the app (default: the one deployed last) back to its
 *       previous version, the boot version included. {@code POST /_outpost/admin/undeploy?app=APP}:
 *       stops serving an app everywhere. Each answers JSON {@code {activated, app, version,
 *       activateMillis, problems}}: 200 when done, 422 when refused (the problems say why), 400 for
 *       a request that is not one.
 *   <li>{@code GET /_outpost/code}: this node's apps and versions ({@code {node, apps: {APP:
 *       VERSION}}}).
 *   <li>{@code GET /_outpost/admin}: the admin page; the objects API is {@link AdminRoutes}.
 * </ul>
 *
 * <p>Every route under {@code /_outpost/admin/} passes the {@link AdminGate} first (rate limit,
 * bearer token, audit line).
 */
final class ClusterRoutes {

  private final Cluster cluster;
  private final ObjectInbox inbox;
  private final ObjectMigrations migrations;
  private final HandoverTransport transport;
  private final AdminGate gate;
  private final AdminRoutes admin;

  ClusterRoutes(
      Cluster cluster,
      ObjectInbox inbox,
      ObjectHost host,
      HandoverTransport transport,
      String adminToken,
      AdminOptions adminOptions,
      TimeSource time,
      java.util.Optional<TlsOptions> tls) {
    this.cluster = cluster;
    this.inbox = inbox;
    this.migrations = host;
    this.transport = transport;
    this.gate = new AdminGate(adminToken, new AdminRateLimiter(adminOptions, time));
    this.admin = new AdminRoutes(cluster, inbox, host, adminOptions, this, tls);
  }

  void mount(Router router, Vertx vertx) {
    router.get("/_outpost/admin").handler(ctx -> HttpReplies.page(ctx, "outpost/admin.html"));
    router.route("/_outpost/admin/*").handler(gate);
    admin.mount(router, vertx);
    router.get("/_outpost/routers").handler(this::routers);
    // Reads Hazelcast maps, which block while a partition's owner is unreachable: not on the
    // event loop, whose other requests would wait (unordered: a stuck read holds up no other).
    router.get("/_outpost/cluster").blockingHandler(this::clusterMap, false);
    router
        .get("/_outpost/cluster.html")
        .handler(ctx -> HttpReplies.page(ctx, "outpost/cluster.html"));
    router.post("/_outpost/admin/move").handler(ctx -> move(ctx, vertx));
    router
        .post("/_outpost/admin/deploy")
        .handler(io.vertx.ext.web.handler.BodyHandler.create(false).setBodyLimit(MAX_BUNDLE_BYTES))
        .handler(ctx -> rollout(ctx, vertx, true));
    router.post("/_outpost/admin/rollback").handler(ctx -> rollout(ctx, vertx, false));
    router.post("/_outpost/admin/undeploy").handler(ctx -> undeploy(ctx, vertx));
    router.get("/_outpost/code").handler(this::code);
  }

  /** {@code scheme} is this node's, the same on every node (TLS is on for all or for none). */
  static String url(String scheme, NodeInfo node) {
    return scheme + "://" + node.host() + ":" + node.httpPort();
  }

  private List<NodeInfo> sortedNodes() {
    return cluster.liveNodes().stream()
        .sorted(Comparator.comparing(NodeInfo::region).thenComparing(NodeInfo::nodeId))
        .toList();
  }

  private void routers(RoutingContext ctx) {
    JsonArray routers = new JsonArray();
    for (NodeInfo node : sortedNodes()) {
      routers.add(
          new JsonObject()
              .put("url", url(ctx.request().scheme(), node))
              .put("region", node.region())
              .put("node", node.nodeId())
              .put("healthy", true));
    }
    json(ctx, new JsonObject().put("self", cluster.self().nodeId()).put("routers", routers));
  }

  private void clusterMap(RoutingContext ctx) {
    json(ctx, clusterMap(ctx.request().scheme()));
  }

  /**
   * The cluster map's JSON, with node URLs in {@code scheme} (this node's: TLS is on for every node
   * or none). Reads Hazelcast maps: blocks.
   */
  JsonObject clusterMap(String scheme) {
    Map<String, ClusterView.NodeStats> stats = cluster.stats();
    Map<String, JsonArray> byRegion = new TreeMap<>();
    cluster.topology().regions().forEach(r -> byRegion.put(r, new JsonArray()));
    int objects = 0;
    int sockets = 0;
    for (NodeInfo node : sortedNodes()) {
      ClusterView.NodeStats s = stats.getOrDefault(node.nodeId(), new ClusterView.NodeStats(0, 0));
      objects += s.objects();
      sockets += s.sockets();
      byRegion
          .computeIfAbsent(node.region(), r -> new JsonArray())
          .add(
              new JsonObject()
                  .put("node", node.nodeId())
                  .put("url", url(scheme, node))
                  .put("objects", s.objects())
                  .put("connections", s.sockets()));
    }
    JsonArray regions = new JsonArray();
    byRegion.forEach(
        (name, nodes) -> regions.add(new JsonObject().put("name", name).put("nodes", nodes)));
    JsonObject latency = new JsonObject();
    for (String from : byRegion.keySet()) {
      JsonObject row = new JsonObject();
      for (String to : byRegion.keySet()) {
        row.put(to, cluster.topology().oneWay(from, to).toMillis());
      }
      latency.put(from, row);
    }
    return new JsonObject()
        .put("self", cluster.self().nodeId())
        .put("regions", regions)
        .put("nodes", sortedNodes().size())
        .put("objects", objects)
        .put("connections", sockets)
        .put("oneWayLatencyMs", latency)
        .put("replicaGroups", replicaGroups())
        .put("apps", new JsonObject(new java.util.LinkedHashMap<String, Object>(cluster.apps())));
  }

  private void code(RoutingContext ctx) {
    JsonObject apps = new JsonObject();
    inbox.apps().forEach(app -> apps.put(app.name(), app.version()));
    json(ctx, new JsonObject().put("node", cluster.self().nodeId()).put("apps", apps));
  }

  /** Each replica group: members, leader, term, and followers' lag when led here. */
  private JsonArray replicaGroups() {
    JsonArray groups = new JsonArray();
    for (Cluster.ReplicaGroupView g : cluster.replicaGroups()) {
      JsonObject lag = new JsonObject();
      g.followerLag().forEach(lag::put);
      groups.add(
          new JsonObject()
              .put("name", g.name())
              .put("region", g.region())
              .put("members", new JsonArray(g.members()))
              .put("leader", g.leader().orElse(null))
              .put("term", g.term())
              .put("listed", g.listed())
              .put("followerLagEntries", lag));
    }
    return groups;
  }

  /** Largest code bundle the deploy endpoint takes. */
  private static final long MAX_BUNDLE_BYTES = 64L * 1024 * 1024;

  private void rollout(RoutingContext ctx, Vertx vertx, boolean deploy) {
    byte[] jar = deploy && ctx.body().buffer() != null ? ctx.body().buffer().getBytes() : null;
    if (deploy && (jar == null || jar.length == 0)) {
      HttpReplies.text(ctx.response(), 400, "POST the bundle jar as the request body");
      return;
    }
    java.util.Optional<String> app = java.util.Optional.ofNullable(ctx.request().getParam("app"));
    answer(ctx, vertx, () -> deploy ? cluster.deploy(jar) : cluster.rollback(app));
  }

  private void undeploy(RoutingContext ctx, Vertx vertx) {
    String app = ctx.request().getParam("app");
    if (app == null || app.isBlank()) {
      HttpReplies.text(ctx.response(), 400, "name the app: POST /_outpost/admin/undeploy?app=APP");
      return;
    }
    answer(ctx, vertx, () -> cluster.undeploy(app));
  }

  private static void answer(
      RoutingContext ctx, Vertx vertx, java.util.concurrent.Callable<Cluster.RolloutReport> call) {
    vertx
        .executeBlocking(call, false)
        .onSuccess(
            report ->
                ctx.response()
                    .setStatusCode(report.activated() ? 200 : 422)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(
                        new JsonObject()
                            .put("activated", report.activated())
                            .put("app", report.app())
                            .put("version", report.version())
                            .put("activateMillis", report.activateMillis())
                            .put("problems", new JsonArray(report.problems()))
                            .encode()))
        .onFailure(
            e ->
                HttpReplies.text(
                    ctx.response(),
                    e instanceof IllegalArgumentException ? 400 : 503,
                    String.valueOf(e.getMessage())));
  }

  private void move(RoutingContext ctx, Vertx vertx) {
    String object = ctx.request().getParam("object");
    String region = ctx.request().getParam("to-region");
    if (object == null || region == null || !object.contains("/")) {
      HttpReplies.text(ctx.response(), 400, "use ?object=NAMESPACE/NAME&to-region=REGION");
      return;
    }
    String ns = object.substring(0, object.indexOf('/'));
    String name = object.substring(object.indexOf('/') + 1);
    var namespace = inbox.namespace(ns);
    if (namespace.isEmpty()) {
      HttpReplies.text(ctx.response(), 404, "unknown namespace '" + ns + "'");
      return;
    }
    ObjectAddress address =
        new ObjectAddress(
            ns,
            dev.outpost.api.DurableObjectId.isWellFormed(name)
                ? namespace.get().idFromString(name)
                : namespace.get().idFromName(name));
    vertx
        .<String>executeBlocking(
            () -> {
              var record = cluster.directory().lookup(address);
              if (record.isEmpty()) {
                throw new IllegalArgumentException(object + " has never been placed");
              }
              if (!record.get().owner().equals(cluster.self().nodeId())) {
                return "forward:" + record.get().owner();
              }
              return cluster.move(address, region, migrations, transport);
            },
            false)
        .onSuccess(
            result -> {
              if (result.startsWith("forward:")) {
                String owner = result.substring("forward:".length());
                var node = cluster.membership().node(owner);
                if (node.isEmpty()) {
                  ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
                  HttpReplies.text(
                      ctx.response(),
                      503,
                      object + " lives on node " + owner + ", which is not running");
                } else {
                  admin.peers().forwardCall(ctx, node.get(), object);
                }
              } else {
                HttpReplies.text(ctx.response(), 200, result);
              }
            })
        .onFailure(
            e ->
                HttpReplies.text(
                    ctx.response(),
                    e instanceof IllegalArgumentException ? 400 : 503,
                    String.valueOf(e.getMessage())));
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
  }
}
