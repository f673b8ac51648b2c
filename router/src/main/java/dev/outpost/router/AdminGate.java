package dev.outpost.router;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The one door of every admin call ({@code /_outpost/admin/*}), in this order:
 *
 * <ol>
 *   <li><b>rate limit</b> per client address ({@link AdminRateLimiter}): 429 with {@code
 *       Retry-After} (seconds) past it, before the token is even looked at, so guessing tokens is
 *       as slow as anything else;
 *   <li><b>bearer token</b> (RFC 6750): no {@code Authorization: Bearer ...} → 401 with {@code
 *       WWW-Authenticate: Bearer realm="outpost-admin"}; a wrong token → 403. Tokens are compared
 *       in constant time (SHA-256 digests compared with {@link MessageDigest#isEqual}, so neither
 *       the content nor the length leaks through timing);
 *   <li><b>audit</b>: when the response ends, one line on the logger {@value #AUDIT_LOGGER} (INFO):
 *       client address, the node that forwarded the call if one did, method, path with query,
 *       status, and whether the token was absent, wrong or accepted. Never the token.
 * </ol>
 *
 * <p>Calls that pass go on to the next handler. Runs on the request's event loop; thread-safe.
 */
final class AdminGate implements Handler<RoutingContext> {

  /** The logger audit lines go to; route it to its own file if wanted. */
  static final String AUDIT_LOGGER = "dev.outpost.admin.audit";

  /** Set by a node that forwards an admin call to the object's owner: its node id. */
  static final String FORWARDED_BY = "X-Outpost-Admin-Forwarded-By";

  private static final System.Logger AUDIT = System.getLogger(AUDIT_LOGGER);
  private static final String REALM = "Bearer realm=\"outpost-admin\"";

  private final byte[] tokenDigest;
  private final AdminRateLimiter limiter;

  AdminGate(String adminToken, AdminRateLimiter limiter) {
    this.tokenDigest = digest(Objects.requireNonNull(adminToken, "adminToken"));
    this.limiter = Objects.requireNonNull(limiter, "limiter");
  }

  @Override
  public void handle(RoutingContext ctx) {
    String client = clientAddress(ctx);
    String[] outcome = {"token absent"};
    ctx.addEndHandler(done -> audit(ctx, client, outcome[0]));
    Optional<Duration> wait = limiter.acquire(client);
    if (wait.isPresent()) {
      outcome[0] = "rate limited";
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait.get().toSeconds()));
      HttpReplies.text(
          ctx.response(),
          429,
          "too many admin calls from "
              + client
              + "; retry in "
              + wait.get().toSeconds()
              + " s (outpost.admin.rate-per-second)");
      return;
    }
    String auth = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() == 7) {
      ctx.response().putHeader("WWW-Authenticate", REALM);
      HttpReplies.text(
          ctx.response(),
          401,
          "admin calls need Authorization: Bearer <token>, the node's OUTPOST_ADMIN_TOKEN (the"
              + " outpost CLI: --token or $OUTPOST_ADMIN_TOKEN)");
      return;
    }
    if (!MessageDigest.isEqual(tokenDigest, digest(auth.substring(7).strip()))) {
      outcome[0] = "token wrong";
      HttpReplies.text(
          ctx.response(),
          403,
          "the admin token is wrong for this node; send the node's OUTPOST_ADMIN_TOKEN (the outpost"
              + " CLI: --token or $OUTPOST_ADMIN_TOKEN)");
      return;
    }
    outcome[0] = "token ok";
    ctx.next();
  }

  private static String clientAddress(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    return remote == null ? "unknown" : remote.hostAddress();
  }

  private static void audit(RoutingContext ctx, String client, String outcome) {
    String forwardedBy = ctx.request().getHeader(FORWARDED_BY);
    AUDIT.log(
        Level.INFO,
        "admin call from "
            + client
            + (forwardedBy == null ? "" : " (forwarded by node " + sanitize(forwardedBy) + ")")
            + ": "
            + ctx.request().method()
            + " "
            + sanitize(ctx.request().uri())
            + " -> "
            + ctx.response().getStatusCode()
            + " ("
            + outcome
            + ")");
  }

  /** Keeps a client-supplied string to one printable line of at most 300 characters. */
  private static String sanitize(String text) {
    String line = text.replaceAll("[\\p{Cntrl}]", "?");
    return line.length() <= 300 ? line : line.substring(0, 300) + "...";
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
