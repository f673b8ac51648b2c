package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.realtime.RealtimeOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JS client, as the node serves it at {@code /_outpost/client.js}, under Node.js: a chat over
 * WebSocket, then through a proxy that blocks WebSocket upgrades (it falls back to SSE by itself),
 * then through one that also blocks event streams (long polling); and its TypeScript declarations
 * ({@code /_outpost/client.d.ts}) checked by {@code tsc}. Packages come from the committed
 * package-lock.json ({@code ws}, {@code typescript}).
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
    Path work = NodeScripts.installed();
    NodeScripts.Result result =
        NodeScripts.run(
            work,
            Duration.ofSeconds(90),
            line -> null,
            "node",
            "fallback-test.mjs",
            node.baseUrl());
    assertThat(result.code()).as("node fallback-test.mjs:\n%s", result.output()).isZero();
    assertThat(result.output())
        .contains("direct: ok via websocket")
        .contains("websocket-blocked: ok via sse")
        .contains("websocket-and-sse-blocked: ok via polling");
  }

  /**
   * The declarations served at {@code /_outpost/client.d.ts} type-check the README's uses under
   * {@code tsc --strict} (TypeScript pinned by the lockfile), and reject wrong ones ({@code
   * types/example.ts} holds both).
   */
  @Test
  void theServedTypeDeclarationsCheckTheExamples() throws Exception {
    Path work = NodeScripts.installed();
    Path types = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ts-check");
    Files.copy(work.resolve("types/example.ts"), types.resolve("example.ts"));
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<Path> served =
          http.send(
              HttpRequest.newBuilder(URI.create(node.baseUrl() + "/_outpost/client.d.ts")).build(),
              HttpResponse.BodyHandlers.ofFile(types.resolve("outpost-client.d.ts")));
      assertThat(served.statusCode()).isEqualTo(200);
    }
    NodeScripts.Result result =
        NodeScripts.run(
            work,
            Duration.ofSeconds(90),
            line -> null,
            "node",
            work.resolve("node_modules/typescript/bin/tsc").toString(),
            "--noEmit",
            "--strict",
            "--target",
            "es2022",
            "--module",
            "esnext",
            "--moduleResolution",
            "bundler",
            "--lib",
            "es2022,dom",
            types.resolve("example.ts").toString());
    assertThat(result.code()).as("tsc --strict types/example.ts:\n%s", result.output()).isZero();
  }
}
