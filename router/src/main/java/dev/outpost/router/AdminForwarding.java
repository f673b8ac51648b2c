package dev.outpost.router;

import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.RoutingContext;

/**
 * Admin calls to other nodes: a call about one object is run by its owner, so another node forwards
 * it once over HTTP (the owner's advertised address and HTTP port) with the caller's token and
 * {@link AdminGate#FORWARDED_BY}, and passes the owner's answer back unchanged. The page therefore
 * never follows a redirect across origins (browsers drop {@code Authorization} there). The owner
 * runs its own {@link AdminGate}: the token is checked again, the call is rate-limited under the
 * forwarding node's address and audited with the forwarding node's id. A forwarded call is never
 * forwarded again: if the owner changed meanwhile, 409 and the caller retries.
 *
 * <p>Connections time out after 5 s, answers after 30 s. Call on an event loop; the futures
 * complete on Vert.x's threads.
 */
final class AdminForwarding {

  private static final long PEER_TIMEOUT_MS = 30_000;

  private final HttpClient client;
  private final String selfNodeId;

  /** Calls peers over HTTPS, trusting {@code tls}'s CA and verifying their names, when present. */
  AdminForwarding(Vertx vertx, String selfNodeId, java.util.Optional<TlsOptions> tls) {
    HttpClientOptions options = new HttpClientOptions().setConnectTimeout(5_000).setIdleTimeout(60);
    tls.ifPresent(
        t ->
            options
                .setSsl(true)
                .setVerifyHost(true)
                .setKeyCertOptions(t.keyCert())
                .setTrustOptions(t.trustOptions()));
    this.client = vertx.createHttpClient(options);
    this.selfNodeId = selfNodeId;
  }

  /**
   * Forwards the call as it came (method, path, query, token) to {@code node}, which owns {@code
   * what}, and relays its answer; 503 if it does not answer, 409 if the call was itself forwarded.
   */
  void forwardCall(RoutingContext ctx, NodeInfo node, String what) {
    if (ctx.request().getHeader(AdminGate.FORWARDED_BY) != null) {
      HttpReplies.text(
          ctx.response(),
          409,
          "node " + node.nodeId() + " owns " + what + " now, not this node; retry the call");
      return;
    }
    send(ctx, node, ctx.request().method(), ctx.request().uri(), null)
        .onSuccess(reply -> relay(ctx, reply))
        .onFailure(
            e -> {
              ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
              HttpReplies.text(
                  ctx.response(),
                  503,
                  "node "
                      + node.nodeId()
                      + ", which owns "
                      + what
                      + ", did not answer: "
                      + e.getMessage());
            });
  }

  /** A peer's answer. */
  record PeerReply(int status, String contentType, Buffer body) {}

  /**
   * Sends {@code method uri} (with {@code body}, JSON, if not null) to {@code node} with the
   * caller's {@code Authorization} and {@link AdminGate#FORWARDED_BY}; completes with its answer,
   * or fails if it cannot be reached or does not answer within 30 s.
   */
  Future<PeerReply> send(
      RoutingContext ctx, NodeInfo node, HttpMethod method, String uri, Buffer body) {
    RequestOptions request =
        new RequestOptions()
            .setMethod(method)
            .setHost(node.host())
            .setPort(node.httpPort())
            .setURI(uri)
            .setIdleTimeout(PEER_TIMEOUT_MS)
            .putHeader(
                HttpHeaders.AUTHORIZATION, ctx.request().getHeader(HttpHeaders.AUTHORIZATION))
            .putHeader(AdminGate.FORWARDED_BY, selfNodeId);
    if (body != null) {
      request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    return client
        .request(request)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(
            resp ->
                resp.body()
                    .map(
                        b ->
                            new PeerReply(
                                resp.statusCode(), resp.getHeader(HttpHeaders.CONTENT_TYPE), b)));
  }

  private static void relay(RoutingContext ctx, PeerReply reply) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response().setStatusCode(reply.status());
    if (reply.contentType() != null) {
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, reply.contentType());
    }
    ctx.response().end(reply.body());
  }
}
