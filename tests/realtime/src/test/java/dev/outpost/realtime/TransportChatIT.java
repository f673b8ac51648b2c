package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.router.realtime.RealtimeOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each transport carries a chat conversation end to end: three members of the samples' chat room
 * talk through Java clients, and every member receives every message exactly once, in one order
 * that keeps each sender's order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransportChatIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int PER_MEMBER = 40;

  private Vertx vertx;
  private RealtimeNode node;
  private final List<OutpostClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build());
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OutpostClient::close);
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  private Recorder join(String room, ClientTransport transport, String name) {
    Recorder recorder = new Recorder(name + " over " + transport);
    clients.add(
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(node.baseUrl()), "/objects/chat/" + room)
                .withTransports(transport),
            recorder));
    recorder.awaitOpens(1, TIMEOUT);
    return recorder;
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aConversationReachesEveryMemberOnceInOneOrder(ClientTransport transport) {
    String room = "talk-" + transport.name().toLowerCase();
    List<Recorder> members = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      members.add(join(room, transport, "member" + m));
    }
    converse(members);
  }

  @Test
  void membersOnDifferentTransportsShareOneConversation() {
    List<Recorder> members = new ArrayList<>();
    int m = 0;
    for (ClientTransport transport : ClientTransport.values()) {
      members.add(join("mixed", transport, "member" + m++));
    }
    converse(members);
  }

  private void converse(List<Recorder> members) {
    for (int i = 0; i < PER_MEMBER; i++) {
      for (int m = 0; m < members.size(); m++) {
        assertThat(clients.get(m).send("m" + m + "-" + i + " grüße ✓")).isTrue();
      }
    }
    int total = PER_MEMBER * members.size();
    List<List<String>> received = new ArrayList<>();
    for (Recorder member : members) {
      member.awaitChat(total, TIMEOUT);
      received.add(member.chat());
    }
    for (int m = 0; m < members.size(); m++) {
      List<String> got = received.get(m);
      assertThat(got).as("member %d receives each message once", m).hasSize(total);
      assertThat(got).as("member %d: the same order as member 0", m).isEqualTo(received.get(0));
      for (int s = 0; s < members.size(); s++) {
        String prefix = "m" + s + "-";
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PER_MEMBER; i++) {
          expected.add(prefix + i + " grüße ✓");
        }
        assertThat(got.stream().filter(t -> t.startsWith(prefix)).toList())
            .as("member %d: sender %d's messages in sender order", m, s)
            .isEqualTo(expected);
      }
      List<Long> offsets = members.get(m).offsets();
      for (int i = 1; i < offsets.size(); i++) {
        assertThat(offsets.get(i))
            .as("member %d: offsets consecutive", m)
            .isEqualTo(offsets.get(i - 1) + 1);
      }
    }
  }
}
