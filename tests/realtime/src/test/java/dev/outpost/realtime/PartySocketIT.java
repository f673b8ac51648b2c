package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.testkit.TestNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmodified {@code partysocket} (pinned by the committed package-lock.json) under Node, with its
 * default URL shape ({@code /parties/main/{room}?_pk=...}), against a node serving the samples
 * bundle, whose {@code party.main=chat} makes the default party the chat room: broadcast in a room,
 * room isolation, {@code PartySocket.fetch}, reconnect after the node dropped every socket (it is
 * restarted on the same port), and messages queued while disconnected delivered after the
 * reconnect. partysocket's own reconnect delays apply (3 s and up), so this takes about 10 s.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PartySocketIT {

  @TempDir Path dataDir;

  private volatile TestNode node;

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void partysocketWithItsDefaultUrlShape() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // fixed, so that the restarted node listens where clients retry
    }
    node = TestNode.builder(dataDir).routerOptions(RouterOptions.defaults().withPort(port)).start();
    Path work = installedScripts();

    Process process =
        new ProcessBuilder("node", "partysocket-test.mjs", "127.0.0.1:" + port)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .start();
    StringBuilder output = new StringBuilder();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader lines =
                      new BufferedReader(
                          new InputStreamReader(
                              process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                      synchronized (output) {
                        output.append(line).append('\n');
                      }
                      if (line.equals("DROP")) {
                        node = node.restart(); // closes every client socket, then listens again
                      }
                    }
                  } catch (IOException e) {
                    synchronized (output) {
                      output
                          .append("(reading the script's output failed: ")
                          .append(e)
                          .append(")\n");
                    }
                  }
                });
    boolean exited = process.waitFor(120, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(Duration.ofSeconds(10));
    String log;
    synchronized (output) {
      log = output.toString();
    }
    System.out.print(log);
    assertThat(exited).as("node partysocket-test.mjs finished in 120 s:\n%s", log).isTrue();
    assertThat(process.exitValue()).as("node partysocket-test.mjs:\n%s", log).isZero();
    assertThat(log)
        .contains("ok default url /parties/main/r1?_pk=<id>")
        .contains("ok broadcast in a room")
        .contains("ok room isolation")
        .contains("ok PartySocket.fetch 426")
        .contains("ok dropped by the server with 1001")
        .contains("ok reconnect after the server dropped it, same _pk")
        .contains("ok queued while disconnected delivered after reconnect");
  }

  /**
   * The JS test directory with its packages: as .ci/run installs them next to the sources from the
   * committed lockfile, or else (a developer's first run) installed into target/ from the same
   * lockfile.
   */
  private static Path installedScripts() throws IOException, InterruptedException {
    Path source = Path.of(System.getProperty("outpost.realtime.js", "src/test/js"));
    Path work = source.toAbsolutePath();
    if (Files.isDirectory(work.resolve("node_modules/partysocket"))) {
      return work;
    }
    work = Path.of("target", "js-partysocket").toAbsolutePath();
    Files.createDirectories(work);
    for (String file : List.of("package.json", "package-lock.json", "partysocket-test.mjs")) {
      Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
    }
    if (!Files.isDirectory(work.resolve("node_modules/partysocket"))) {
      Process install =
          new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
              .directory(work.toFile())
              .redirectErrorStream(true)
              .start();
      String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(install.waitFor(180, TimeUnit.SECONDS)).as("npm ci in %s", work).isTrue();
      assertThat(install.exitValue()).as("npm ci in %s:\n%s", work, out).isZero();
    }
    return work;
  }
}
