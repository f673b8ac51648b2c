package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of {@code deploy/} checked as far as a machine without a Docker engine or a cluster
 * allows (deploy/README.md, "What CI checks"): the image's jlink module list against {@code jdeps}
 * of the jars it ships, its JVM flags against the launcher's, the systemd unit with {@code
 * systemd-analyze verify}, and the Kubernetes manifests, the compose file and the Dockerfile's lint
 * by {@code deploy/check/check.mjs} under Node.
 */
class DeployFilesIT {

  private static final Path ROOT = Path.of(System.getProperty("outpost.root")).normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final Pattern MODULE_FLAG =
      Pattern.compile("--add-(?:opens|exports)[\\s\",]+([a-z.]+)/([a-z.]+)=ALL-UNNAMED");

  /**
   * The Dockerfile's {@code JDEPS_MODULES} are exactly what {@code jdeps --print-module-deps} finds
   * in the jars the image ships: the CLI, its runtime dependencies and the samples bundle.
   */
  @Test
  void theImagesJdepsModulesAreWhatJdepsFindsInItsJars() throws Exception {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            tool("jdeps"),
            "--print-module-deps",
            "--ignore-missing-deps",
            "--multi-release",
            Integer.toString(Runtime.version().feature())));
    command.addAll(shippedJars());
    Run jdeps = run(command, Duration.ofMinutes(5));
    assertThat(jdeps.exit()).as("jdeps: %s", jdeps.output()).isZero();
    String last = jdeps.output().strip().lines().reduce((a, b) -> b).orElse("");
    Set<String> found = modules(last);

    assertThat(modules(dockerArg("JDEPS_MODULES")))
        .as(
            "deploy/Dockerfile's ARG JDEPS_MODULES; jdeps of the shipped jars says %s (set the ARG"
                + " to that)",
            last)
        .isEqualTo(found);
  }

  /**
   * Every module the image's JVM flags open or export is in the linked runtime (its modules and
   * what they require), and every extra module names a module of this JDK.
   */
  @Test
  void theImagesJvmFlagsNameOnlyModulesOfItsRuntime() throws Exception {
    Set<String> roots = new TreeSet<>(modules(dockerArg("JDEPS_MODULES")));
    roots.addAll(modules(dockerArg("RUNTIME_MODULES")));
    Set<String> linked =
        Configuration.empty()
            .resolve(ModuleFinder.ofSystem(), ModuleFinder.of(), roots)
            .modules()
            .stream()
            .map(ResolvedModule::name)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> flagged = flagModules(Files.readString(DEPLOY.resolve("Dockerfile")));
    assertThat(flagged).as("modules the ENTRYPOINT's --add-opens/--add-exports name").isNotEmpty();
    assertThat(linked).as("the modules jlink links (with what they require)").containsAll(flagged);
  }

  /**
   * The image and the systemd unit pass the JVM the launcher's flags (./outpost's JVM_FLAGS, less
   * {@code --add-modules java.se}: a linked runtime has only its own modules), so the three ways to
   * run a node cannot drift apart.
   */
  @Test
  void theImageAndTheUnitUseTheLaunchersJvmFlags() throws IOException {
    String launcher = Files.readString(ROOT.resolve("outpost"));
    Matcher flags = Pattern.compile("(?s)JVM_FLAGS=\\((.*?)\\)").matcher(launcher);
    assertThat(flags.find()).as("JVM_FLAGS=( ... ) in ./outpost").isTrue();
    Set<String> expected = flagStrings(flags.group(1));
    assertThat(expected)
        .as("the launcher's flags")
        .contains("-Dhazelcast.phone.home.enabled=false");

    assertThat(flagStrings(Files.readString(DEPLOY.resolve("Dockerfile"))))
        .as("deploy/Dockerfile's ENTRYPOINT")
        .containsAll(expected);
    assertThat(flagStrings(Files.readString(DEPLOY.resolve("systemd/outpost.service"))))
        .as("deploy/systemd/outpost.service's ExecStart")
        .containsAll(expected);
  }

  /**
   * The image's HEALTHCHECK command, run as Docker runs it against a real node (its port in place
   * of the image's 8080): healthy while the node serves, unhealthy once it is gone.
   */
  @Test
  void theImagesHealthCheckTellsAServingNodeFromAStoppedOne(@TempDir Path dir) throws Exception {
    Matcher m =
        Pattern.compile("(?m)^HEALTHCHECK [^\\n]*\\\\\\n\\s*CMD (\\[.*\\])$")
            .matcher(Files.readString(DEPLOY.resolve("Dockerfile")));
    assertThat(m.find()).as("HEALTHCHECK ... \\ CMD [...] in deploy/Dockerfile").isTrue();
    List<String> command =
        new io.vertx.core.json.JsonArray(m.group(1))
            .stream().map(Object::toString).collect(Collectors.toCollection(ArrayList::new));
    String script = command.getLast();
    assertThat(script).as("the health check's script").contains("/127.0.0.1/8080");

    try (NodeProcess node = new NodeProcess("health-check", dir.resolve("data"))) {
      node.start("health-" + java.util.UUID.randomUUID(), List.of());
      command.set(
          command.size() - 1, script.replace("/127.0.0.1/8080", "/127.0.0.1/" + node.httpPort));
      Run serving = run(command, Duration.ofSeconds(30));
      assertThat(serving.exit())
          .as("health check of a serving node: %s", serving.output())
          .isZero();

      node.terminate(Duration.ofSeconds(60));
      Run stopped = run(command, Duration.ofSeconds(30));
      assertThat(stopped.exit())
          .as("health check of a stopped node: %s", stopped.output())
          .isNotZero();
    }
  }

  /** {@code systemd-analyze verify} finds nothing to say about the unit: no error, no warning. */
  @Test
  void theSystemdUnitVerifies() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    Assumptions.assumeTrue(
        Files.isExecutable(analyze),
        "systemd-analyze is not installed here (Debian: apt-get install systemd)");
    Run verify =
        run(
            List.of(
                analyze.toString(), "verify", DEPLOY.resolve("systemd/outpost.service").toString()),
            Duration.ofSeconds(60));
    boolean noJava = !Files.exists(Path.of("/usr/bin/java"));
    // The unit runs /usr/bin/java; on a machine without one, that is all verify may say.
    List<String> said =
        verify
            .output()
            .lines()
            .filter(line -> !(noJava && line.contains("Command /usr/bin/java is not executable")))
            .toList();
    assertThat(said).as("what systemd-analyze verify said about the unit").isEmpty();
    assertThat(verify.exit() == 0 || noJava)
        .as("systemd-analyze verify exit %d: %s", verify.exit(), verify.output())
        .isTrue();
  }

  /**
   * {@code deploy/check/check.mjs}: the Kubernetes manifests and the compose file against their
   * schemas, the Dockerfile through a linter; packages from deploy/check's lockfile.
   */
  @Test
  void theManifestsComposeFileAndDockerfilePassTheirChecks() throws Exception {
    Path check = DEPLOY.resolve("check");
    boolean installed =
        new io.vertx.core.json.JsonObject(Files.readString(check.resolve("package.json")))
            .getJsonObject("devDependencies").fieldNames().stream()
                .allMatch(name -> Files.isDirectory(check.resolve("node_modules").resolve(name)));
    if (!installed) { // .ci/run installs them; a developer's first run does it here
      Run install =
          run(check, List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
      assertThat(install.exit()).as("npm ci in %s: %s", check, install.output()).isZero();
    }
    Run result = run(check, List.of("node", "check.mjs"), Duration.ofMinutes(2));
    System.out.print(result.output());
    assertThat(result.exit()).as("node deploy/check/check.mjs:%n%s", result.output()).isZero();
    assertThat(result.output())
        .containsPattern("(?m)^\\d+ passed, 0 failed$")
        .contains("k8s/statefulset.yaml (no unknown fields")
        .contains("compose.yaml (compose-spec schema)")
        .contains("Dockerfile (dockerfile-utils lint)");
  }

  private static List<String> shippedJars() throws IOException {
    List<String> jars = new ArrayList<>();
    jars.add(ROOT.resolve("deploy/target/deploy-" + version() + ".jar").toString());
    try (Stream<Path> lib = Files.list(ROOT.resolve("deploy/target/lib"))) {
      lib.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> jars.add(p.toString()));
    }
    jars.add(System.getProperty("outpost.samples.bundle"));
    for (String jar : jars) {
      assertThat(Path.of(jar)).as("a jar the image ships (built by mvn package)").exists();
    }
    return jars;
  }

  private static String version() {
    String classpath = System.getProperty("outpost.deploy.classpath");
    Matcher m = Pattern.compile("deploy-([^/]+)\\.jar").matcher(classpath);
    assertThat(m.find()).as("the deploy jar in %s", classpath).isTrue();
    return m.group(1);
  }

  /** The value of {@code ARG name=...} in deploy/Dockerfile. */
  private static String dockerArg(String name) throws IOException {
    Matcher m =
        Pattern.compile("(?m)^ARG " + name + "=(\\S*)$")
            .matcher(Files.readString(DEPLOY.resolve("Dockerfile")));
    assertThat(m.find()).as("ARG %s=... in deploy/Dockerfile", name).isTrue();
    return m.group(1);
  }

  private static Set<String> modules(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> flagModules(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m = MODULE_FLAG.matcher(text);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /**
   * The JVM flags in {@code text} as single strings: {@code --add-opens X}, {@code --add-exports
   * X}, {@code --enable-native-access=X}, {@code -Dhazelcast...}; quotes, commas and backslashes of
   * the file's syntax dropped.
   */
  private static Set<String> flagStrings(String text) {
    Set<String> found = new TreeSet<>();
    Matcher m =
        Pattern.compile(
                "(--add-(?:opens|exports))[\\s\",]+([^\\s\",\\\\]+)"
                    + "|(--enable-native-access=[^\\s\",\\\\]+)"
                    + "|(-Dhazelcast[^\\s\",\\\\]+)")
            .matcher(text);
    while (m.find()) {
      found.add(
          m.group(1) != null ? m.group(1) + " " + m.group(2) : m.group(m.group(3) != null ? 3 : 4));
    }
    return found;
  }

  private static String tool(String name) {
    Path tool = Path.of(System.getProperty("java.home"), "bin", name);
    assertThat(tool).as("%s of the JDK running the tests", name).isExecutable();
    return tool.toString();
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> command, Duration timeout) throws Exception {
    return run(ROOT, command, timeout);
  }

  private static Run run(Path dir, List<String> command, Duration timeout) throws Exception {
    Path out = Files.createTempFile("deploy-check", ".out");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", command) + " ran past " + timeout);
      }
      return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
