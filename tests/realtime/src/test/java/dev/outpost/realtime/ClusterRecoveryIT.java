package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.testkit.TestCluster;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Recovery through a non-owner router in a 2-node cluster: the session lives on the owner, so a
 * client that first connected through the other node, lost its connection mid-stream and came back
 * through the owner (and then through the other node again) resumes and has every message once, in
 * order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRecoveryIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int MESSAGES = 300;

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private final List<OutpostClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    cluster = TestCluster.start(dir, 2, b -> {});
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OutpostClient::close);
    vertx.close().await(30, TimeUnit.SECONDS);
    cluster.close();
  }

  private String url(int node) {
    return "http://127.0.0.1:" + cluster.node(node).port();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aClientResumesThroughEitherRouter(ClientTransport transport) throws Exception {
    String room = "across-" + transport.name().toLowerCase();
    Recorder senderView = new Recorder("sender on the owner");
    OutpostClient sender =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(url(0)), "/objects/chat/" + room)
                .withTransports(ClientTransport.WEBSOCKET),
            senderView);
    clients.add(sender);
    senderView.awaitOpens(1, TIMEOUT);
    assertThat(cluster.node(0).ownerOf("chat", room)).as("owner").isEqualTo("node-1");

    Recorder roaming = new Recorder("roaming client over " + transport);
    OutpostClient client =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(url(1), url(0)), "/objects/chat/" + room)
                .withTransports(transport)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)),
            roaming);
    clients.add(client);
    roaming.awaitOpens(1, TIMEOUT);

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      sent.add("c-" + i);
      assertThat(sender.send("c-" + i)).isTrue();
      if (i == 100 || i == 200) {
        int opens = roaming.opens().size();
        roaming.await("messages before the cut", TIMEOUT, r -> r.chat().size() >= 50);
        client.dropConnectionForTest(); // next attempt goes to the other router
        if (i == 100) {
          roaming.awaitOpens(opens + 1, TIMEOUT);
        }
      }
      Thread.sleep(3); // pace the sender so the cuts fall mid-stream (bounded: 300 x 3 ms)
    }
    roaming.awaitChat(MESSAGES, TIMEOUT);
    assertThat(roaming.chat()).as("every message once, in order").isEqualTo(sent);
    List<Recorder.Open> opens = roaming.opens();
    assertThat(opens.size())
        .as("reconnected through both routers: %s", opens)
        .isGreaterThanOrEqualTo(3);
    assertThat(opens.subList(1, opens.size()))
        .allSatisfy(
            open -> {
              assertThat(open.resumed()).as("resumed").isTrue();
              assertThat(open.epoch()).isEqualTo(opens.get(0).epoch());
            });
  }
}
