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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client cut off for a few seconds (its connection dropped mid-stream by a TCP proxy, which then
 * refuses it for 2 s) while another member keeps sending: it reconnects, resumes its session, and
 * has every message exactly once, in order. Cut off for longer than the resume window, it is told
 * "not recovered" and goes on in a new session.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int MESSAGES = 600;
  private static final int CUT_AT = 150;

  private Vertx vertx;
  private RealtimeNode node;
  private ChaosProxy proxy;
  private final List<OutpostClient> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OutpostClient::close);
    if (proxy != null) {
      proxy.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
    if (node != null) {
      node.close();
    }
  }

  private void startNode(Duration resumeWindow, Duration heartbeat) throws Exception {
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .heartbeat(heartbeat, heartbeat)
                .resumeWindow(resumeWindow)
                .build());
    proxy = new ChaosProxy(vertx, node.port());
  }

  private OutpostClient client(String base, ClientTransport transport, Recorder recorder) {
    OutpostClient client =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(base), "/objects/chat/recovery")
                .withTransports(transport)
                .withBackoff(Duration.ofMillis(100), Duration.ofMillis(400)),
            recorder);
    clients.add(client);
    recorder.awaitOpens(1, TIMEOUT);
    return client;
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aClientCutOffForSecondsGetsEveryMessageOnceInOrder(ClientTransport transport)
      throws Exception {
    startNode(Duration.ofSeconds(30), Duration.ofSeconds(2));
    Recorder cut = new Recorder("cut-off client over " + transport);
    client("http://127.0.0.1:" + proxy.port(), transport, cut);
    Recorder senderView = new Recorder("sender");
    OutpostClient sender = client(node.baseUrl(), ClientTransport.WEBSOCKET, senderView);

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      String text = "n-" + i;
      sent.add(text);
      assertThat(sender.send(text)).as("send %d", i).isTrue();
      if (i == CUT_AT) {
        cut.await("some messages before the cut", TIMEOUT, r -> r.chat().size() >= 50);
        proxy.refuse(true);
        proxy.cut();
        vertx.setTimer(2000, id -> proxy.refuse(false));
      }
      Thread.sleep(4); // pace the sender so the cut falls mid-stream (bounded: 600 x 4 ms)
    }

    cut.awaitChat(MESSAGES, TIMEOUT);
    assertThat(cut.chat()).as("every message exactly once, in order").isEqualTo(sent);
    List<Long> offsets = cut.offsets();
    for (int i = 1; i < offsets.size(); i++) {
      assertThat(offsets.get(i))
          .as("offsets consecutive at %d", i)
          .isEqualTo(offsets.get(i - 1) + 1);
    }
    List<Recorder.Open> opens = cut.opens();
    assertThat(opens.size()).as("the client reconnected at least once: %s", opens).isGreaterThan(1);
    assertThat(opens.subList(1, opens.size()))
        .as("every reconnect resumed the same session")
        .allSatisfy(
            open -> {
              assertThat(open.resumed()).isTrue();
              assertThat(open.notRecovered()).isFalse();
              assertThat(open.epoch()).isEqualTo(opens.get(0).epoch());
            });
    senderView.awaitChat(MESSAGES, TIMEOUT);
    assertThat(senderView.chat()).as("the sender, never cut, saw the same").isEqualTo(sent);
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void pastTheResumeWindowTheClientIsToldNotRecovered(ClientTransport transport) throws Exception {
    // A long poll that stops coming is found dead after at most one hold (the heartbeat
    // interval) plus the timeout; then the window runs: 500 + 500 + 800 ms < the 2.5 s away.
    startNode(Duration.ofMillis(800), Duration.ofMillis(500));
    Recorder cut = new Recorder("client cut off too long over " + transport);
    client("http://127.0.0.1:" + proxy.port(), transport, cut);
    Recorder senderView = new Recorder("sender");
    OutpostClient sender = client(node.baseUrl(), ClientTransport.WEBSOCKET, senderView);
    sender.send("before");
    cut.awaitChat(1, TIMEOUT);
    String firstEpoch = cut.opens().get(0).epoch();

    proxy.refuse(true);
    proxy.cut();
    sender.send("while away");
    senderView.awaitChat(2, TIMEOUT);
    Thread.sleep(2500); // stay away past the 800 ms window: the point of this test
    proxy.refuse(false);

    cut.await(
        "a new connection told 'not recovered'",
        TIMEOUT,
        r -> r.opens().stream().anyMatch(Recorder.Open::notRecovered));
    Recorder.Open reopened =
        cut.opens().stream().filter(Recorder.Open::notRecovered).findFirst().orElseThrow();
    assertThat(reopened.resumed()).isFalse();
    assertThat(reopened.epoch()).as("a new session").isNotEqualTo(firstEpoch);
    sender.send("after");
    cut.await("the message sent after the new session", TIMEOUT, r -> r.chat().contains("after"));
    assertThat(cut.chat())
        .as("the missed message is not delivered from a gap")
        .doesNotContain("while away");
  }
}
