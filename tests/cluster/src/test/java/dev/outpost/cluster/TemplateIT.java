package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.ClusterTestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write your own object", step by step: {@code outpost new greeter}, {@code mvn
 * package} (which runs the project's own ObjectHarness test), {@code outpost dev --watch
 * target/classes}, then {@code curl}; and {@code outpost dev --watch target/greeter.jar}. Maven
 * runs offline against a temporary local repository holding this build's API, test kit and their
 * Outpost dependencies (copied from the reactor, as {@code ./outpost build} would install them)
 * and, by symbolic links, every other group of the build's own local repository; the real
 * repository's {@code dev/outpost} is never read or written.
 */
class TemplateIT {

  private static final String VERSION = "0.1.0-SNAPSHOT";

  @TempDir Path dir;
  private final Launcher launcher = new Launcher();

  @AfterEach
  void stop() throws InterruptedException {
    launcher.close();
  }

  @Test
  void aNewProjectBuildsWithMavenAndANodeServesIt() throws Exception {
    Path project = dir.resolve("greeter");
    Launcher.Result created =
        launcher.run(Duration.ofSeconds(60), true, "new", "greeter", "--dir", project.toString());
    assertThat(created.status()).as(created.err()).isZero();
    assertThat(created.out()).contains("created " + project);

    Path repository = localRepository(dir.resolve("m2"));
    ProcessBuilder mvn =
        new ProcessBuilder("mvn", "-o", "-q", "-B", "package", "-Dmaven.repo.local=" + repository)
            .directory(project.toFile());
    if (Runtime.version().feature() >= 23) {
      mvn.environment().put("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow");
    }
    Launcher.Result build = launcher.exec(mvn, Duration.ofMinutes(5), true);
    assertThat(build.status()).as("mvn package:\n%s\n%s", build.out(), build.err()).isZero();
    assertThat(project.resolve("target/greeter.jar")).isRegularFile();
    assertThat(project.resolve("target/surefire-reports/TEST-com.example.greeter.GreeterTest.xml"))
        .as("the project's own test ran")
        .content()
        .contains("tests=\"4\"")
        .contains("failures=\"0\"")
        .contains("errors=\"0\"");

    int http = ClusterTestNode.freePort();
    launcher.start(
        Duration.ofSeconds(90),
        line -> line.contains("outpost dev: serving"),
        dir.resolve("dev.log"),
        "dev",
        "--watch",
        project.resolve("target/classes").toString(),
        "--http-port",
        Integer.toString(http),
        "--cluster-port",
        Integer.toString(ClusterTestNode.freePort()),
        "--data-dir",
        dir.resolve("data").toString());
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI lobby = URI.create("http://127.0.0.1:" + http + "/objects/greeter/lobby");
    HttpResponse<String> hello =
        client.send(
            HttpRequest.newBuilder(lobby)
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("ana"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
    assertThat(hello.body()).isEqualTo("Hello, ana! You are visitor 1.");
    HttpResponse<String> count =
        client.send(
            HttpRequest.newBuilder(lobby).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(count.body()).isEqualTo("1 visitors");

    // The jar serves as well: outpost dev --watch target/greeter.jar
    int jarHttp = ClusterTestNode.freePort();
    launcher.start(
        Duration.ofSeconds(90),
        line -> line.contains("outpost dev: serving"),
        dir.resolve("dev-jar.log"),
        "dev",
        "--watch",
        project.resolve("target/greeter.jar").toString(),
        "--http-port",
        Integer.toString(jarHttp),
        "--cluster-port",
        Integer.toString(ClusterTestNode.freePort()),
        "--data-dir",
        dir.resolve("data-jar").toString());
    HttpResponse<String> fromJar =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + jarHttp + "/objects/greeter/hall"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("ben"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(fromJar.body()).isEqualTo("Hello, ben! You are visitor 1.");
  }

  /**
   * A local repository at {@code root}: this build's Outpost artifacts copied in as {@code mvn
   * install} lays them out, every other group linked to the build's own repository.
   */
  private static Path localRepository(Path root) throws IOException {
    Path shared = Path.of(System.getProperty("outpost.m2.repository"));
    Files.createDirectories(root.resolve("dev"));
    try (Stream<Path> groups = Files.list(shared)) {
      for (Path group : groups.toList()) {
        if (!group.getFileName().toString().equals("dev")) {
          Files.createSymbolicLink(root.resolve(group.getFileName().toString()), group);
        }
      }
    }
    if (Files.isDirectory(shared.resolve("dev"))) {
      try (Stream<Path> groups = Files.list(shared.resolve("dev"))) {
        for (Path group : groups.toList()) {
          if (!group.getFileName().toString().equals("outpost")) {
            Files.createSymbolicLink(root.resolve("dev").resolve(group.getFileName()), group);
          }
        }
      }
    }
    Path outpost = Launcher.ROOT;
    install(root, "outpost-parent", outpost.resolve("pom.xml"), null);
    for (String[] module :
        List.of(
            new String[] {"durable-objects", "durable-objects"},
            new String[] {"runtime", "runtime"},
            new String[] {"client", "router/client"},
            new String[] {"router", "router"},
            new String[] {"testkit", "tests/testkit"})) {
      Path base = outpost.resolve(module[1]);
      install(root, module[0], base.resolve("pom.xml"), base.resolve("target"));
    }
    return root;
  }

  private static void install(Path repository, String artifact, Path pom, Path target)
      throws IOException {
    Path into =
        Files.createDirectories(repository.resolve("dev/outpost/" + artifact + "/" + VERSION));
    String prefix = artifact + "-" + VERSION;
    Files.copy(pom, into.resolve(prefix + ".pom"));
    if (target == null) {
      return;
    }
    for (String suffix : new String[] {".jar", "-sources.jar", "-javadoc.jar"}) {
      Path file = target.resolve(prefix + suffix);
      if (Files.exists(file)) {
        Files.copy(file, into.resolve(prefix + suffix));
      } else if (suffix.equals(".jar")) {
        throw new IllegalStateException(file + " missing: build the reactor first");
      }
    }
  }
}
