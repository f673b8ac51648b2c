package dev.outpost.router;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectDetails;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The objects part of the admin API, behind the {@link AdminGate}; every answer is JSON, every
 * refusal plain text saying why:
 *
 * <ul>
 *   <li>{@code GET /_outpost/admin/objects?namespace=NS[&limit=N][&cursor=ID]}: one page (N from 1
 *       to 1000, 100 by default) of the namespace's placed objects by id, each with its name when
 *       it was addressed by name, its placement (owner, region, epoch, state) and what its owner
 *       holds (live or not, connections, stored keys and bytes, alarm); {@code next} is the cursor
 *       of the next page, or null. Owners on other nodes are asked in one call per node.
 *   <li>{@code GET /_outpost/admin/objects/{namespace}/{name-or-id}}: one object the same way (a
 *       64-hex-digit segment is an id; anything else a name); 404 if it was never placed.
 *   <li>{@code GET /_outpost/admin/names/{namespace}/{id}}: the name recorded for an id; 404 if
 *       none (made by {@code newUniqueId}, or only ever addressed by id).
 *   <li>{@code POST /_outpost/admin/objects/{namespace}/{name-or-id}/evict}: deactivates it (turns
 *       finish, the instance goes, sockets close with 1012, storage stays).
 *   <li>{@code DELETE /_outpost/admin/objects/{namespace}/{name-or-id}?confirm={id}}: evicts it and
 *       deletes its storage and alarm; the placement record stays (so epochs only go up) and the
 *       next use starts it empty. Refused with 409 while a hand-over is in flight (MOVING), while
 *       its data is offline (PARKED, owner not running), or when its turns do not finish within
 *       {@link AdminOptions#settleTimeout}: what those would commit would race the delete.
 *   <li>{@code GET /_outpost/admin/cluster}: the cluster map of {@code /_outpost/cluster} plus the
 *       namespaces this node serves.
 *   <li>{@code POST /_outpost/admin/local/details} (between nodes): what this node holds for the
 *       ids of one namespace ({@code {"namespace": NS, "ids": [ID...]}}).
 * </ul>
 *
 * <p>Calls about one object are served by its owner: another node forwards them ({@link
 * AdminForwarding}) and passes the answer back. Directory reads and host work run on Vert.x's
 * worker pool.
 */
final class AdminRoutes {

  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;
  private static final int MAX_IDS = 1000;

  private final Cluster cluster;
  private final ObjectInbox inbox;
  private final ObjectHost host;
  private final AdminOptions options;
  private final ClusterRoutes clusterRoutes;
  private AdminForwarding peers; // set by mount

  AdminRoutes(
      Cluster cluster,
      ObjectInbox inbox,
      ObjectHost host,
      AdminOptions options,
      ClusterRoutes clusterRoutes,
      java.util.Optional<TlsOptions> tls) {
    this.tls = tls;
    this.cluster = cluster;
    this.inbox = inbox;
    this.host = host;
    this.options = options;
    this.clusterRoutes = clusterRoutes;
  }

  private final java.util.Optional<TlsOptions> tls; // the node's: peers are called over HTTPS

  /** Forwards admin calls to other nodes; set once mounted. */
  AdminForwarding peers() {
    return peers;
  }

  void mount(Router router, Vertx vertx) {
    this.peers = new AdminForwarding(vertx, cluster.self().nodeId(), tls);
    router
        .get("/_outpost/admin/cluster")
        .handler(
            ctx ->
                blocking(
                    ctx,
                    vertx,
                    () ->
                        clusterRoutes
                            .clusterMap(ctx.request().scheme())
                            .put(
                                "namespaces",
                                new JsonArray(
                                    new ArrayList<>(
                                        new java.util.TreeSet<>(inbox.namespaceNames()))))));
    router.get("/_outpost/admin/objects").handler(ctx -> list(ctx, vertx));
    router.get("/_outpost/admin/objects/:namespace/:object").handler(ctx -> one(ctx, vertx));
    router.get("/_outpost/admin/names/:namespace/:id").handler(ctx -> name(ctx, vertx));
    router
        .post("/_outpost/admin/objects/:namespace/:object/evict")
        .handler(ctx -> onOwner(ctx, vertx, this::evictHere));
    router.delete("/_outpost/admin/objects/:namespace/:object").handler(ctx -> delete(ctx, vertx));
    router
        .post("/_outpost/admin/local/details")
        .handler(BodyHandler.create(false).setBodyLimit(256 * 1024))
        .handler(ctx -> localDetails(ctx, vertx));
  }

  // ---- listing

  private void list(RoutingContext ctx, Vertx vertx) {
    String ns = ctx.request().getParam("namespace");
    if (ns == null || ns.isBlank()) {
      HttpReplies.text(
          ctx.response(),
          400,
          "name the namespace: GET /_outpost/admin/objects?namespace=NS (served here: "
              + new java.util.TreeSet<>(inbox.namespaceNames())
              + ")");
      return;
    }
    if (inbox.namespace(ns).isEmpty()) {
      HttpReplies.text(ctx.response(), 404, unknownNamespace(ns));
      return;
    }
    int limit;
    try {
      String text = ctx.request().getParam("limit");
      limit = text == null ? DEFAULT_LIMIT : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      HttpReplies.text(ctx.response(), 400, "limit is a number from 1 to " + MAX_LIMIT);
      return;
    }
    Optional<String> cursor = Optional.ofNullable(ctx.request().getParam("cursor"));
    if (cursor.isPresent() && !DurableObjectId.isWellFormed(cursor.get())) {
      HttpReplies.text(
          ctx.response(),
          400,
          "cursor is the 'next' of the previous page (an object id: 64 lowercase hex digits)");
      return;
    }
    int pageSize = limit;
    vertx
        .executeBlocking(() -> cluster.directory().list(ns, cursor, pageSize), false)
        .compose(page -> withDetails(ctx, page.objects()).map(objects -> Map.entry(page, objects)))
        .onSuccess(
            result ->
                json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("namespace", ns)
                        .put("objects", result.getValue())
                        .put("next", result.getKey().next().orElse(null))))
        .onFailure(e -> failed(ctx, e));
  }

  /** The objects as JSON, with what each owner holds (one call per other owner). */
  private Future<JsonArray> withDetails(RoutingContext ctx, List<ObjectDirectory.Listed> objects) {
    Map<String, List<ObjectDirectory.Listed>> byOwner = new LinkedHashMap<>();
    for (ObjectDirectory.Listed o : objects) {
      byOwner.computeIfAbsent(o.record().owner(), k -> new ArrayList<>()).add(o);
    }
    List<Future<JsonObject>> answers = new ArrayList<>(); // each: id -> details or error
    String self = cluster.self().nodeId();
    for (var entry : byOwner.entrySet()) {
      List<String> ids = entry.getValue().stream().map(o -> o.address().id().toString()).toList();
      String ns = entry.getValue().get(0).address().namespace();
      if (entry.getKey().equals(self)) {
        answers.add(ctx.vertx().executeBlocking(() -> detailsHere(ns, ids), false));
      } else {
        answers.add(detailsFrom(ctx, entry.getKey(), ns, ids));
      }
    }
    return Future.join(answers)
        .transform(
            done -> {
              JsonObject details = new JsonObject();
              for (int i = 0; i < answers.size(); i++) {
                Future<JsonObject> answer = answers.get(i);
                String owner = new ArrayList<>(byOwner.keySet()).get(i);
                if (answer.succeeded()) {
                  details.mergeIn(answer.result());
                } else {
                  String why = "node " + owner + " did not answer: " + answer.cause().getMessage();
                  byOwner
                      .get(owner)
                      .forEach(
                          o ->
                              details.put(
                                  o.address().id().toString(),
                                  new JsonObject().put("detailsError", why)));
                }
              }
              JsonArray out = new JsonArray();
              for (ObjectDirectory.Listed o : objects) {
                out.add(
                    describe(o.address(), o.record())
                        .mergeIn(
                            Optional.ofNullable(details.getJsonObject(o.address().id().toString()))
                                .orElse(new JsonObject())));
              }
              return Future.succeededFuture(out);
            });
  }

  private Future<JsonObject> detailsFrom(
      RoutingContext ctx, String owner, String ns, List<String> ids) {
    Optional<NodeInfo> node = cluster.membership().node(owner);
    if (node.isEmpty()) {
      return Future.failedFuture("it is not running; its objects are back when it returns");
    }
    Buffer body = new JsonObject().put("namespace", ns).put("ids", new JsonArray(ids)).toBuffer();
    return peers
        .send(ctx, node.get(), HttpMethod.POST, "/_outpost/admin/local/details", body)
        .map(
            reply -> {
              if (reply.status() != 200) {
                throw new IllegalStateException(
                    reply.status() + " " + reply.body().toString().strip());
              }
              return reply.body().toJsonObject();
            });
  }

  private void localDetails(RoutingContext ctx, Vertx vertx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    String ns = body == null ? null : body.getString("namespace");
    JsonArray ids = body == null ? null : body.getJsonArray("ids");
    if (ns == null || ids == null || ids.size() > MAX_IDS) {
      HttpReplies.text(
          ctx.response(),
          400,
          "POST {\"namespace\": NS, \"ids\": [ID, ...]} with at most " + MAX_IDS + " ids");
      return;
    }
    List<String> list = new ArrayList<>();
    for (Object id : ids) {
      if (!(id instanceof String s) || !DurableObjectId.isWellFormed(s)) {
        HttpReplies.text(ctx.response(), 400, "ids are 64 lowercase hex digits; got " + id);
        return;
      }
      list.add(s);
    }
    if (!ObjectAddress.isValidNamespace(ns)) {
      HttpReplies.text(ctx.response(), 400, "namespace '" + ns + "' is invalid");
      return;
    }
    blocking(ctx, vertx, () -> detailsHere(ns, list));
  }

  private JsonObject detailsHere(String ns, List<String> ids) {
    JsonObject out = new JsonObject();
    for (String id : ids) {
      out.put(
          id,
          details(host.details(new ObjectAddress(ns, DurableObjectId.of(id, Optional.empty())))));
    }
    return out;
  }

  // ---- one object

  private void one(RoutingContext ctx, Vertx vertx) {
    onOwner(
        ctx,
        vertx,
        t -> describe(t.address(), t.record()).mergeIn(details(host.details(t.address()))));
  }

  private void name(RoutingContext ctx, Vertx vertx) {
    String ns = ctx.pathParam("namespace");
    String id = ctx.pathParam("id");
    if (inbox.namespace(ns).isEmpty()) {
      HttpReplies.text(ctx.response(), 404, unknownNamespace(ns));
      return;
    }
    if (!DurableObjectId.isWellFormed(id)) {
      HttpReplies.text(ctx.response(), 400, "an object id is 64 lowercase hex digits; got " + id);
      return;
    }
    vertx
        .executeBlocking(
            () ->
                cluster
                    .directory()
                    .nameOf(new ObjectAddress(ns, DurableObjectId.of(id, Optional.empty()))),
            false)
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                HttpReplies.text(
                    ctx.response(),
                    404,
                    "no name is recorded for "
                        + ns
                        + "/"
                        + id
                        + " (made by newUniqueId, or never addressed by name)");
              } else {
                json(
                    ctx,
                    200,
                    new JsonObject().put("namespace", ns).put("id", id).put("name", found.get()));
              }
            })
        .onFailure(e -> failed(ctx, e));
  }

  /** An object the call is about, and its placement when known. */
  private record Target(ObjectAddress address, PlacementRecord record) {}

  /** What a call about one object does on its owner; blocks; returns the JSON answer. */
  private interface OwnerWork {
    JsonObject run(Target target) throws Exception;
  }

  /** The address a call's path names (400/404 answered and empty if none). */
  private Optional<Target> target(RoutingContext ctx) {
    String ns = ctx.pathParam("namespace");
    String object = ctx.pathParam("object");
    Optional<DurableObjectNamespace> namespace = inbox.namespace(ns);
    if (namespace.isEmpty()) {
      HttpReplies.text(ctx.response(), 404, unknownNamespace(ns));
      return Optional.empty();
    }
    if (object == null || object.isEmpty()) {
      HttpReplies.text(
          ctx.response(), 400, "name the object: .../objects/{namespace}/{name-or-id}");
      return Optional.empty();
    }
    try {
      DurableObjectId id =
          DurableObjectId.isWellFormed(object)
              ? namespace.get().idFromString(object)
              : namespace.get().idFromName(object);
      return Optional.of(new Target(new ObjectAddress(ns, id), null));
    } catch (IllegalArgumentException e) {
      HttpReplies.text(ctx.response(), 400, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Runs {@code work} where the object lives: here if this node owns it, else forwarded to its
   * owner (once). 404 if it was never placed; 503 if its owner is not running.
   */
  private void onOwner(RoutingContext ctx, Vertx vertx, OwnerWork work) {
    Optional<Target> target = target(ctx);
    if (target.isEmpty()) {
      return;
    }
    ObjectAddress address = target.get().address();
    String self = cluster.self().nodeId();
    vertx
        .executeBlocking(
            () -> {
              Optional<PlacementRecord> record = cluster.directory().lookup(address);
              if (record.isEmpty()) {
                return Optional.<Target>empty();
              }
              ObjectAddress named =
                  address.id().name().isPresent()
                      ? address
                      : cluster
                          .directory()
                          .nameOf(address)
                          .map(
                              n ->
                                  new ObjectAddress(
                                      address.namespace(),
                                      DurableObjectId.of(
                                          address.id().toString(),
                                          Optional.of(n),
                                          address.id().jurisdiction())))
                          .orElse(address);
              return Optional.of(new Target(named, record.get()));
            },
            false)
        .onFailure(e -> failed(ctx, e))
        .onSuccess(
            found -> {
              if (found.isEmpty()) {
                HttpReplies.text(
                    ctx.response(),
                    404,
                    address.namespace()
                        + "/"
                        + ctx.pathParam("object")
                        + " has never been placed (no object has used that name or id)");
                return;
              }
              Target t = found.get();
              String owner = t.record().owner();
              if (owner.equals(self)) {
                vertx
                    .executeBlocking(() -> work.run(t), false)
                    .onSuccess(body -> json(ctx, 200, body))
                    .onFailure(e -> failed(ctx, e));
                return;
              }
              Optional<NodeInfo> node = cluster.membership().node(owner);
              if (node.isEmpty()) {
                ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
                HttpReplies.text(
                    ctx.response(),
                    503,
                    address
                        + " lives on node "
                        + owner
                        + ", which is not running; its data is on that node");
                return;
              }
              peers.forwardCall(ctx, node.get(), address.toString());
            });
  }

  private JsonObject evictHere(Target t) {
    boolean wasActive =
        host.evict(t.address(), options.settleTimeout(), "evicted by an operator; reconnect");
    return describe(t.address(), t.record())
        .put("evicted", true)
        .put("wasActive", wasActive)
        .mergeIn(details(host.details(t.address())));
  }

  private void delete(RoutingContext ctx, Vertx vertx) {
    Optional<Target> target = target(ctx);
    if (target.isEmpty()) {
      return;
    }
    String id = target.get().address().id().toString();
    if (!id.equals(ctx.request().getParam("confirm"))) {
      HttpReplies.text(
          ctx.response(),
          400,
          "deleting "
              + target.get().address().namespace()
              + "/"
              + ctx.pathParam("object")
              + " removes its storage for good; confirm with ?confirm=ID, its 64-hex-digit id"
              + " (GET /_outpost/admin/objects/{namespace}/{name} shows it)");
      return;
    }
    onOwner(ctx, vertx, this::deleteHere);
  }

  private JsonObject deleteHere(Target t) {
    ObjectAddress address = t.address();
    switch (t.record().state()) {
      case MOVING ->
          throw new AdminRefusal(
              409, address + " is being handed over to another node; delete it once it has moved");
      case PARKED ->
          throw new AdminRefusal(
              409,
              address
                  + " is parked: its owner left and its data is offline; start node "
                  + t.record().owner()
                  + " again before deleting it");
      case ACTIVE -> {}
    }
    long epoch;
    try {
      epoch = cluster.guard().acquire(address);
    } catch (dev.outpost.runtime.NotOwnerException e) {
      throw new AdminRefusal(409, "this node no longer owns " + address + "; retry the call");
    }
    ObjectDetails before;
    try {
      before =
          host.delete(address, epoch, options.settleTimeout(), "deleted by an operator; reconnect");
    } catch (dev.outpost.runtime.spi.StaleEpochException e) {
      throw new AdminRefusal(
          409, "another node committed " + address + " at a later epoch; retry the call");
    }
    return describe(address, t.record())
        .put("deleted", true)
        .put("deletedKeys", before.storedKeys())
        .put("deletedBytes", before.storedBytes())
        .mergeIn(details(host.details(address)));
  }

  // ---- JSON

  private static JsonObject describe(ObjectAddress address, PlacementRecord record) {
    JsonObject o =
        new JsonObject()
            .put("namespace", address.namespace())
            .put("id", address.id().toString())
            .put("name", address.id().name().orElse(null));
    if (record != null) {
      o.put("owner", record.owner())
          .put("region", record.region())
          .put("epoch", record.epoch())
          .put("state", record.state().name())
          .put("jurisdiction", record.jurisdiction().orElse(null));
    }
    return o;
  }

  private static JsonObject details(ObjectDetails d) {
    return new JsonObject()
        .put("active", d.active())
        .put("connections", d.connections())
        .put("storedKeys", d.storedKeys())
        .put("storageBytes", d.storedBytes())
        .put("alarm", d.alarm().map(Object::toString).orElse(null));
  }

  private String unknownNamespace(String ns) {
    return "unknown namespace '"
        + ns
        + "'; this node serves "
        + new java.util.TreeSet<>(inbox.namespaceNames());
  }

  private static void blocking(RoutingContext ctx, Vertx vertx, Callable<JsonObject> work) {
    vertx
        .executeBlocking(work, false)
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(e -> failed(ctx, e));
  }

  private static void failed(RoutingContext ctx, Throwable e) {
    if (e instanceof AdminRefusal refusal) {
      HttpReplies.text(ctx.response(), refusal.status, refusal.getMessage());
    } else if (e instanceof IllegalArgumentException) {
      HttpReplies.text(ctx.response(), 400, String.valueOf(e.getMessage()));
    } else if (e instanceof IllegalStateException) {
      HttpReplies.text(ctx.response(), 409, String.valueOf(e.getMessage()));
    } else {
      System.getLogger(AdminRoutes.class.getName())
          .log(System.Logger.Level.WARNING, "admin call " + ctx.request().uri() + " failed", e);
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      HttpReplies.text(ctx.response(), 503, "cannot answer now: " + e);
    }
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.toBuffer());
  }

  /** A refusal with its status, thrown by work run on the owner. */
  static final class AdminRefusal extends RuntimeException {
    private final int status;

    AdminRefusal(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
