package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.Admission;
import dev.outpost.api.ConnectGuard;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in {@code jwt} guard against tokens signed by {@code vertx-auth-jwt} itself: HS256,
 * RS256 and ES256 keys; the header and the query parameter; every refusal is 401 with the reason
 * and a Bearer challenge, and never echoes the token.
 */
class JwtGuardTest {

  private static final String SECRET = "a-test-secret-of-at-least-32-bytes-long!";
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static String hs256(String secret, JsonObject claims) {
    JWTAuth signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256"));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static Request bearer(String token) {
    return Request.builder("GET", "/objects/inbox/ana")
        .header("Authorization", "Bearer " + token)
        .build();
  }

  private static Response refused(Admission admission) {
    assertThat(admission).isInstanceOf(Admission.Refuse.class);
    Response response = ((Admission.Refuse) admission).response();
    assertThat(response.status()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate").orElseThrow())
        .startsWith("Bearer realm=\"outpost\"");
    return response;
  }

  @Test
  void aValidTokenIsAdmittedWithTheSubjectAndClaimsForTheObject() {
    JwtGuard guard = new JwtGuard(vertx, JwtOptions.hmac(SECRET).withIssuer("demo"));
    String token =
        hs256(SECRET, new JsonObject().put("sub", "ana").put("iss", "demo").put("role", "reader"));

    for (Request request :
        List.of(bearer(token), Request.get("/objects/inbox/ana?x=1&token=" + token))) {
      Admission admission = guard.check(request);
      assertThat(admission).isInstanceOf(Admission.Admit.class);
      Request passed = ((Admission.Admit) admission).request();
      assertThat(passed.header(ConnectGuard.SUBJECT_HEADER)).contains("ana");
      assertThat(
              new JsonObject(passed.header(ConnectGuard.CLAIMS_HEADER).orElseThrow())
                  .getString("role"))
          .isEqualTo("reader");
    }
  }

  @Test
  void missingExpiredBadlySignedAndMalformedTokensAreRefusedWithTheReason() {
    JwtGuard guard = new JwtGuard(vertx, JwtOptions.hmac(SECRET));
    long past = Instant.now().minusSeconds(600).getEpochSecond();

    Response missing = refused(guard.check(Request.get("/objects/inbox/ana")));
    assertThat(missing.bodyText()).contains("missing token").contains("?token=TOKEN");

    String expired = hs256(SECRET, new JsonObject().put("sub", "ana").put("exp", past));
    Response expiredAnswer = refused(guard.check(bearer(expired)));
    assertThat(expiredAnswer.bodyText())
        .isEqualTo("unauthorized: the token has expired; get a new one\n");
    assertThat(expiredAnswer.header("WWW-Authenticate").orElseThrow())
        .contains("error=\"invalid_token\"");

    String forged =
        hs256("another-secret-of-at-least-32-bytes-long", new JsonObject().put("sub", "ana"));
    Response badSignature = refused(guard.check(bearer(forged)));
    assertThat(badSignature.bodyText()).contains("bad signature");
    assertThat(badSignature.bodyText()).doesNotContain(forged);

    assertThat(refused(guard.check(bearer("not-a-jwt"))).bodyText()).contains("malformed");
    assertThat(
            refused(
                    guard.check(
                        Request.builder("GET", "/").header("Authorization", "Basic YTpi").build()))
                .bodyText())
        .contains("not a bearer token");
  }

  @Test
  void issuerAndAudienceAreChecked() {
    JwtGuard guard =
        new JwtGuard(
            vertx,
            JwtOptions.hmac(SECRET)
                .withIssuer("https://id.example.com")
                .withAudiences(List.of("outpost")));
    String wrongIssuer =
        hs256(
            SECRET,
            new JsonObject()
                .put("sub", "ana")
                .put("iss", "https://evil.example")
                .put("aud", "outpost"));
    assertThat(refused(guard.check(bearer(wrongIssuer))).bodyText()).contains("issuer");
    String wrongAudience =
        hs256(
            SECRET,
            new JsonObject()
                .put("sub", "ana")
                .put("iss", "https://id.example.com")
                .put("aud", "other"));
    assertThat(refused(guard.check(bearer(wrongAudience))).bodyText()).contains("audience");
    String right =
        hs256(
            SECRET,
            new JsonObject()
                .put("sub", "ana")
                .put("iss", "https://id.example.com")
                .put("aud", "outpost"));
    assertThat(guard.check(bearer(right))).isInstanceOf(Admission.Admit.class);
  }

  @Test
  void rs256AndEs256TokensAreCheckedWithPublicKeysInPem() throws Exception {
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair rsaKeys = rsa.generateKeyPair();
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ecKeys = ec.generateKeyPair();
    String rsaPublic = pem("PUBLIC KEY", rsaKeys.getPublic().getEncoded());
    String ecPublic = pem("PUBLIC KEY", ecKeys.getPublic().getEncoded());
    assertThat(JwtOptions.algorithmOf(rsaPublic)).isEqualTo("RS256");
    assertThat(JwtOptions.algorithmOf(ecPublic)).isEqualTo("ES256");

    JwtGuard guard = new JwtGuard(vertx, JwtOptions.publicKeys(List.of(rsaPublic, ecPublic)));
    for (String[] signer :
        new String[][] {
          {"RS256", pem("PRIVATE KEY", rsaKeys.getPrivate().getEncoded())},
          {"ES256", pem("PRIVATE KEY", ecKeys.getPrivate().getEncoded())}
        }) {
      JWTAuth auth =
          JWTAuth.create(
              vertx,
              new JWTAuthOptions()
                  .addPubSecKey(
                      new PubSecKeyOptions().setAlgorithm(signer[0]).setBuffer(signer[1])));
      String token =
          auth.generateToken(
              new JsonObject().put("sub", signer[0]), new JWTOptions().setAlgorithm(signer[0]));
      Admission admission = guard.check(bearer(token));
      assertThat(admission).as(signer[0]).isInstanceOf(Admission.Admit.class);
      assertThat(((Admission.Admit) admission).request().header(ConnectGuard.SUBJECT_HEADER))
          .contains(signer[0]);
    }
    assertThat(
            refused(guard.check(bearer(hs256(SECRET, new JsonObject().put("sub", "x")))))
                .bodyText())
        .contains("matches no key");
  }

  @Test
  void badConfigurationIsRefusedSayingWhatToDo() {
    assertThatThrownBy(() -> JwtOptions.hmac("short"))
        .hasMessageContaining("the HS256 secret is 5 bytes; use at least 32");
    assertThatThrownBy(() -> JwtOptions.publicKeys(List.of("ssh-rsa AAAA")))
        .hasMessageContaining("-----BEGIN PUBLIC KEY-----");
    assertThatThrownBy(() -> JwtOptions.publicKeys(List.of()))
        .hasMessageContaining("JWT checks need a key");
    assertThat(JwtOptions.hmac(SECRET).toString()).doesNotContain(SECRET);
  }
}
