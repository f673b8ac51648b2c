package dev.outpost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import javax.lang.model.SourceVersion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost new NAME}: a Maven project for a code bundle, from the template in {@code
 * outpost/template/} (listed by its {@code files.txt}): a pom with the API as a {@code provided}
 * dependency and the test kit at test scope, the manifest, one object serving the namespace NAME,
 * its {@code ObjectHarness} test and a README. The project is written to a temporary directory
 * beside the target and moved into place at the end, so a failure leaves nothing half made; an
 * existing non-empty directory is never touched.
 */
@Command(
    name = "new",
    mixinStandardHelpOptions = true,
    description = {
      "Create a Maven project for your own objects (a code bundle).",
      "One object serving the namespace NAME, its test (with the test kit's ObjectHarness), the"
          + " manifest and a README.",
      "Build it with 'mvn package' (JDK 21+), serve it with 'outpost dev --watch"
          + " NAME/target/classes'."
    })
final class NewCommand implements Callable<Integer> {

  /** A project name: also the namespace ({@code /objects/NAME/...}) and the artifactId. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private static final String TEMPLATE = "/outpost/template/";

  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description =
          "Project and namespace name: 1-64 of [a-z0-9-], starting with a letter (e.g. chat-room).")
  String name;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to create the project; must not exist or be empty. Default: ./NAME.")
  Path dir;

  @Option(
      names = "--package",
      paramLabel = "PACKAGE",
      description =
          "Java package of the object (and the Maven groupId). Default: com.example.NAME.")
  String javaPackage;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "NAME '"
              + name
              + "' is invalid: use 1-64 of [a-z0-9-] starting with a letter, e.g. chat-room (it"
              + " becomes the namespace in /objects/NAME/...)");
    }
    String pkg = javaPackage != null ? javaPackage : "com.example." + name.replace("-", "");
    if (!SourceVersion.isName(pkg)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--package '"
              + pkg
              + "' is not a Java package name; use dot-separated identifiers, e.g."
              + " com.example.chat");
    }
    Path target = (dir != null ? dir : Path.of(name)).toAbsolutePath().normalize();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new CliException(
          target + " exists and is not empty; choose another place with --dir (nothing written)");
    }
    Map<String, String> values = new LinkedHashMap<>();
    values.put("name", name);
    values.put("package", pkg);
    values.put("packagePath", pkg.replace('.', '/'));
    values.put("class", className(name));
    values.put("outpostVersion", outpostVersion());
    write(target, values);
    PrintStreamish out = new PrintStreamish(spec.commandLine().getOut());
    String launcher = System.getProperty("outpost.home");
    out.line("outpost new: created " + target);
    out.line(
        "  namespace '"
            + name
            + "' served by "
            + pkg
            + "."
            + values.get("class")
            + " (see its README.md)");
    out.line("next:");
    out.line("  cd " + target);
    out.line("  JAVA_HOME=" + System.getProperty("java.home") + " mvn package");
    out.line(
        "  "
            + (launcher != null ? Path.of(launcher, "outpost").toString() : "outpost")
            + " dev --watch "
            + target.resolve("target/classes"));
    out.line("  curl -X POST -d ana http://127.0.0.1:8080/objects/" + name + "/lobby");
    Path api = apiInLocalRepository(values.get("outpostVersion"));
    if (!Files.isRegularFile(api)) {
      out.line(
          "note: the Outpost API is not in your local Maven repository ("
              + api
              + "); run ./outpost build first");
    }
    return 0;
  }

  /**
   * Simple names the generated sources use: a class of the same name would not compile (an import
   * clashes) or would shadow them.
   */
  private static final java.util.Set<String> TAKEN =
      java.util.Set.of(
          "DurableObject",
          "DurableObjectState",
          "Env",
          "Request",
          "Response",
          "ObjectHarness",
          "ObjectUnderTest",
          "AfterEach",
          "Test",
          "Assertions");

  /**
   * {@code chat-room} → {@code ChatRoom}; {@code ...Object} appended where that would not be a
   * class name of its own ({@code request} → {@code RequestObject}, {@code string} → {@code
   * StringObject}: no clash with an import or a {@code java.lang} class).
   */
  static String className(String name) {
    StringBuilder out = new StringBuilder();
    for (String part : name.split("-")) {
      if (!part.isEmpty()) {
        out.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
      }
    }
    String result = out.toString();
    return SourceVersion.isName(result) && !TAKEN.contains(result) && !isJavaLang(result)
        ? result
        : result + "Object";
  }

  private static boolean isJavaLang(String simpleName) {
    try {
      Class.forName("java.lang." + simpleName, false, NewCommand.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The version of the API this CLI was built with (the projects' dependency). */
  static String outpostVersion() {
    try (InputStream in = NewCommand.class.getResourceAsStream("/outpost/version.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("outpost.version");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("outpost/version.properties missing from the CLI jar", e);
    }
  }

  private static Path apiInLocalRepository(String version) {
    String repository = System.getProperty("maven.repo.local");
    Path root =
        repository != null
            ? Path.of(repository)
            : Path.of(System.getProperty("user.home"), ".m2", "repository");
    return root.resolve(
        "dev/outpost/durable-objects/" + version + "/durable-objects-" + version + ".jar");
  }

  private static boolean isEmptyDirectory(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (var entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Renders every template file into a temporary sibling of {@code target}, then moves it in. */
  private static void write(Path target, Map<String, String> values) throws IOException {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + "-new-");
    try {
      for (String[] entry : files()) {
        Path file = staging.resolve(render(entry[1], values));
        Files.createDirectories(file.getParent());
        Files.writeString(file, render(template(entry[0]), values), StandardCharsets.UTF_8);
      }
      if (Files.isDirectory(target)) {
        Files.delete(target); // empty, checked above
      }
      Files.move(staging, target);
    } catch (FileAlreadyExistsException e) {
      throw new CliException(target + " appeared meanwhile; nothing written, try again", e);
    } finally {
      deleteTree(staging);
    }
  }

  private static List<String[]> files() {
    List<String[]> files = new ArrayList<>();
    for (String line : template("files.txt").split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("->");
      files.add(new String[] {parts[0].strip(), parts[1].strip()});
    }
    return files;
  }

  private static String template(String file) {
    try (InputStream in = NewCommand.class.getResourceAsStream(TEMPLATE + file)) {
      if (in == null) {
        throw new IllegalStateException("template file " + file + " missing from the CLI jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String render(String text, Map<String, String> values) {
    String out = text;
    for (var value : values.entrySet()) {
      out = out.replace("{{" + value.getKey() + "}}", value.getValue());
    }
    return out;
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** Lines to the command's output writer, flushed. */
  private record PrintStreamish(java.io.PrintWriter out) {
    void line(String text) {
      out.println(text);
      out.flush();
    }
  }
}
