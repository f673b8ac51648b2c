package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.router.RouterOptions;
import dev.outpost.testkit.TestNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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
    NodeScripts.Result result =
        NodeScripts.run(
            NodeScripts.installed(),
            Duration.ofSeconds(120),
            line -> {
              if (line.equals("DROP")) {
                node = node.restart(); // closes every client socket, then listens again
              }
              return null;
            },
            "node",
            "partysocket-test.mjs",
            "127.0.0.1:" + port);
    String log = result.output();
    System.out.print(log);
    assertThat(result.code()).as("node partysocket-test.mjs:\n%s", log).isZero();
    assertThat(log)
        .contains("ok default url /parties/main/r1?_pk=<id>")
        .contains("ok broadcast in a room")
        .contains("ok room isolation")
        .contains("ok PartySocket.fetch 426")
        .contains("ok dropped by the server with 1001")
        .contains("ok reconnect after the server dropped it, same _pk")
        .contains("ok queued while disconnected delivered after reconnect");
  }
}
