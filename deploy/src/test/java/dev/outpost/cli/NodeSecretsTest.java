package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.node.OutpostNode;
import dev.outpost.runtime.ClusterOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a node's secrets come from, and the refusal to listen off loopback with the development
 * ones, through the command line as {@code main} runs it (nothing binds: the refusal comes first).
 */
class NodeSecretsTest {

  @TempDir Path dir;

  private static String[] runErr(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = OutpostCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new String[] {String.valueOf(status), err.toString().strip()};
  }

  @Test
  void aNodeOnEveryInterfaceWithTheDevelopmentSecretsIsRefusedNamingWhatToSet() {
    // Assumes the test JVM has neither OUTPOST_ADMIN_TOKEN nor OUTPOST_LINK_SECRET set.
    assertThat(System.getenv(NodeSecrets.ADMIN_TOKEN_ENV)).isNull();
    String[] refused = runErr("node", "--data-dir", dir.toString(), "--host", "0.0.0.0");
    assertThat(refused[0]).isEqualTo("1");
    assertThat(refused[1])
        .isEqualTo(
            "outpost node: --host 0.0.0.0 is reachable from other machines, but the admin token"
                + " and the link secret are the development defaults; set OUTPOST_ADMIN_TOKEN (or"
                + " --admin-token-file) and OUTPOST_LINK_SECRET (or --link-secret-file) to secrets"
                + " of your own (the same on every node), or bind --host 127.0.0.1");
  }

  @Test
  void anAdvertisedAddressOffLoopbackIsRefusedTooAndOnlyTheDefaultSecretIsNamed() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "s3cret-admin-token\n");
    String[] refused =
        runErr(
            "node",
            "--data-dir",
            dir.toString(),
            "--host",
            "0.0.0.0",
            "--advertise",
            "10.0.0.5",
            "--admin-token-file",
            token.toString());
    assertThat(refused[1])
        .isEqualTo(
            "outpost node: --host 0.0.0.0 is reachable from other machines, but the link secret is"
                + " the development default; set OUTPOST_LINK_SECRET (or --link-secret-file) to"
                + " secrets of your own (the same on every node), or bind --host 127.0.0.1");
  }

  @Test
  void secretsComeFromTheFileThenTheEnvironmentThenTheDefault() throws Exception {
    Path file = Files.writeString(dir.resolve("link"), "  from-file \n");
    Map<String, String> env = Map.of(NodeSecrets.LINK_SECRET_ENV, "from-env");
    assertThat(NodeSecrets.linkSecret(file, env)).isEqualTo("from-file");
    assertThat(NodeSecrets.linkSecret(null, env)).isEqualTo("from-env");
    assertThat(NodeSecrets.linkSecret(null, Map.of()))
        .isEqualTo(ClusterOptions.DEVELOPMENT_LINK_SECRET);
    assertThat(NodeSecrets.adminToken(null, Map.of(NodeSecrets.ADMIN_TOKEN_ENV, " ")))
        .isEqualTo(OutpostNode.DEVELOPMENT_ADMIN_TOKEN);
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> NodeSecrets.adminToken(empty, Map.of()))
        .isInstanceOf(CliException.class)
        .hasMessage("--admin-token-file " + empty + " is empty; put the secret in it");
    assertThatThrownBy(() -> NodeSecrets.adminToken(dir.resolve("missing"), Map.of()))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith(
            "--admin-token-file " + dir.resolve("missing") + ": cannot read it");
  }

  @Test
  void ownSecretsOrLoopbackPass() {
    // Own secrets on a routable address: no refusal.
    NodeSecrets.requireSecureBinding("0.0.0.0", "10.0.0.5", "admin-secret", "link-secret");
    // Development secrets on loopback (the demo, every test): no refusal.
    NodeSecrets.requireSecureBinding(
        "127.0.0.1",
        "127.0.0.1",
        OutpostNode.DEVELOPMENT_ADMIN_TOKEN,
        ClusterOptions.DEVELOPMENT_LINK_SECRET);
    NodeSecrets.requireSecureBinding(
        "localhost", "::1", OutpostNode.DEVELOPMENT_ADMIN_TOKEN, "link-secret");
    assertThatThrownBy(
            () ->
                NodeSecrets.requireSecureBinding(
                    "127.0.0.1",
                    "10.0.0.5",
                    "admin-secret",
                    ClusterOptions.DEVELOPMENT_LINK_SECRET))
        .isInstanceOf(CliException.class)
        .hasMessageStartingWith("--advertise 10.0.0.5 is reachable from other machines");
  }

  @Test
  void anUnknownLogFormatIsOneLineNamingTheTwo() {
    String[] bad = runErr("node", "--data-dir", dir.toString(), "--log-format", "xml");
    assertThat(bad[0]).isEqualTo("1");
    assertThat(bad[1])
        .isEqualTo("outpost node: --log-format xml is not a log format; use text or json");
    assertThat(LogFormat.choose(null, "JSON")).isEqualTo(LogFormat.JSON);
    assertThat(LogFormat.choose(null, null)).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void tlsNeedsAllThreeFiles() {
    String[] bad =
        runErr("node", "--data-dir", dir.toString(), "--tls-cert", dir.resolve("c.pem").toString());
    assertThat(bad[0]).isEqualTo("2");
    assertThat(bad[1])
        .isEqualTo(
            "outpost node: TLS needs all three of --tls-cert, --tls-key and --tls-trust; see"
                + " 'outpost node --help'");
  }
}
