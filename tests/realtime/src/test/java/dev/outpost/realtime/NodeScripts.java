package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The Node.js scripts of {@code src/test/js} and their npm packages, for the ITs that run them (the
 * JS client, y-websocket, partysocket, the browser pages). One place decides where the scripts run
 * and runs them, so every IT installs the same way and reads a script's output the same way.
 */
final class NodeScripts {

  /** What a script printed (stdout and stderr, in order) and its exit code; -1 if it timed out. */
  record Result(int code, String output) {}

  private static Path installed; // the directory once found or installed, for the whole JVM

  private NodeScripts() {}

  /**
   * The scripts' directory with every package of {@code package.json} installed: the sources' own
   * when {@code npm ci} ran there (as {@code .ci/run} does), else a copy of the sources in {@code
   * target/js-test} installed from the same committed lockfile (a developer's first run).
   */
  static synchronized Path installed() throws IOException, InterruptedException {
    if (installed != null) {
      return installed;
    }
    Path source =
        Path.of(System.getProperty("outpost.realtime.js", "src/test/js")).toAbsolutePath();
    Path work = source;
    if (!hasEveryPackage(source)) {
      work = Path.of("target", "js-test").toAbsolutePath();
      copySources(source, work);
      if (!hasEveryPackage(work)) {
        Result install =
            run(
                work,
                Duration.ofSeconds(180),
                line -> null,
                "npm",
                "ci",
                "--no-audit",
                "--no-fund");
        assertThat(install.code()).as("npm ci in %s:\n%s", work, install.output()).isZero();
      }
    }
    installed = work;
    return work;
  }

  private static boolean hasEveryPackage(Path dir) throws IOException {
    JsonObject dependencies =
        new JsonObject(Files.readString(dir.resolve("package.json"))).getJsonObject("dependencies");
    return dependencies.fieldNames().stream()
        .allMatch(name -> Files.isDirectory(dir.resolve("node_modules").resolve(name)));
  }

  /** Copies the scripts, the package files and their subdirectories, never node_modules. */
  private static void copySources(Path source, Path work) throws IOException {
    try (Stream<Path> files = Files.walk(source)) {
      for (Path file :
          files.filter(f -> !source.relativize(f).startsWith("node_modules")).toList()) {
        Path target = work.resolve(source.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /**
   * Runs {@code command} in {@code dir} until it exits or {@code timeout} passes (then it is
   * killed). Each line it prints is handed to {@code replies} as it arrives, on a reader thread; a
   * non-null answer is written to the script's stdin as one line (how a script asks the test to
   * restart a node and waits for it).
   */
  static Result run(Path dir, Duration timeout, UnaryOperator<String> replies, String... command)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    StringBuilder output = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader lines =
                          new BufferedReader(
                              new InputStreamReader(
                                  process.getInputStream(), StandardCharsets.UTF_8));
                      OutputStream toScript = process.getOutputStream()) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                      synchronized (output) {
                        output.append(line).append('\n');
                      }
                      String reply = replies.apply(line);
                      if (reply != null) {
                        toScript.write((reply + "\n").getBytes(StandardCharsets.UTF_8));
                        toScript.flush();
                      }
                    }
                  } catch (IOException | UncheckedIOException e) {
                    synchronized (output) {
                      output
                          .append("(reading the script's output failed: ")
                          .append(e)
                          .append(")\n");
                    }
                  }
                });
    boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(Duration.ofSeconds(10));
    String log;
    synchronized (output) {
      log = output.toString();
    }
    return exited
        ? new Result(process.exitValue(), log)
        : new Result(
            -1, String.join(" ", List.of(command)) + " timed out after " + timeout + ":\n" + log);
  }
}
