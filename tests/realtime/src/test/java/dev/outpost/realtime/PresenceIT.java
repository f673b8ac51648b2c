package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.router.realtime.RealtimeOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Presence in the chat sample: a quick reconnect shows no leave/join flicker, whether the session
 * is resumed (the object never sees a close) or a plain socket comes back within the grace period;
 * a joiner gets a snapshot; a real leave is announced after the grace period.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PresenceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration GRACE = Duration.ofSeconds(3); // the chat sample's

  private Vertx vertx;
  private RealtimeNode node;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node = RealtimeNode.start(RealtimeOptions.defaults());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static long count(RawSocket socket, String event, String user) {
    return socket.frames().stream()
        .filter(f -> f.text().contains("\"event\":\"" + event + "\""))
        .filter(f -> f.text().contains("\"user\":\"" + user + "\""))
        .count();
  }

  @Test
  void aResumedReconnectShowsNoLeaveOrJoin() throws Exception {
    RawSocket watcher =
        RawSocket.connect(vertx, node.port(), "/objects/chat/p1?user=watcher", false, true);
    Recorder ana = new Recorder("ana");
    OutpostClient client =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(node.baseUrl()), "/objects/chat/p1?user=ana")
                .withTransports(ClientTransport.WEBSOCKET)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(200)),
            ana);
    ana.awaitOpens(1, TIMEOUT);
    watcher.await("ana's join", TIMEOUT, w -> count(w, "join", "ana") == 1);
    ana.await("ana's snapshot", TIMEOUT, r -> !r.presence().isEmpty());
    assertThat(ana.presence().get(0)).as("ana's snapshot").contains("\"watcher\"");

    client.dropConnectionForTest();
    ana.awaitOpens(2, TIMEOUT);
    assertThat(ana.opens().get(1).resumed()).as("the reconnect resumed").isTrue();
    Thread.sleep(GRACE.plusMillis(700).toMillis()); // a "nothing happens" wait past the grace
    assertThat(count(watcher, "leave", "ana")).as("no leave for ana").isZero();
    assertThat(count(watcher, "join", "ana")).as("one join for ana").isEqualTo(1);

    long closedAt = System.nanoTime();
    client.close();
    watcher.await("ana's leave", TIMEOUT, w -> count(w, "leave", "ana") == 1);
    long ms =
        TimeUnit.NANOSECONDS.toMillis(
            watcher.frames().stream()
                    .filter(f -> f.text().contains("\"leave\""))
                    .findFirst()
                    .orElseThrow()
                    .nanos()
                - closedAt);
    assertThat(ms)
        .as("the leave comes after the grace period")
        .isGreaterThanOrEqualTo(GRACE.toMillis() - 100);
  }

  @Test
  void aPlainReconnectWithinTheGraceShowsNoFlickerAndGetsASnapshot() throws Exception {
    RawSocket watcher =
        RawSocket.connect(vertx, node.port(), "/objects/chat/p2?user=watcher", false, true);
    RawSocket bob = RawSocket.connect(vertx, node.port(), "/objects/chat/p2?user=bob", false, true);
    watcher.await("bob's join", TIMEOUT, w -> count(w, "join", "bob") == 1);
    bob.ws.close().await(10, TimeUnit.SECONDS);
    RawSocket again =
        RawSocket.connect(vertx, node.port(), "/objects/chat/p2?user=bob", false, true);
    again.await("a snapshot", TIMEOUT, s -> s.count() >= 1);
    String snapshot = again.frames().get(0).text();
    assertThat(snapshot).contains("\"snapshot\"").contains("\"watcher\"").contains("\"bob\"");
    Thread.sleep(GRACE.plusMillis(700).toMillis()); // a "nothing happens" wait past the grace
    assertThat(count(watcher, "leave", "bob")).as("no leave for bob").isZero();
    assertThat(count(watcher, "join", "bob")).as("one join for bob").isEqualTo(1);

    again.ws.close().await(10, TimeUnit.SECONDS);
    watcher.await("bob's leave after the grace", TIMEOUT, w -> count(w, "leave", "bob") == 1);
  }
}
