package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What operators do to one object: details, evict, delete ({@code ObjectHost}). */
class OperatorActionsTest {

  /** POST adds one to "n" and sets an alarm an hour on; the alarm adds one to "alarms". */
  public static final class Tally implements DurableObject {
    static volatile CountDownLatch blocker = new CountDownLatch(0);
    static volatile CountDownLatch blocking = new CountDownLatch(1);
    private final DurableObjectState state;

    public Tally(DurableObjectState state, Env env) {
      this.state = state;
    }

    @Override
    public Response fetch(Request request) throws Exception {
      if (request.isWebSocketUpgrade()) {
        return state.acceptWebSocket(request);
      }
      if (request.path().equals("/block")) {
        blocking.countDown();
        blocker.await(30, TimeUnit.SECONDS);
      }
      long n = state.storage().get("n", Long.class).orElse(0L);
      if (request.method().equals("POST")) {
        state.storage().put("n", ++n);
        state.storage().setAlarm(ObjectHarness.START.plus(Duration.ofHours(1)));
      }
      return Response.ok(Long.toString(n));
    }

    @Override
    public void alarm(AlarmInfo info) {
      state.storage().put("alarms", state.storage().get("alarms", Long.class).orElse(0L) + 1);
    }
  }

  private final ObjectHarness harness =
      ObjectHarness.of(
          RuntimeOptions.defaults(), StorageEngines.inMemory(), Map.of("t", Tally.class));
  private final ObjectAddress address = harness.address("t", "x");

  @AfterEach
  void close() {
    Tally.blocker.countDown();
    harness.close();
  }

  @Test
  void detailsSayWhatTheOwnerHolds() {
    harness.post("t", "x", "/", "");
    harness.post("t", "x", "/", "");
    harness.connect("t", "x");
    harness.settle();
    ObjectDetails details = harness.host.details(address);
    assertThat(details.active()).isTrue();
    assertThat(details.connections()).isEqualTo(1);
    assertThat(details.storedKeys()).isEqualTo(1);
    assertThat(details.storedBytes()).as("key 'n' and its value").isGreaterThan(2);
    assertThat(details.alarm()).contains(ObjectHarness.START.plus(Duration.ofHours(1)));
    assertThat(details.storedEpoch()).isPositive();
    assertThat(harness.host.details(harness.address("t", "never")))
        .isEqualTo(new ObjectDetails(false, 0, 0, 0, java.util.Optional.empty(), 0));
  }

  @Test
  void evictDropsTheInstanceAndClosesSocketsWith1012ButKeepsStorage() throws Exception {
    harness.post("t", "x", "/", "");
    RecordingConnection socket = harness.connect("t", "x");
    harness.settle();

    assertThat(harness.host.evict(address, ObjectHarness.WAIT, "evicted by an operator")).isTrue();

    assertThat(socket.awaitClose()).isEqualTo(1012);
    assertThat(harness.host.isActiveForTest(address)).isFalse();
    assertThat(harness.host.details(address).connections()).isZero();
    assertThat(harness.get("t", "x", "/").bodyText()).isEqualTo("1");
    assertThat(harness.host.evict(harness.address("t", "idle"), ObjectHarness.WAIT, "r"))
        .as("nothing live")
        .isFalse();
  }

  @Test
  void deleteRemovesEveryKeyAndTheAlarm() throws Exception {
    harness.post("t", "x", "/", "");
    harness.post("t", "x", "/", "");
    RecordingConnection socket = harness.connect("t", "x");
    harness.settle();

    ObjectDetails before = harness.host.delete(address, 1, ObjectHarness.WAIT, "deleted");

    assertThat(before.storedKeys()).isEqualTo(1);
    assertThat(socket.awaitClose()).isEqualTo(1012);
    assertThat(harness.host.storedKeysForTest(address)).isEmpty();
    assertThat(harness.host.details(address).alarm()).isEmpty();
    harness.advance(Duration.ofHours(2));
    harness.settle();
    assertThat(harness.host.storedKeysForTest(address)).as("no alarm ran").isEmpty();
    assertThat(harness.get("t", "x", "/").bodyText()).as("starts empty").isEqualTo("0");
  }

  @Test
  void deleteOfABusyObjectIsRefusedAndLosesNothing() throws Exception {
    harness.post("t", "x", "/", "");
    Tally.blocker = new CountDownLatch(1);
    Tally.blocking = new CountDownLatch(1);
    var busy =
        harness.fetchAsync(
            "t", "x", Request.builder("POST", "/block").path("/block").body("").build());
    assertThat(Tally.blocking.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> harness.host.delete(address, 1, Duration.ofMillis(200), "deleted"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("still has turns queued or running")
        .hasMessageContaining("not deleted");

    Tally.blocker.countDown();
    assertThat(busy.get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("2");
    // The refused delete's seal ends once the turn finished: the instance goes (evict waits for
    // it).
    harness.host.evict(address, ObjectHarness.WAIT, "barrier");
    assertThat(harness.host.storedKeysForTest(address)).containsExactly("n");
    assertThat(harness.get("t", "x", "/").bodyText()).as("takes events again").isEqualTo("2");
  }
}
