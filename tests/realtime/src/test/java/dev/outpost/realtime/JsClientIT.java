package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.realtime.RealtimeOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JS client, as the node serves it at {@code /_outpost/client.js}, under Node.js: a chat over
 * WebSocket, then through a proxy that blocks WebSocket upgrades (it falls back to SSE by itself),
 * then through one that also blocks event streams (long polling). The script and its one package
 * ({@code ws}, pinned by the committed package-lock.json) are copied to target/ and installed there
 * with {@code npm ci}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class JsClientIT {

  private RealtimeNode node;

  @BeforeEach
  void start() {
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build());
  }

  @AfterEach
  void stop() {
    node.close();
  }

  @Test
  void theJsClientChatsAndFallsBackFromWebSocketToSseToLongPolling() throws Exception {
    Path source = Path.of(System.getProperty("outpost.realtime.js", "src/test/js"));
    // .ci/run installs the packages next to the sources from the committed lockfile; without
    // them (a developer's first run), install into target/ from the same lockfile.
    Path work = source.toAbsolutePath();
    if (!Files.isDirectory(work.resolve("node_modules/ws"))) {
      work = Path.of("target", "js-test").toAbsolutePath();
      Files.createDirectories(work);
      for (String file : List.of("package.json", "package-lock.json", "fallback-test.mjs")) {
        Files.copy(source.resolve(file), work.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (!Files.isDirectory(work.resolve("node_modules/ws"))) {
      Result install = run(work, Duration.ofSeconds(180), "npm", "ci", "--no-audit", "--no-fund");
      assertThat(install.code).as("npm ci in %s:\n%s", work, install.output).isZero();
    }
    Result result = run(work, Duration.ofSeconds(90), "node", "fallback-test.mjs", node.baseUrl());
    assertThat(result.code).as("node fallback-test.mjs:\n%s", result.output).isZero();
    assertThat(result.output)
        .contains("direct: ok via websocket")
        .contains("websocket-blocked: ok via sse")
        .contains("websocket-and-sse-blocked: ok via polling");
  }

  private record Result(int code, String output) {}

  private static Result run(Path dir, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("outpost-js", ".log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return new Result(-1, "timed out after " + timeout + ":\n" + Files.readString(log));
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
