package dev.outpost.bench.server;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Cloudflare's open-source runtime as the benchmark runs it: the npm package {@code workerd}
 * installed from the committed lockfile in {@code tests/benchmarks/workerd} ({@code npm ci} there),
 * and that directory's {@code config.capnp} serving {@code objects.js}, the samples' counter and
 * chat room written as Durable Objects with their storage on local disk (SQLite).
 *
 * <p>The directory is {@code -Doutpost.bench.workerd.dir}, else {@code workerd/} beside the
 * benchmark's {@code target/} (found from where this class was loaded). The binary is the platform
 * package's ({@code node_modules/@cloudflare/workerd-<os>-<arch>/bin/workerd}), run directly, not
 * through npm's Node.js shim, so that the process measured is the runtime itself.
 *
 * <p>Immutable; {@link #locate()} reads the disk, {@link #command} builds a command line.
 */
public final class WorkerdRuntime {

  /** System property naming the directory that holds package.json, config.capnp and objects.js. */
  public static final String DIR_PROPERTY = "outpost.bench.workerd.dir";

  private final Path directory;
  private final Path binary;
  private final String packageVersion;

  private WorkerdRuntime(Path directory, Path binary, String packageVersion) {
    this.directory = directory;
    this.binary = binary;
    this.packageVersion = packageVersion;
  }

  /**
   * Finds the directory and the installed binary.
   *
   * @throws IllegalStateException if the directory or the binary is missing, saying what to run
   */
  public static WorkerdRuntime locate() {
    Path dir = defaultDirectory();
    if (!Files.isRegularFile(dir.resolve("config.capnp"))) {
      throw new IllegalStateException(
          "cannot find workerd's benchmark files (config.capnp) in "
              + dir
              + "; set -D"
              + DIR_PROPERTY
              + "=/path/to/outpost/tests/benchmarks/workerd");
    }
    Path packageJson = dir.resolve("node_modules/workerd/package.json");
    Optional<Path> binary = platformBinary(dir);
    if (!Files.isRegularFile(packageJson) || binary.isEmpty()) {
      throw new IllegalStateException(
          "workerd is not installed in "
              + dir
              + ": run `npm ci` there (it installs the npm package workerd from the committed"
              + " lockfile; .ci/run does it)");
    }
    try {
      String version = new JsonObject(Files.readString(packageJson)).getString("version", "?");
      return new WorkerdRuntime(dir, binary.get(), version);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + packageJson, e);
    }
  }

  /** The directory of package.json, config.capnp and objects.js. */
  public Path directory() {
    return directory;
  }

  /** The runtime's executable. */
  public Path binary() {
    return binary;
  }

  /** The npm package's version, for example {@code 1.20261117.1}. */
  public String packageVersion() {
    return packageVersion;
  }

  /**
   * What {@code workerd --version} prints (its compatibility date, e.g. {@code workerd
   * 2026-11-17}).
   *
   * @throws IllegalStateException if it cannot run here (the exact error is quoted: the binary
   *     needs a recent glibc)
   */
  public String binaryVersion() {
    try {
      Process process =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String output;
      try (InputStream in = process.getInputStream()) {
        output = new String(in.readAllBytes()).trim();
      }
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(binary + " --version failed: " + output);
      }
      return output;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while asking workerd its version", e);
    }
  }

  /**
   * The command line serving the benchmark's objects on {@code 127.0.0.1:port}, with Durable Object
   * storage in {@code dataDir} (which must exist).
   */
  public List<String> command(int port, Path dataDir) {
    return List.of(
        binary.toString(),
        "serve",
        directory.resolve("config.capnp").toString(),
        "--socket-addr",
        "http=127.0.0.1:" + port,
        "--directory-path",
        "do-storage=" + dataDir.toAbsolutePath());
  }

  private static Path defaultDirectory() {
    String explicit = System.getProperty(DIR_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit).toAbsolutePath();
    }
    try {
      // target/benchmarks-*.jar or target/classes (or target/test-classes under Maven)
      Path loaded =
          Path.of(WorkerdRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return loaded.getParent().getParent().resolve("workerd");
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException(
          "cannot tell where the benchmark was loaded from; set -D" + DIR_PROPERTY, e);
    }
  }

  private static Optional<Path> platformBinary(Path dir) {
    String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
    String arch = System.getProperty("os.arch");
    String platform =
        (os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux")
            + "-"
            + (arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "64");
    Path bin =
        dir.resolve("node_modules/@cloudflare/workerd-" + platform + "/bin/workerd")
            .toAbsolutePath();
    return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
  }
}
