package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.ListenerOptions;
import dev.outpost.router.RouterOptions;
import dev.outpost.router.TlsOptions;
import dev.outpost.runtime.ClusterOptions;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node links over TLS on a real cluster: two nodes sharing a certificate authority's trust forward
 * to each other over HTTPS/WSS links, clients reach them over HTTPS, and a third node of the same
 * Hazelcast cluster and link secret whose certificate the others do not trust cannot link. The
 * certificates are made by the JDK's keytool in a temporary directory (nothing private committed).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LinkTlsIT {

  private static final String SECRET = "link-tls-it-secret";
  private static final String CLUSTER = "link-tls-" + ProcessHandle.current().pid();

  @TempDir Path dir;
  private final List<OutpostNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    for (OutpostNode node : nodes.reversed()) {
      node.close();
    }
  }

  /** A key pair and self-signed certificate for 127.0.0.1, as PEM files; its PKCS#12 store. */
  private record Pki(Path cert, Path key, Path store) {}

  private Pki pki(String name) throws Exception {
    Path store = dir.resolve(name + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                name,
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    Certificate cert = keys.getCertificate(name);
    Path certFile = dir.resolve(name + ".crt.pem");
    Files.writeString(certFile, pem("CERTIFICATE", cert.getEncoded()));
    Path keyFile = dir.resolve(name + ".key.pem");
    Files.writeString(
        keyFile, pem("PRIVATE KEY", keys.getKey(name, "changeit".toCharArray()).getEncoded()));
    return new Pki(certFile, keyFile, store);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private OutpostNode start(String id, List<String> join, TlsOptions tls, int clusterPort) {
    int httpPort = ClusterTestNode.freePort();
    OutpostNode node =
        OutpostNode.builder()
            .dataDir(dir.resolve(id))
            .bundle(TestNode.samplesBundle())
            .routerOptions(RouterOptions.defaults().withPort(httpPort))
            .listener(ListenerOptions.defaults().withTls(tls))
            .cluster(
                ClusterOptions.of(id, "local", "127.0.0.1", httpPort, clusterPort, join)
                    .withClusterName(CLUSTER)
                    .withLinkSecret(SECRET))
            .adminToken("link-tls-it-admin")
            .start();
    nodes.add(node);
    return node;
  }

  private static HttpClient trusting(Pki pki) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(pki.store())) {
      trust.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(30)) // the first handshake builds the TLS context
        .build();
  }

  private static HttpResponse<String> send(HttpClient http, String method, String url)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void nodesThatTrustEachOtherLinkOverTlsAndAnUntrustedPeerCannot() throws Exception {
    Pki cluster = pki("cluster");
    Pki stranger = pki("stranger");
    TlsOptions trusted = new TlsOptions(cluster.cert(), cluster.key(), cluster.cert());
    int firstClusterPort = ClusterTestNode.freePort();
    OutpostNode a = start("a", List.of(), trusted, firstClusterPort);
    OutpostNode b =
        start("b", List.of("127.0.0.1:" + firstClusterPort), trusted, ClusterTestNode.freePort());
    assertThat(a.baseUrl()).startsWith("https://127.0.0.1:");
    HttpClient http = trusting(cluster);

    // Placed on b (its first caller), then reached through a: a forwards over its TLS link.
    assertThat(send(http, "POST", b.baseUrl() + "/objects/counter/tls").body()).isEqualTo("1");
    HttpResponse<String> forwarded = send(http, "POST", a.baseUrl() + "/objects/counter/tls");
    assertThat(forwarded.statusCode()).as("through a: %s", forwarded.body()).isEqualTo(200);
    assertThat(forwarded.body()).isEqualTo("2");
    assertThat(a.server().openLinks()).as("a's links").isEqualTo(1);

    // A client that does not trust the cluster's certificate gets no answer at all.
    assertThatThrownBy(() -> send(HttpClient.newHttpClient(), "GET", a.baseUrl() + "/"))
        .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);

    // A node trusting the cluster's certificate but presenting one the cluster does not trust:
    // it joins Hazelcast (same name; the member port must stay private, see the README), but its
    // link to b fails the TLS handshake, so it cannot reach b's object.
    OutpostNode c =
        start(
            "c",
            List.of("127.0.0.1:" + firstClusterPort),
            new TlsOptions(stranger.cert(), stranger.key(), cluster.cert()),
            ClusterTestNode.freePort());
    HttpResponse<String> refused =
        send(trusting(stranger), "POST", c.baseUrl() + "/objects/counter/tls");
    assertThat(refused.statusCode()).as("through c: %s", refused.body()).isEqualTo(503);
    assertThat(refused.body()).contains("refused this node's link");
    assertThat(c.server().openLinks()).as("c's links").isZero();
    assertThat(send(http, "GET", b.baseUrl() + "/objects/counter/tls").body())
        .as("c's attempt changed nothing")
        .isEqualTo("2");
  }
}
