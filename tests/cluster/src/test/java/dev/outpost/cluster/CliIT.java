package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ClusterTestNode;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code outpost} launcher and CLI as processes, as a user runs them: the errors that need a
 * socket or the launcher, each as its exact one line on stderr with no stack trace; help without
 * building; a node started with its two addresses. (Command-line errors, and which addresses a
 * wildcard {@code --host} binds, run in-process in {@code OutpostCliTest}.)
 */
class CliIT {

  private static final Duration RUN = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final Launcher launcher = new Launcher();

  @AfterEach
  void stop() throws InterruptedException {
    launcher.close();
  }

  @Test
  void anUnreachableRouterIsOneLineNamingIt() throws Exception {
    int port = ClusterTestNode.freePort(); // nothing listens there
    Launcher.Result rollback =
        launcher.run(RUN, true, "rollback", "--router", "http://127.0.0.1:" + port);
    assertThat(rollback.status()).as(rollback.err()).isEqualTo(1);
    assertThat(rollback.err())
        .isEqualTo(
            "outpost rollback: cannot reach the router at http://127.0.0.1:"
                + port
                + " (connection refused); start a node there or pass --router URL\n");

    // move's older flag name still works, and reaches the same error
    Launcher.Result move =
        launcher.run(
            RUN,
            true,
            "move",
            "--object",
            "counter/x",
            "--to-region",
            "us-east",
            "--via",
            "http://127.0.0.1:" + port);
    assertThat(move.err())
        .isEqualTo(
            "outpost move: cannot reach the router at http://127.0.0.1:"
                + port
                + " (connection refused); start a node there or pass --router URL\n");
  }

  @Test
  void aRouterWithoutSchemeIsOneLine() throws Exception {
    Launcher.Result deploy =
        launcher.run(RUN, true, "deploy", "bundle.jar", "--to", "127.0.0.1:8081");
    assertThat(deploy.status()).isEqualTo(2);
    assertThat(deploy.out()).isEmpty();
    assertThat(deploy.err())
        .isEqualTo(
            "outpost deploy: Invalid value for option '--to': '127.0.0.1:8081' has no scheme;"
                + " write http://127.0.0.1:8081; see 'outpost deploy --help'\n");
  }

  @Test
  void aPortInUseIsOneLineNamingTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Launcher.Result node =
          launcher.run(
              RUN,
              true,
              "node",
              "--http-port",
              Integer.toString(port),
              "--cluster-port",
              Integer.toString(ClusterTestNode.freePort()),
              "--data-dir",
              dir.resolve("n1").toString());
      assertThat(node.status()).isEqualTo(1);
      assertThat(node.err())
          .isEqualTo(
              "outpost node: HTTP port "
                  + port
                  + " on 127.0.0.1 is in use (another node?); stop what holds it or pass another"
                  + " --http-port\n");

      Launcher.Result cluster =
          launcher.run(
              RUN,
              true,
              "node",
              "--http-port",
              Integer.toString(ClusterTestNode.freePort()),
              "--cluster-port",
              Integer.toString(port),
              "--data-dir",
              dir.resolve("n1").toString());
      assertThat(cluster.err())
          .isEqualTo(
              "outpost node: cluster port "
                  + port
                  + " on 127.0.0.1 is in use (another node?); stop what holds it or pass another"
                  + " --cluster-port\n");
    }
  }

  @Test
  void helpListsTheLauncherCommandsAndNeverBuilds() throws Exception {
    Launcher.Result help = launcher.run(RUN, true, "--help");
    assertThat(help.status()).isZero();
    assertThat(help.out()).contains("  build ", "  test ", "  bench ", "  new ", "  help ");

    // Without OUTPOST_NO_BUILD: the launcher must answer without running Maven.
    for (String command : new String[] {"build", "test"}) {
      Launcher.Result commandHelp = launcher.run(RUN, false, command, "--help");
      assertThat(commandHelp.status()).as(commandHelp.err()).isZero();
      assertThat(commandHelp.out()).startsWith("Usage: outpost " + command);
      assertThat(commandHelp.err()).doesNotContain("building");
    }
    Launcher.Result helpBuild = launcher.run(RUN, true, "help", "build");
    assertThat(helpBuild.status()).isZero();
    assertThat(helpBuild.out()).startsWith("Usage: outpost build");
  }

  /**
   * A node started by the launcher, with its two addresses given: it starts quietly, says where it
   * serves, and answers. (Tests bind loopback only, so {@code --host 0.0.0.0} itself is not started
   * here: which address each side binds for a wildcard host is {@code NodeAddresses}' rule, tested
   * in {@code OutpostCliTest}.)
   */
  @Test
  void aNodeStartsQuietlyOnItsHostAndAdvertisedAddresses() throws Exception {
    int http = ClusterTestNode.freePort();
    int cluster = ClusterTestNode.freePort();
    Path log = dir.resolve("node.log");
    launcher.start(
        Duration.ofSeconds(90),
        line -> line.contains("serving"),
        log,
        "node",
        "--host",
        "127.0.0.1",
        "--advertise",
        "127.0.0.1",
        "--http-port",
        Integer.toString(http),
        "--cluster-port",
        Integer.toString(cluster),
        "--cluster-name",
        "cli-it-" + http,
        "--data-dir",
        dir.resolve("n1").toString());
    String output = Launcher.read(log);
    // the app's version label is bundle.version and a hash of the jar
    assertThat(output).containsPattern("serving samples 1-[0-9a-f]+ on http://127.0.0.1:" + http);
    assertThat(output)
        .as("a quiet start-up: no JVM warnings")
        .doesNotContain("sun.misc.Unsafe")
        .doesNotContainPattern("(?m)^WARNING: ");
    try (Socket member = new Socket()) {
      member.connect(new InetSocketAddress("127.0.0.1", cluster), 5_000);
    }
    assertThat(get("http://127.0.0.1:" + http + "/_outpost/routers").body())
        .contains("http://127.0.0.1:" + http);
    HttpResponse<String> increment =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/objects/counter/c"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(increment.body()).isEqualTo("1");
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
