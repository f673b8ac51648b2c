package dev.outpost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line run in-process as {@code main} runs it: help, defaults, and each command-line
 * error as its exact one-line message (errors that need a socket or a process are in the cluster
 * tests' {@code CliIT}).
 */
class OutpostCliTest {

  @TempDir Path dir;

  /** What one run printed and returned. */
  record Run(int status, String out, String err) {
    /** The error output, which must be exactly one line. */
    String errorLine() {
      assertThat(err.lines()).as("stderr is one line: %s", err).hasSize(1);
      return err.strip();
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = OutpostCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(status, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommandTheLauncherHandlesToo() {
    for (Run help : new Run[] {run("--help"), run("help"), run()}) {
      assertThat(help.status()).isZero();
      assertThat(help.err()).isEmpty();
      for (String command :
          new String[] {
            "node",
            "demo",
            "dev",
            "new",
            "deploy",
            "rollback",
            "move",
            "build",
            "test",
            "bench",
            "help"
          }) {
        assertThat(help.out()).containsPattern("(?m)^  " + command + " ");
      }
    }
  }

  @Test
  void helpOfOneCommandShowsItsDefaults() {
    Run node = run("help", "node");
    assertThat(node.status()).isZero();
    assertThat(node.out())
        .contains("Usage: outpost node")
        .containsPattern("--http-port=<httpPort>\\s+Port for clients\\.\\s+Default: 8080")
        .containsPattern("--host=<host>[\\s\\S]*Default: 127\\.0\\.0\\.1")
        .contains("--advertise=ADDRESS")
        .contains("--[no-]ws-deflate")
        .containsPattern("--ws-deflate-threshold=<wsDeflateThreshold>[\\s\\S]*Default: 1024");
    assertThat(run("deploy", "--help").out())
        .containsPattern("--router=URL[\\s\\S]*Default: http://127\\.0\\.0\\.1:8081")
        .doesNotContain("--to=");
    assertThat(run("move", "--help").out()).contains("--router=URL").doesNotContain("--via");
  }

  @Test
  void helpOfTheLauncherCommandsDescribesThem() {
    Run build = run("help", "build");
    assertThat(build.status()).isZero();
    assertThat(build.out()).contains("mvn install -DskipTests").contains("-javadoc");
    assertThat(run("test", "--help").out()).contains("mvn -B verify");
    assertThat(run("help", "bench").out()).contains("docs/benchmarks.md");
  }

  @Test
  void launcherCommandsOnTheJvmSayToUseTheLauncher() {
    Run build = run("build");
    assertThat(build.status()).isEqualTo(1);
    assertThat(build.errorLine())
        .isEqualTo(
            "outpost build: runs in the launcher script, not on the JVM: use ./outpost build"
                + " instead");
  }

  @Test
  void aRouterWithoutSchemeIsRefusedUnderEitherName() {
    Run deploy = run("deploy", "my.jar", "--to", "127.0.0.1:8081");
    assertThat(deploy.status()).isEqualTo(2);
    assertThat(deploy.errorLine())
        .isEqualTo(
            "outpost deploy: Invalid value for option '--to': '127.0.0.1:8081' has no scheme;"
                + " write http://127.0.0.1:8081; see 'outpost deploy --help'");

    Run move =
        run("move", "--object", "counter/x", "--to-region", "us-east", "--router", "127.0.0.1:81");
    assertThat(move.status()).isEqualTo(2);
    assertThat(move.errorLine())
        .isEqualTo(
            "outpost move: Invalid value for option '--router': '127.0.0.1:81' has no scheme;"
                + " write http://127.0.0.1:81; see 'outpost move --help'");

    assertThat(run("rollback", "--router", "ftp://h:1").errorLine())
        .isEqualTo(
            "outpost rollback: Invalid value for option '--router': 'ftp://h:1' is not an http://"
                + " or https:// URL; write http://HOST:PORT; see 'outpost rollback --help'");
    assertThat(run("rollback", "--router", "http://h:1/x").errorLine())
        .isEqualTo(
            "outpost rollback: Invalid value for option '--router': 'http://h:1/x' should be a"
                + " router's address only; write http://HOST:PORT; see 'outpost rollback --help'");
  }

  @Test
  void badFlagsAreOneLineNamingTheHelp() {
    Path data = dir.resolve("data");
    assertThat(run("node", "--data-dir", data.toString(), "--bogus").errorLine())
        .isEqualTo("outpost node: Unknown option: '--bogus'; see 'outpost node --help'");
    assertThat(run("node", "--data-dir", data.toString(), "--http-port", "abc").errorLine())
        .isEqualTo(
            "outpost node: Invalid value for option '--http-port': 'abc' is not an int; see"
                + " 'outpost node --help'");
    assertThat(run("node").errorLine())
        .isEqualTo(
            "outpost node: Missing required option: '--data-dir=<dataDir>'; see 'outpost node"
                + " --help'");
    assertThat(run("nod").errorLine())
        .isEqualTo("outpost: Unmatched argument at index 0: 'nod'; see 'outpost --help'");
    assertThat(Files.exists(data)).isFalse();
  }

  @Test
  void badJwtSettingsAreOneLineSayingWhatToGiveAndNoNodeStarts() throws Exception {
    String data = dir.resolve("data").toString();
    assertThat(
            run("node", "--data-dir", data, "--jwt-issuer", "https://id.example.com").errorLine())
        .isEqualTo(
            "outpost node: the --jwt-* checks need a key: --jwt-secret-file FILE,"
                + " OUTPOST_JWT_SECRET, or --jwt-public-key FILE; see 'outpost node --help'");
    Path shortSecret = Files.writeString(dir.resolve("secret"), "too-short\n");
    assertThat(
            run("node", "--data-dir", data, "--jwt-secret-file", shortSecret.toString())
                .errorLine())
        .isEqualTo(
            "outpost node: --jwt-secret-file "
                + shortSecret
                + ": the HS256 secret is 9 bytes; use at least 32 (RFC 7518 3.2), e.g. openssl rand"
                + " -base64 48; see 'outpost node --help'");
    Path notPem = Files.writeString(dir.resolve("key.pub"), "ssh-ed25519 AAAA");
    assertThat(run("node", "--data-dir", data, "--jwt-public-key", notPem.toString()).errorLine())
        .startsWith("outpost node: --jwt-public-key: a JWT public key must be PEM starting with");
    assertThat(
            run(
                    "node",
                    "--data-dir",
                    data,
                    "--jwt-public-key",
                    dir.resolve("missing.pem").toString())
                .errorLine())
        .isEqualTo(
            "outpost node: --jwt-public-key "
                + dir.resolve("missing.pem")
                + " cannot be read (NoSuchFileException); see 'outpost node --help'");
    assertThat(run("node", "--data-dir", data, "--guard-timeout-ms", "0").errorLine())
        .startsWith("outpost node: --guard-timeout-ms: the guard timeout");
    assertThat(Files.exists(Path.of(data))).isFalse();
  }

  @Test
  void anAdvertisedAddressMustBeOneReachableAddress() {
    String data = dir.resolve("data").toString();
    Run wildcard = run("node", "--data-dir", data, "--advertise", "0.0.0.0");
    assertThat(wildcard.status()).isEqualTo(2);
    assertThat(wildcard.errorLine())
        .isEqualTo(
            "outpost node: --advertise 0.0.0.0 is every interface; give the one address other"
                + " nodes reach this node at; see 'outpost node --help'");
    assertThat(
            run("node", "--data-dir", data, "--host", "127.0.0.1", "--advertise", "127.0.0.2")
                .errorLine())
        .isEqualTo(
            "outpost node: --advertise 127.0.0.2 differs from --host 127.0.0.1, but other nodes"
                + " reach this node's HTTP port at the advertised address; use --host 0.0.0.0 or"
                + " the same address for both; see 'outpost node --help'");
  }

  @Test
  void aDnsJoinBesideOtherMembersIsOneLineSayingWhatToDrop() {
    Path data = dir.resolve("data");
    Run both = run("node", "--data-dir", data.toString(), "--join", "dns:members,10.0.0.5:5701");
    assertThat(both.status()).isEqualTo(2);
    assertThat(both.errorLine())
        .isEqualTo(
            "outpost node: join [dns:members, 10.0.0.5:5701]: a dns:NAME entry must be the only"
                + " one and name a host (for example dns:outpost-members.outpost.svc.cluster.local);"
                + " drop the HOST:PORT entries or the dns: entry; see 'outpost node --help'");
    assertThat(Files.exists(data)).isFalse();
  }

  @Test
  void theAdvertisedAddressDefaultsToHostOrLoopbackForEveryInterface() {
    assertThat(NodeAddresses.advertised(null, "127.0.0.1", null)).isEqualTo("127.0.0.1");
    assertThat(NodeAddresses.advertised(null, "0.0.0.0", null)).isEqualTo("127.0.0.1");
    assertThat(NodeAddresses.advertised(null, "::", null)).isEqualTo("127.0.0.1");
    assertThat(NodeAddresses.advertised(null, "0.0.0.0", "10.1.2.3")).isEqualTo("10.1.2.3");
  }

  @Test
  void aMissingBundleSaysHowToMakeOneAndVerbosePrintsTheStackTrace() {
    Path missing = dir.resolve("missing.jar");
    Run deploy = run("deploy", missing.toString());
    assertThat(deploy.status()).isEqualTo(1);
    assertThat(deploy.errorLine())
        .isEqualTo(
            "outpost deploy: "
                + missing
                + " is not a file; build your bundle first (mvn package makes target/NAME.jar)");

    Run verbose = run("deploy", missing.toString(), "--verbose");
    assertThat(verbose.err().lines().findFirst()).contains(deploy.errorLine());
    assertThat(verbose.err()).contains("CliException").contains("at dev.outpost.cli.");
  }

  @Test
  void devWithoutABuiltProjectSaysToBuildIt() {
    Path classes = dir.resolve("target/classes");
    assertThat(run("dev", "--watch", classes.toString()).errorLine())
        .isEqualTo(
            "outpost dev: --watch "
                + classes
                + ": no such directory or jar; build your project first (mvn package makes"
                + " target/classes and target/NAME.jar)");
  }

  @Test
  void newWritesACompleteProjectWithEveryPlaceholderFilled() throws Exception {
    Path project = dir.resolve("chat-room");
    Run created = run("new", "chat-room", "--dir", project.toString(), "--package", "org.acme");

    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.out())
        .startsWith("outpost new: created " + project)
        .contains("namespace 'chat-room' served by org.acme.ChatRoom")
        .contains(" dev --watch " + project.resolve("target/classes"));
    try (Stream<Path> files = Files.walk(project)) {
      assertThat(files.filter(Files::isRegularFile).map(f -> project.relativize(f).toString()))
          .containsExactlyInAnyOrder(
              "pom.xml",
              "README.md",
              ".gitignore",
              "src/main/resources/META-INF/outpost/bundle.properties",
              "src/main/java/org/acme/ChatRoom.java",
              "src/test/java/org/acme/ChatRoomTest.java");
    }
    try (Stream<Path> files = Files.walk(project)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(file)).as("%s", file).doesNotContain("{{");
      }
    }
    assertThat(project.resolve("src/main/resources/META-INF/outpost/bundle.properties"))
        .content()
        .contains("namespace.chat-room.class=org.acme.ChatRoom");
    assertThat(project.resolve("pom.xml"))
        .content()
        .contains("<artifactId>chat-room</artifactId>")
        .contains("<outpost.version>" + NewCommand.outpostVersion() + "</outpost.version>")
        .contains("<maven.compiler.release>21</maven.compiler.release>")
        .containsPattern(
            "durable-objects</artifactId>\\s*<version>[^<]+</version>\\s*<scope>provided");
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).as("no staging directory left").containsExactly(project);
    }
  }

  @Test
  void newRefusesBadNamesAndNeverTouchesAnExistingProject() throws Exception {
    assertThat(run("new", "Chat_Room").errorLine())
        .isEqualTo(
            "outpost new: NAME 'Chat_Room' is invalid: use 1-64 of [a-z0-9-] starting with a"
                + " letter, e.g. chat-room (it becomes the namespace in /objects/NAME/...); see"
                + " 'outpost new --help'");
    assertThat(run("new", "chat", "--package", "org.1acme").errorLine())
        .isEqualTo(
            "outpost new: --package 'org.1acme' is not a Java package name; use dot-separated"
                + " identifiers, e.g. com.example.chat; see 'outpost new --help'");

    Path existing = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(existing.resolve("notes.txt"), "keep me");
    Run refused = run("new", "chat", "--dir", existing.toString());
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.errorLine())
        .isEqualTo(
            "outpost new: "
                + existing
                + " exists and is not empty; choose another place with --dir (nothing written)");
    try (Stream<Path> files = Files.list(existing)) {
      assertThat(files).containsExactly(existing.resolve("notes.txt"));
    }
    assertThat(existing.resolve("notes.txt")).hasContent("keep me");
  }

  @Test
  void classNamesComeFromTheProjectName() {
    assertThat(NewCommand.className("greeter")).isEqualTo("Greeter");
    assertThat(NewCommand.className("chat-room")).isEqualTo("ChatRoom");
    assertThat(NewCommand.className("a1-b2")).isEqualTo("A1B2");
    // Names the generated sources import, or java.lang's, get a suffix instead of a clash.
    for (String name : List.of("request", "response", "env", "durable-object", "test")) {
      assertThat(NewCommand.className(name)).as(name).endsWith("Object").hasSizeGreaterThan(6);
    }
    assertThat(NewCommand.className("string")).isEqualTo("StringObject");
    assertThat(NewCommand.className("override")).isEqualTo("OverrideObject");
    assertThat(NewCommand.className("long")).isEqualTo("LongObject");
  }
}
