package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.realtime.RealtimeOptions;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dead clients are found in bounded time on every transport. A WebSocket client that stops
 * answering is closed with 4010 within the heartbeat timeout of the ping it left unanswered; one
 * that answers stays. A client behind a frozen link (bytes swallowed, TCP open) on any transport is
 * found dead, and the object sees it leave within interval + timeout + resume window (+ the chat's
 * presence grace).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeartbeatIT {

  private static final Duration INTERVAL = Duration.ofMillis(400);
  private static final Duration HB_TIMEOUT = Duration.ofMillis(400);
  private static final Duration WINDOW = Duration.ofMillis(300);
  private static final Duration GRACE = Duration.ofSeconds(3); // the chat sample's
  private static final Duration SLACK = Duration.ofMillis(1500);

  private Vertx vertx;
  private RealtimeNode node;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .heartbeat(INTERVAL, HB_TIMEOUT)
                .resumeWindow(WINDOW)
                .build());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
    try {
      // A client behind a frozen proxy waits out its close handshake; that is not under test.
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.getLogger(HeartbeatIT.class.getName())
          .log(System.Logger.Level.WARNING, "the test's Vert.x took over 30 s to close");
    }
  }

  @Test
  void aSilentWebSocketClientIsClosedWithinTheTimeoutOfItsFirstUnansweredPing() throws Exception {
    RawSocket silent = RawSocket.connect(vertx, node.port(), "/objects/chat/hb", true, true);
    silent.await("a close", Duration.ofSeconds(10), s -> s.closeCode() != null);
    RawSocket.Frame ping = silent.first("ping").orElseThrow(() -> new AssertionError("no ping"));
    long afterPingMs = TimeUnit.NANOSECONDS.toMillis(silent.closeNanos() - ping.nanos());
    assertThat(silent.closeCode()).as("close code").isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
    assertThat(afterPingMs)
        .as("ms from the unanswered ping to the close (timeout %s)", HB_TIMEOUT)
        .isBetween(HB_TIMEOUT.toMillis() - 100, HB_TIMEOUT.toMillis() + 700);
  }

  @Test
  void aClientThatAnswersStaysConnected() throws Exception {
    RawSocket alive = RawSocket.connect(vertx, node.port(), "/objects/chat/hb-ok", true, true);
    long end = System.nanoTime() + INTERVAL.multipliedBy(6).toNanos();
    int answered = 0;
    while (System.nanoTime() < end) {
      int pings =
          (int) alive.frames().stream().filter(f -> f.json().getString("t").equals("ping")).count();
      while (answered < pings) {
        alive.ws.writeTextMessage("{\"t\":\"pong\",\"o\":0}");
        answered++;
      }
      Thread.sleep(20); // kept: the test is a 6-interval "stays open" window; answer pings in it
    }
    assertThat(answered).as("pings answered").isGreaterThanOrEqualTo(4);
    assertThat(alive.closeCode()).as("still open after 6 intervals").isNull();
  }

  @ParameterizedTest
  @EnumSource(ClientTransport.class)
  void aClientBehindAFrozenLinkIsFoundDeadInBoundedTime(ClientTransport transport)
      throws Exception {
    RawSocket watcher =
        RawSocket.connect(vertx, node.port(), "/objects/chat/frozen?user=watcher", false, true);
    ChaosProxy proxy = new ChaosProxy(vertx, node.port());
    Recorder ghost = new Recorder("ghost over " + transport);
    OutpostClient client =
        OutpostClient.connect(
            vertx,
            ClientOptions.of(
                    List.of("http://127.0.0.1:" + proxy.port()), "/objects/chat/frozen?user=ghost")
                .withTransports(transport),
            ghost);
    try {
      ghost.awaitOpens(1, Duration.ofSeconds(10));
      watcher.await(
          "ghost's join",
          Duration.ofSeconds(10),
          w -> w.frames().stream().anyMatch(f -> f.text().contains("\"join\"")));
      long frozenAt = System.nanoTime();
      proxy.freeze(true);
      watcher.await(
          "ghost's leave",
          Duration.ofSeconds(20),
          w -> w.frames().stream().anyMatch(f -> f.text().contains("\"leave\"")));
      long leaveAt =
          watcher.frames().stream()
              .filter(f -> f.text().contains("\"leave\""))
              .findFirst()
              .orElseThrow()
              .nanos();
      long ms = TimeUnit.NANOSECONDS.toMillis(leaveAt - frozenAt);
      Duration bound = INTERVAL.plus(HB_TIMEOUT).plus(WINDOW).plus(GRACE).plus(SLACK);
      assertThat(ms)
          .as("ms from freezing to the object's leave (bound %s)", bound)
          .isBetween(GRACE.toMillis(), bound.toMillis());
    } finally {
      client.close();
      proxy.close();
    }
  }
}
