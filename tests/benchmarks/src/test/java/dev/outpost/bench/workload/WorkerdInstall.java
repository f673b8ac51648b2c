package dev.outpost.bench.workload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.bench.server.WorkerdRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Installs workerd for the smoke tests as {@code .ci/run} does: {@code npm ci} in {@code
 * tests/benchmarks/workerd} (from the committed lockfile), when a developer's checkout has not run
 * it yet. A missing workerd is a failure, never a skip.
 */
final class WorkerdInstall {

  private static boolean done; // for the whole test JVM

  private WorkerdInstall() {}

  static synchronized void ensure() throws IOException, InterruptedException {
    if (done) {
      return;
    }
    Path dir = Path.of(System.getProperty(WorkerdRuntime.DIR_PROPERTY, "workerd")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("node_modules/workerd"))) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .start();
      String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = npm.waitFor(300, TimeUnit.SECONDS);
      if (!exited) {
        npm.destroyForcibly();
      }
      assertThat(exited && npm.exitValue() == 0)
          .as("npm ci in %s (installs workerd from the lockfile):%n%s", dir, output)
          .isTrue();
    }
    assertThat(WorkerdRuntime.locate().binaryVersion()).startsWith("workerd ");
    done = true;
  }
}
