package dev.outpost.router;

import dev.outpost.api.DurableObjectException;
import dev.outpost.runtime.ObjectAddress;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * The router's own HTTP answers, shared by the object routes and the cluster routes: plain-text
 * refusals that say why, the pages bundled in the router jar, and the mapping of a failure to reach
 * an object onto a status code (unavailable or overloaded: 503 with {@code Retry-After}; the object
 * threw: 500; unknown namespace found late: 404). Every method is a no-op on a response that has
 * already ended or whose connection closed. Call on the response's event loop.
 */
final class HttpReplies {

  private static final System.Logger LOG = System.getLogger(HttpReplies.class.getName());

  private HttpReplies() {}

  /** Ends {@code out} with {@code status} and {@code message} as {@code text/plain}. */
  static void text(HttpServerResponse out, int status, String message) {
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
        .end(message + "\n");
  }

  /**
   * Serves the HTML page at class-path {@code resource} of the router jar (404 if missing), with
   * the vendored modules' import map in place of its {@link VendorModules#IMPORT_MAP_MARKER}.
   */
  static void page(RoutingContext ctx, String resource) {
    try (var in = HttpReplies.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        text(ctx.response(), 404, "page " + resource + " is missing from the router jar");
        return;
      }
      String html =
          VendorModules.withImportMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .end(Buffer.buffer(html));
    } catch (java.io.IOException | IllegalStateException e) {
      text(ctx.response(), 500, "cannot serve page " + resource + ": " + e.getMessage());
    }
  }

  /**
   * Answers a failure to serve {@code address}: the status says whose fault and whether to retry.
   */
  static void fail(HttpServerResponse out, ObjectAddress address, Throwable error) {
    Throwable cause = ObjectDispatch.unwrap(error);
    if (out.ended() || out.closed()) {
      return;
    }
    if (cause instanceof ObjectUnavailableException unavailable) {
      out.putHeader(
          "Retry-After", Long.toString(Math.max(1, unavailable.retryAfter().toSeconds())));
      text(out, 503, unavailable.getMessage());
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
    if (cause instanceof java.net.ConnectException) {
      out.putHeader("Retry-After", "1");
      text(out, 503, "the node serving " + address + " cannot be reached now; retry shortly");
      return;
    }
    if (cause instanceof io.vertx.core.http.UpgradeRejectedException
        || cause instanceof javax.net.ssl.SSLException) {
      // The link to the owner was refused: a wrong link secret, or a TLS peer not trusted (either
      // way). NodeLinks logs the detail; the client may retry (the owner can move or be fixed).
      out.putHeader("Retry-After", "1");
      text(
          out,
          503,
          "the node serving "
              + address
              + " refused this node's link ("
              + cause.getClass().getSimpleName()
              + "); check that both have the same link secret and trust each other's TLS"
              + " certificates");
      return;
    }
    LOG.log(Level.ERROR, "unexpected failure serving " + address, cause);
    text(out, 500, "internal error in " + address + ": " + cause.getClass().getSimpleName());
  }
}
