package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.CollectingWebSocket;
import dev.outpost.testkit.TestCluster;
import dev.outpost.testkit.TestWebSocketClient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Members of one room connected through different routers see one conversation. */
class ChatAcrossRoutersIT {

  private static final int PER_SENDER = 200;

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<TestWebSocketClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = TestCluster.start(dir, 3, b -> {});
    vertx = Vertx.vertx();
    cluster
        .nodes()
        .forEach(n -> clients.add(new TestWebSocketClient(vertx, "127.0.0.1", n.port(), 10)));
  }

  @AfterEach
  void stop() {
    clients.forEach(TestWebSocketClient::close);
    vertx.close();
    cluster.close();
  }

  @Test
  void everyMemberReceivesEveryBroadcastExactlyOnceInOneOrder() {
    List<CollectingWebSocket> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(clients.get(i).connect("/objects/chat/across"));
    }
    for (int m = 0; m < 3; m++) {
      for (int i = 0; i < PER_SENDER; i++) {
        members.get(m).sendText("m" + m + "-" + i + " ✓");
      }
    }

    List<List<String>> received = new ArrayList<>();
    for (CollectingWebSocket member : members) {
      received.add(member.awaitTexts(3 * PER_SENDER, Duration.ofSeconds(30)));
    }
    for (int m = 0; m < 3; m++) {
      List<String> got = received.get(m);
      assertThat(got).as("member %d, through router %d", m, m).hasSize(3 * PER_SENDER);
      assertThat(got).as("member %d: same order as member 0", m).isEqualTo(received.get(0));
      for (int s = 0; s < 3; s++) {
        String prefix = "m" + s + "-";
        List<String> fromSender = got.stream().filter(t -> t.startsWith(prefix)).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PER_SENDER; i++) {
          expected.add(prefix + i + " ✓");
        }
        assertThat(fromSender).as("member %d: messages of sender %d", m, s).isEqualTo(expected);
      }
    }
    assertThat(cluster.nodes().stream().mapToInt(n -> n.server().openLinks()).sum())
        .as("node links open: one per node pair direction in use, not one per client")
        .isLessThanOrEqualTo(6);
  }
}
