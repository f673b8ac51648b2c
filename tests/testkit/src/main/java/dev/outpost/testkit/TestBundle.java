package dev.outpost.testkit;

import dev.outpost.api.DurableObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a code bundle at test time: Java sources compiled with {@code javax.tools} against the
 * {@code durable-objects} API only, into a classes directory that also holds {@code
 * META-INF/outpost/bundle.properties}. The result loads through {@code ObjectHost.Builder.bundle}
 * like any user's bundle, so tests can run objects (a failing one, say) that the samples do not
 * have, without a build step of their own.
 *
 * <p>Not thread-safe; build one bundle per builder, on the test thread.
 */
public final class TestBundle {

  private final String name;
  private final Map<String, String> sources = new LinkedHashMap<>(); // class name -> source
  private final Map<String, String> namespaces = new LinkedHashMap<>(); // namespace -> class name

  private TestBundle(String name) {
    this.name = name;
  }

  /** Starts a bundle called {@code name}. */
  public static TestBundle named(String name) {
    return new TestBundle(Objects.requireNonNull(name, "name"));
  }

  /** Adds the source of class {@code className} (fully qualified). */
  public TestBundle source(String className, String source) {
    sources.put(Objects.requireNonNull(className, "className"), Objects.requireNonNull(source));
    return this;
  }

  /** Serves {@code namespace} with {@code className}, which must be among the sources. */
  public TestBundle namespace(String namespace, String className) {
    namespaces.put(Objects.requireNonNull(namespace), Objects.requireNonNull(className));
    return this;
  }

  /**
   * Compiles the sources into {@code dir} (created if needed) and writes the manifest.
   *
   * @return {@code dir}, ready for {@code TestNode.builder(...).bundle(dir)}
   * @throws IllegalStateException with the compiler's output if compilation fails, or if no system
   *     Java compiler is present (a JRE instead of a JDK)
   */
  public Path compileTo(Path dir) {
    if (namespaces.isEmpty()) {
      throw new IllegalStateException("bundle " + name + " declares no namespace");
    }
    for (String className : namespaces.values()) {
      if (!sources.containsKey(className)) {
        throw new IllegalStateException("class " + className + " has no source in bundle " + name);
      }
    }
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    if (compiler == null) {
      throw new IllegalStateException("no system Java compiler: run the tests on a JDK, not a JRE");
    }
    try {
      Path sourceDir = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-src"));
      Path classesDir = Files.createDirectories(dir);
      List<String> args = new ArrayList<>();
      args.addAll(
          List.of(
              "-d",
              classesDir.toString(),
              "-classpath",
              apiLocation().toString(),
              "-encoding",
              "UTF-8",
              "-proc:none",
              "-Xlint:all",
              "-Werror"));
      for (Map.Entry<String, String> source : sources.entrySet()) {
        Path file = sourceDir.resolve(source.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source.getValue(), StandardCharsets.UTF_8);
        args.add(file.toString());
      }
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      int status = compiler.run(null, output, output, args.toArray(String[]::new));
      if (status != 0) {
        throw new IllegalStateException(
            "bundle " + name + " does not compile:\n" + output.toString(StandardCharsets.UTF_8));
      }
      StringBuilder manifest = new StringBuilder();
      manifest.append("bundle.name=").append(name).append('\n');
      manifest.append("bundle.version=test\n");
      namespaces.forEach(
          (ns, className) ->
              manifest
                  .append("namespace.")
                  .append(ns)
                  .append(".class=")
                  .append(className)
                  .append('\n'));
      Path manifestFile = classesDir.resolve("META-INF/outpost/bundle.properties");
      Files.createDirectories(manifestFile.getParent());
      Files.writeString(manifestFile, manifest, StandardCharsets.UTF_8);
      return classesDir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write bundle " + name + " to " + dir, e);
    }
  }

  /** The jar or directory holding {@code dev.outpost.api}, the only class path bundles get. */
  private static Path apiLocation() {
    try {
      return Path.of(
          DurableObject.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the durable-objects API", e);
    }
  }

  /** Packs a compiled classes directory into a jar at {@code jar}, as a user would ship it. */
  public static Path jar(Path classesDir, Path jar) {
    try (var out = new java.util.jar.JarOutputStream(java.nio.file.Files.newOutputStream(jar));
        var files = java.nio.file.Files.walk(classesDir)) {
      for (Path file : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(
            new java.util.jar.JarEntry(classesDir.relativize(file).toString().replace('\\', '/')));
        out.write(java.nio.file.Files.readAllBytes(file));
        out.closeEntry();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write " + jar, e);
    }
    return jar;
  }
}
