package dev.outpost.router;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys and claim checks of the router's built-in {@code jwt} connect guard (RFC 7519 JSON Web
 * Tokens, checked with {@code vertx-auth-jwt}).
 *
 * <p>A token must be signed with one of the keys (HS256 with {@code hmacSecret}; RS256 or ES256
 * with one of {@code publicKeys}, the algorithm taken from the key), unexpired ({@code exp}, if
 * present), already valid ({@code nbf}, {@code iat}), both within {@code leeway}; from {@code
 * issuer} if one is set, and for one of {@code audiences} if any are set.
 *
 * @param hmacSecret the HS256 shared secret, at least 32 bytes of UTF-8 (RFC 7518 §3.2); empty for
 *     none
 * @param publicKeys RS256 (RSA) or ES256 (EC P-256) public keys as PEM ({@code -----BEGIN PUBLIC
 *     KEY-----}, X.509 SubjectPublicKeyInfo)
 * @param issuer the {@code iss} every token must carry, if set
 * @param audiences the {@code aud} values of which a token must carry one, if any
 * @param queryParameter the query parameter a token may come in when there is no {@code
 *     Authorization: Bearer} header (browsers cannot set headers on a WebSocket or EventSource);
 *     {@code token} by default. A token in a URL can end up in proxies' access logs and browser
 *     history: keep such tokens short-lived.
 * @param leeway clock skew allowed on {@code exp}, {@code nbf} and {@code iat}, in whole seconds
 */
public record JwtOptions(
    Optional<String> hmacSecret,
    List<String> publicKeys,
    Optional<String> issuer,
    List<String> audiences,
    String queryParameter,
    Duration leeway) {

  /** Shortest HS256 secret, in bytes: the hash size (RFC 7518 §3.2). */
  public static final int MIN_SECRET_BYTES = 32;

  private static final Pattern PARAMETER = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Checks the fields and parses every public key. */
  public JwtOptions {
    Objects.requireNonNull(hmacSecret, "hmacSecret");
    publicKeys = List.copyOf(publicKeys);
    Objects.requireNonNull(issuer, "issuer");
    audiences = List.copyOf(audiences);
    Objects.requireNonNull(queryParameter, "queryParameter");
    Objects.requireNonNull(leeway, "leeway");
    if (hmacSecret.isEmpty() && publicKeys.isEmpty()) {
      throw new IllegalArgumentException(
          "JWT checks need a key: an HS256 secret (OUTPOST_JWT_SECRET or --jwt-secret-file) or a"
              + " public key in PEM (--jwt-public-key FILE)");
    }
    if (hmacSecret.isPresent()
        && hmacSecret.get().getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the HS256 secret is "
              + hmacSecret.get().getBytes(StandardCharsets.UTF_8).length
              + " bytes; use at least "
              + MIN_SECRET_BYTES
              + " (RFC 7518 3.2), e.g. openssl rand -base64 48");
    }
    for (String pem : publicKeys) {
      algorithmOf(pem);
    }
    if (!PARAMETER.matcher(queryParameter).matches()) {
      throw new IllegalArgumentException(
          "the JWT query parameter is 1-64 of [A-Za-z0-9_.-], not '" + queryParameter + "'");
    }
    if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("the JWT leeway must be 0 to 10 min, was " + leeway);
    }
  }

  /** HS256 with {@code secret}; no issuer or audience check; {@code ?token=}; no leeway. */
  public static JwtOptions hmac(String secret) {
    return new JwtOptions(
        Optional.of(secret), List.of(), Optional.empty(), List.of(), "token", Duration.ZERO);
  }

  /** RS256/ES256 with these PEM public keys; no issuer or audience check; {@code ?token=}. */
  public static JwtOptions publicKeys(List<String> pems) {
    return new JwtOptions(
        Optional.empty(), pems, Optional.empty(), List.of(), "token", Duration.ZERO);
  }

  /** With an issuer every token must name. */
  public JwtOptions withIssuer(String value) {
    return new JwtOptions(
        hmacSecret, publicKeys, Optional.of(value), audiences, queryParameter, leeway);
  }

  /** With the audiences of which a token must name one. */
  public JwtOptions withAudiences(List<String> value) {
    return new JwtOptions(hmacSecret, publicKeys, issuer, value, queryParameter, leeway);
  }

  /** With another query parameter for tokens. */
  public JwtOptions withQueryParameter(String value) {
    return new JwtOptions(hmacSecret, publicKeys, issuer, audiences, value, leeway);
  }

  /** With another clock-skew allowance. */
  public JwtOptions withLeeway(Duration value) {
    return new JwtOptions(hmacSecret, publicKeys, issuer, audiences, queryParameter, value);
  }

  @Override
  public String toString() { // never the secret
    return "JwtOptions[hmacSecret="
        + (hmacSecret.isPresent() ? "(set)" : "(none)")
        + ", publicKeys="
        + publicKeys.size()
        + ", issuer="
        + issuer
        + ", audiences="
        + audiences
        + ", queryParameter="
        + queryParameter
        + ", leeway="
        + leeway
        + "]";
  }

  /**
   * The JWS algorithm a PEM public key verifies: {@code RS256} for RSA, {@code ES256} for EC.
   *
   * @throws IllegalArgumentException if it is not a PEM public key of either kind, saying what
   */
  public static String algorithmOf(String pem) {
    String body =
        pem.replace("-----BEGIN PUBLIC KEY-----", "")
            .replace("-----END PUBLIC KEY-----", "")
            .replaceAll("\\s", "");
    if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new IllegalArgumentException(
          "a JWT public key must be PEM starting with -----BEGIN PUBLIC KEY----- (X.509"
              + " SubjectPublicKeyInfo; openssl pkey -pubout writes it)");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a JWT public key's PEM body is not base64", e);
    }
    for (String[] kind : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(kind[0]).generatePublic(new X509EncodedKeySpec(der));
        return kind[1];
      } catch (java.security.GeneralSecurityException e) {
        // not this kind; try the next
      }
    }
    throw new IllegalArgumentException(
        "a JWT public key is neither RSA (RS256) nor EC (ES256); give one of those in PEM");
  }
}
