package dev.outpost.router;

import dev.outpost.client.protocol.OutpostV1;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin requests (CORS, WHATWG Fetch §3.2), decided by the router before any route, so a
 * preflight never reaches an object. A request without {@code Origin}, or from the router's own
 * origin (browsers send {@code Origin} on same-origin POSTs too), passes untouched, unless Fetch
 * Metadata shows a browser's cross-site subresource request (an {@code <img>} or {@code <script>}
 * of another site carries no {@code Origin}): that gets 403 unless any origin is allowed. From an
 * allowed origin ({@link RouterOptions#allowedOrigins()}), Vert.x Web's {@link CorsHandler} answers
 * preflights with 204 and adds {@code Access-Control-Allow-Origin} to responses. From any other
 * origin the router answers 403 saying how to allow it.
 *
 * <p>WebSocket upgrades get the same origin check without CORS headers (browsers do not apply CORS
 * to WebSockets; RFC 6455 §10.2 leaves the check to the server): from another origin that is not
 * allowed, 403 before any object wakes, against Cross-Site WebSocket Hijacking (a page of another
 * site connecting with the user's cookies). Non-browser clients send no {@code Origin} and pass.
 *
 * <p>Runs on the event loop; stateless after construction.
 */
final class CrossOrigin implements Handler<RoutingContext> {

  /** How long a browser may cache a preflight answer, in seconds. */
  static final int PREFLIGHT_MAX_AGE_SECONDS = 600;

  private final boolean anyOrigin;
  private final Set<String> allowed;
  private final CorsHandler cors;

  CrossOrigin(List<String> allowedOrigins) {
    this.anyOrigin = allowedOrigins.contains("*");
    this.allowed =
        Set.copyOf(allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList());
    CorsHandler handler = CorsHandler.create();
    if (!anyOrigin) {
      handler.addOrigins(allowedOrigins);
    }
    this.cors =
        handler
            .allowedMethods(
                Set.of(
                    HttpMethod.GET,
                    HttpMethod.HEAD,
                    HttpMethod.POST,
                    HttpMethod.PUT,
                    HttpMethod.PATCH,
                    HttpMethod.DELETE))
            // The JS client reads these: the session layer's mark, and which node answered.
            .exposedHeaders(Set.of(OutpostV1.Header.REALTIME, "X-Outpost-Node"))
            .maxAgeSeconds(PREFLIGHT_MAX_AGE_SECONDS);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE));
    if (origin == null && !upgrade && !anyOrigin && isCrossSiteSubresource(request)) {
      // A browser's no-cors request (<img>, <script>, a form GET) carries no Origin; Fetch
      // Metadata says where it comes from (the W3C resource isolation policy). Navigations pass.
      HttpReplies.text(
          ctx.response(),
          403,
          "a cross-site request without Origin (Sec-Fetch-Site: cross-site, Sec-Fetch-Mode: "
              + request.getHeader(SEC_FETCH_MODE)
              + ") may not reach an object; pages of other sites call the router with fetch"
              + " from an origin allowed with --allow-origin");
      return;
    }
    if (origin == null || isSameOrigin(origin, request)) {
      ctx.next();
      return;
    }
    boolean allowedOrigin = anyOrigin || allowed.contains(origin.toLowerCase(Locale.ROOT));
    if (upgrade) {
      if (allowedOrigin) {
        ctx.next(); // CORS headers mean nothing to a WebSocket handshake
        return;
      }
      // Cross-Site WebSocket Hijacking: a page of another site would connect with the user's
      // cookies. Browsers always send Origin on a WebSocket handshake (RFC 6455 4.1).
      HttpReplies.text(
          ctx.response(),
          403,
          "a WebSocket from origin "
              + origin
              + " may not connect to this router; allow it with --allow-origin "
              + origin
              + " (RouterOptions.allowedOrigins)");
      return;
    }
    if (allowedOrigin) {
      cors.handle(ctx);
      return;
    }
    HttpReplies.text(
        ctx.response(),
        403,
        "origin "
            + origin
            + " may not call this router across origins; allow it with --allow-origin "
            + origin
            + " (RouterOptions.allowedOrigins)");
  }

  private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";
  private static final String SEC_FETCH_MODE = "Sec-Fetch-Mode";

  /**
   * Whether a request without {@code Origin} is a browser's subresource request from another site
   * ({@code Sec-Fetch-Site: cross-site}) rather than a top-level navigation ({@code Sec-Fetch-Mode:
   * navigate}, GET or HEAD). Requests from non-browser clients carry no Fetch Metadata and pass.
   */
  private static boolean isCrossSiteSubresource(HttpServerRequest request) {
    if (!"cross-site".equalsIgnoreCase(request.getHeader(SEC_FETCH_SITE))) {
      return false;
    }
    boolean navigation =
        "navigate".equalsIgnoreCase(request.getHeader(SEC_FETCH_MODE))
            && (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD);
    return !navigation;
  }

  /**
   * Whether {@code origin} is the router's own as the request reached it: its {@code Host} (HTTP/1)
   * or {@code :authority} (HTTP/2), with the default port omitted as browsers do (RFC 6454 §6.2).
   */
  private static boolean isSameOrigin(String origin, HttpServerRequest request) {
    HostAndPort authority = request.authority();
    if (authority == null) {
      return false;
    }
    String scheme = request.isSSL() ? "https" : "http";
    int defaultPort = request.isSSL() ? 443 : 80;
    String own =
        scheme
            + "://"
            + authority.host()
            + (authority.port() < 0 || authority.port() == defaultPort
                ? ""
                : ":" + authority.port());
    return origin.equalsIgnoreCase(own);
  }
}
