package dev.outpost.router;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.Lobby;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The built-in {@code jwt} connect guard: admits a request carrying a valid JSON Web Token and
 * tells the object who it is ({@link ConnectGuard#SUBJECT_HEADER}, {@link
 * ConnectGuard#CLAIMS_HEADER}); refuses anything else with 401, a {@code WWW-Authenticate: Bearer}
 * challenge (RFC 6750 §3) and a body saying why (missing, expired, bad signature, wrong issuer or
 * audience, malformed). The token is read from {@code Authorization: Bearer} or else the {@link
 * JwtOptions#queryParameter()}; it is never logged nor echoed. Verification is {@code
 * vertx-auth-jwt}'s (signature with the configured keys, {@code exp}/{@code nbf}/{@code iat} with
 * the leeway, {@code iss}, {@code aud}).
 *
 * <p>Thread-safe; {@link #check} does not block (the library verifies synchronously) and may be
 * called on any thread.
 */
final class JwtGuard implements ConnectGuard {

  private final JWTAuth auth;
  private final String queryParameter;

  JwtGuard(Vertx vertx, JwtOptions options) {
    JWTOptions checks = new JWTOptions().setLeeway((int) options.leeway().toSeconds());
    options.issuer().ifPresent(checks::setIssuer);
    if (!options.audiences().isEmpty()) {
      checks.setAudience(options.audiences());
    }
    JWTAuthOptions config = new JWTAuthOptions().setJWTOptions(checks);
    options
        .hmacSecret()
        .ifPresent(
            secret ->
                config.addPubSecKey(
                    new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    for (String pem : options.publicKeys()) {
      config.addPubSecKey(
          new PubSecKeyOptions().setAlgorithm(JwtOptions.algorithmOf(pem)).setBuffer(pem));
    }
    this.auth = JWTAuth.create(vertx, config);
    this.queryParameter = options.queryParameter();
  }

  @Override
  public Admission onBeforeConnect(Request request, Lobby lobby) {
    return check(request);
  }

  @Override
  public Admission onBeforeRequest(Request request, Lobby lobby) {
    return check(request);
  }

  /** Admits {@code request} with the identity headers added, or refuses it with 401. */
  Admission check(Request request) {
    Optional<String> authorization = request.header("Authorization");
    String token;
    if (authorization.isPresent()) {
      String value = authorization.get().strip();
      if (!value.regionMatches(true, 0, "Bearer ", 0, 7) || value.substring(7).isBlank()) {
        return refuse(
            "invalid_request",
            "the Authorization header is not a bearer token; send Authorization: Bearer TOKEN");
      }
      token = value.substring(7).strip();
    } else {
      Optional<String> fromQuery = request.queryParam(queryParameter);
      if (fromQuery.isEmpty() || fromQuery.get().isBlank()) {
        return refuse(
            null,
            "missing token: send Authorization: Bearer TOKEN, or ?"
                + queryParameter
                + "=TOKEN where headers cannot be set (browser WebSockets and EventSource)");
      }
      token = fromQuery.get();
    }
    User user;
    try {
      user =
          auth.authenticate(new TokenCredentials(token))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
    } catch (ExecutionException e) {
      return refuse("invalid_token", reason(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return refuse("invalid_token", "the token check was interrupted; retry");
    }
    JsonObject claims = user.principal();
    return Admission.admit(
        request
            .withHeader(SUBJECT_HEADER, claims.getString("sub", ""))
            .withHeader(CLAIMS_HEADER, claims.encode()));
  }

  /** Why the library refused a token, in words a client can act on; never the token. */
  static String reason(Throwable error) {
    String message = String.valueOf(error.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("expired")) {
      return "the token has expired; get a new one";
    }
    if (lower.contains("signature verification failed")) {
      return "bad signature: the token is not signed with a key this node trusts";
    }
    if (lower.contains("issuer")) {
      return "the token's issuer (iss) is not the one this node trusts";
    }
    if (lower.contains("audience")) {
      return "the token is not meant for this audience (aud)";
    }
    if (lower.contains("algorithm")
        || lower.contains("no key")
        || lower.contains("unsupported")
        || lower.contains("not allowed")) {
      return "the token's algorithm or key id matches no key this node has (" + message + ")";
    }
    if (lower.contains("format") || lower.contains("segments") || lower.contains("illegal")) {
      return "the token is malformed: a JWT is three base64url parts joined by dots";
    }
    return "invalid token ("
        + (message.length() > 200 ? message.substring(0, 200) + "..." : message)
        + ")";
  }

  private static Admission refuse(String error, String reason) {
    String challenge =
        "Bearer realm=\"outpost\""
            + (error == null
                ? ""
                : ", error=\""
                    + error
                    + "\", error_description=\""
                    + reason.replace('"', '\'')
                    + "\"");
    return Admission.refuse(
        Response.builder(401)
            .header("WWW-Authenticate", challenge)
            .header("Content-Type", "text/plain; charset=utf-8")
            .body("unauthorized: " + reason + "\n")
            .build());
  }
}
