package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.realtime.RealtimeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A deliberately slow consumer (a socket that stops reading) is disconnected with 4008 while the
 * node's heap stays flat and the other members get every message; an Outpost session cut that way
 * gets a session back on reconnect.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowConsumerIT {

  private static final int MESSAGES = 30_000;
  private static final int SIZE = 2048;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Vertx vertx;
  private RealtimeNode node;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .outbound(4096, 4L * 1024 * 1024)
                .inbound(1_000_000, 1_000_000)
                .build());
  }

  @AfterEach
  void stop() throws Exception {
    node.close(); // first: it drops the stalled connections the client side would wait on
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Test
  void aSlowConsumerIsCutOffWhileTheHeapStaysFlatAndOthersGetEverything() throws Exception {
    String room = "/objects/chat/flood";
    RawSocket fast1 = RawSocket.connect(vertx, node.port(), room, false, false);
    RawSocket fast2 = RawSocket.connect(vertx, node.port(), room, false, false);
    RawSocket slowPlain = RawSocket.connect(vertx, node.port(), room, false, false);
    RawSocket slowSession = RawSocket.connect(vertx, node.port(), room, true, true);
    RawSocket sender = RawSocket.connect(vertx, node.port(), room, false, false);
    slowSession.await("welcome", TIMEOUT, s -> s.first("welcome").isPresent());
    String epoch = slowSession.first("welcome").orElseThrow().json().getString("epoch");
    slowPlain.ws.pause();
    slowSession.ws.pause();
    int socketsBefore = node.host().openSockets();
    assertThat(socketsBefore).isEqualTo(5);
    long before = heapAfterGc();

    String pad = "x".repeat(SIZE);
    Future<Void> last = null;
    for (int i = 0; i < MESSAGES; i++) {
      last = sender.ws.writeTextMessage(i + ":" + pad);
      if (i % 100 == 99) {
        int sent = i + 1;
        // pace the sender by the fast members (a bounded loop, no sleeps): they stay within
        // 300 messages of it, far below the outbound bound, while the slow ones fall behind
        fast1.await("catching up to " + (sent - 300), TIMEOUT, s -> s.count() >= sent - 300);
        fast2.await("catching up to " + (sent - 300), TIMEOUT, s -> s.count() >= sent - 300);
      }
    }
    last.await(30, TimeUnit.SECONDS);
    fast1.await("every message", TIMEOUT, s -> s.count() >= MESSAGES);
    fast2.await("every message", TIMEOUT, s -> s.count() >= MESSAGES);
    long after = heapAfterGc();

    long wouldBe = (long) MESSAGES * SIZE;
    assertThat(after - before)
        .as(
            "heap growth with two stalled consumers (%d B each would be queued unbounded): %d B ->"
                + " %d B",
            wouldBe, before, after)
        .isLessThan(24L * 1024 * 1024);
    assertThat(node.host().openSockets())
        .as(
            "the object saw the plain slow consumer closed at once; the session's transport was"
                + " cut but the session waits for its resume")
        .isEqualTo(socketsBefore - 1);
    assertThat(fast1.count()).isEqualTo(MESSAGES);
    assertThat(fast2.count()).isEqualTo(MESSAGES);

    slowPlain.ws.resume();
    slowSession.ws.resume();
    slowPlain.await("the close", TIMEOUT, s -> s.closeCode() != null);
    slowSession.await("the close", TIMEOUT, s -> s.closeCode() != null);
    assertThat(slowPlain.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
    assertThat(slowSession.closeCode()).isEqualTo(CloseCodes.SLOW_CONSUMER);
    assertThat(node.closes("websocket", "slow_consumer"))
        .as("outpost_connection_closes_total: the plain socket's close (the session lives on)")
        .isEqualTo(1);
    assertThat(slowPlain.count()).as("the slow one got only part").isLessThan(MESSAGES);

    long offset =
        slowSession.frames().stream()
            .map(RawSocket.Frame::json)
            .filter(f -> "m".equals(f.getString("t")))
            .mapToLong(f -> f.getLong("o"))
            .max()
            .orElse(0);
    RawSocket back =
        RawSocket.connect(
            vertx,
            node.port(),
            room + "?outpost_epoch=" + epoch + "&outpost_offset=" + offset,
            true,
            true);
    back.await("a welcome", TIMEOUT, s -> s.first("welcome").isPresent());
    JsonObject welcome = back.first("welcome").orElseThrow().json();
    assertThat(welcome.getString("epoch"))
        .as("recovered: same session; not recovered: told so and given a new one: %s", welcome)
        .isEqualTo(welcome.getBoolean("recovered") ? epoch : welcome.getString("epoch"));
    sender.ws.writeTextMessage("after the cut");
    back.await(
        "a live message",
        TIMEOUT,
        s -> s.frames().stream().anyMatch(f -> f.text().contains("after the cut")));
  }
}
