package dev.outpost.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/**
 * Signs the JWTs tests present to a node's JWT connect guard, as an identity provider would: HS256
 * (RFC 7518 §3.2) with a shared secret, signed by vertx-auth-jwt, the library the guard verifies
 * with.
 */
public final class TestTokens {

  private TestTokens() {}

  /**
   * A token for {@code subject} that expires in 5 minutes.
   *
   * @param secret the node's HMAC secret ({@code JwtOptions.hmac}); at least 32 bytes
   */
  public static String hs256(Vertx vertx, String secret, String subject) {
    return hs256(vertx, secret, new JsonObject().put("sub", subject), 5);
  }

  /**
   * A token carrying {@code claims} as they are ({@code sub}, {@code iss}, {@code exp} in epoch
   * seconds...).
   *
   * @param expiresInMinutes added as {@code exp} unless 0 (then {@code claims} decide)
   */
  public static String hs256(Vertx vertx, String secret, JsonObject claims, int expiresInMinutes) {
    JWTOptions options = new JWTOptions().setAlgorithm("HS256");
    if (expiresInMinutes != 0) {
      options.setExpiresInMinutes(expiresInMinutes);
    }
    return JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)))
        .generateToken(claims, options);
  }
}
