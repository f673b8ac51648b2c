package dev.outpost.router.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.runtime.ManualTimeSource;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The session layer at its lowest level: a fake inner inbox that accepts every upgrade and records
 * what the object would see, fake transports that record frames, and manual time.
 */
class SessionInboxTest {

  private static final ObjectAddress ROOM =
      new ObjectAddress("chat", DurableObjectId.of("a".repeat(64), Optional.of("room")));
  private static final Duration INTERVAL = Duration.ofSeconds(25);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofSeconds(120);

  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2030-01-01T00:00:00Z"));
  private final FakeObject object = new FakeObject();
  private final SessionInbox inbox =
      new SessionInbox(
          object,
          time,
          RealtimeOptions.defaults().toBuilder()
              .heartbeat(INTERVAL, TIMEOUT)
              .resumeWindow(WINDOW)
              .replay(5, 1024 * 1024, Duration.ofMinutes(2))
              .inbound(10, 3)
              .build());

  /** What the object sees: accepted sessions, their messages and closes. */
  static final class FakeObject implements ObjectInbox {
    final List<ClientConnection> accepted = new ArrayList<>();
    final List<String> messages = new ArrayList<>();
    final List<String> closes = new ArrayList<>();

    @Override
    public Optional<DurableObjectNamespace> namespace(String name) {
      return Optional.empty();
    }

    @Override
    public Set<String> namespaceNames() {
      return Set.of("chat");
    }

    @Override
    public java.util.List<dev.outpost.runtime.ServedApp> apps() {
      return java.util.List.of(
          new dev.outpost.runtime.ServedApp("test", "1", java.util.List.of("chat")));
    }

    @Override
    public java.util.SortedMap<String, String> parties() {
      return new java.util.TreeMap<>();
    }

    @Override
    public dev.outpost.runtime.ConnectGuards guards(String namespace) {
      return dev.outpost.runtime.ConnectGuards.NONE;
    }

    @Override
    public CompletableFuture<Response> fetch(ObjectAddress address, Request request) {
      return CompletableFuture.completedFuture(Response.ok("plain fetch"));
    }

    @Override
    public CompletableFuture<Response> call(
        ObjectAddress address, Request request, List<ObjectAddress> chain) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Response> upgrade(
        ObjectAddress address, Request request, ClientConnection connection) {
      accepted.add(connection);
      return CompletableFuture.completedFuture(Response.empty(101));
    }

    @Override
    public void socketMessage(ClientConnection connection, WebSocketMessage message) {
      messages.add(message.text());
    }

    @Override
    public void socketClosed(ClientConnection c, int code, String reason, boolean wasClean) {
      closes.add(code + " " + reason);
    }

    @Override
    public void socketError(ClientConnection connection, Throwable error) {}
  }

  /** A transport that records the frames written to it. */
  static final class FakeTransport implements ClientConnection {
    final List<JsonObject> frames = new ArrayList<>();
    Integer closedWith;

    @Override
    public void send(WebSocketMessage message) {
      frames.add(new JsonObject(message.text()));
    }

    @Override
    public void close(int code, String reason) {
      closedWith = code;
    }

    @Override
    public String describe() {
      return "fake";
    }

    List<String> texts() {
      return frames.stream()
          .filter(f -> f.getString("t").equals("m"))
          .map(f -> f.getString("d"))
          .toList();
    }

    JsonObject welcome() {
      return frames.stream()
          .filter(f -> f.getString("t").equals("welcome"))
          .findFirst()
          .orElseThrow();
    }
  }

  private static Request upgrade(String query) {
    return Request.builder("GET", "/objects/chat/room" + query)
        .path("/")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Protocol", "outpost.v1")
        .build();
  }

  private FakeTransport connect(String query) {
    FakeTransport t = new FakeTransport();
    assertThat(inbox.upgrade(ROOM, upgrade(query), t).join().status()).isEqualTo(101);
    return t;
  }

  private ClientConnection session() {
    return object.accepted.get(object.accepted.size() - 1);
  }

  @Test
  void aPlainUpgradeGoesStraightToTheObject() {
    FakeTransport plain = new FakeTransport();
    Request request =
        Request.builder("GET", "/objects/chat/room").header("Upgrade", "websocket").build();
    inbox.upgrade(ROOM, request, plain).join();
    assertThat(object.accepted).containsExactly(plain);
    inbox.socketMessage(plain, WebSocketMessage.text("raw"));
    assertThat(object.messages).containsExactly("raw");
  }

  @Test
  void messagesAreNumberedAndAResumeGetsExactlyTheMissedOnesInOrder() {
    FakeTransport first = connect("");
    ClientConnection session = session();
    String epoch = first.welcome().getString("epoch");
    session.send(WebSocketMessage.text("one"));
    session.send(WebSocketMessage.text("two"));
    inbox.socketClosed(first, 1006, "", false);
    session.send(WebSocketMessage.text("three"));
    session.send(WebSocketMessage.text("four"));
    time.advance(WINDOW.minusSeconds(1));

    FakeTransport second = connect("?outpost_epoch=" + epoch + "&outpost_offset=1");
    assertThat(second.welcome().getBoolean("recovered")).isTrue();
    assertThat(second.texts()).containsExactly("two", "three", "four");
    assertThat(
            second.frames.stream()
                .filter(f -> f.getString("t").equals("m"))
                .map(f -> f.getLong("o")))
        .containsExactly(2L, 3L, 4L);
    assertThat(object.accepted).as("the object saw one connection").hasSize(1);
    assertThat(object.closes).as("and no close").isEmpty();
  }

  @Test
  void pastTheWindowTheObjectSeesTheCloseAndTheClientIsNotRecovered() {
    FakeTransport first = connect("");
    String epoch = first.welcome().getString("epoch");
    inbox.socketClosed(first, 1006, "", false);
    time.advance(WINDOW.minusMillis(1));
    assertThat(object.closes).isEmpty();
    time.advance(Duration.ofMillis(1));
    assertThat(object.closes).singleElement().asString().startsWith("1006 not resumed within");

    FakeTransport second = connect("?outpost_epoch=" + epoch + "&outpost_offset=0");
    assertThat(second.welcome().getBoolean("recovered")).isFalse();
    assertThat(second.welcome().getString("epoch")).isNotEqualTo(epoch);
    assertThat(object.accepted).as("a new session").hasSize(2);
  }

  @Test
  void aResumeBehindTheBufferIsNotRecoveredAndEndsTheOldSession() {
    FakeTransport first = connect("");
    String epoch = first.welcome().getString("epoch");
    inbox.socketClosed(first, 1006, "", false);
    for (int i = 0; i < 8; i++) {
      session().send(WebSocketMessage.text("m" + i)); // the buffer keeps 5
    }
    FakeTransport second = connect("?outpost_epoch=" + epoch + "&outpost_offset=1");
    assertThat(second.welcome().getBoolean("recovered")).isFalse();
    assertThat(object.closes).singleElement().asString().contains("not recovered");
  }

  @Test
  void aResentClientMessageIsAppliedOnce() {
    FakeTransport t = connect("");
    inbox.socketMessage(t, WebSocketMessage.text("{\"t\":\"m\",\"id\":1,\"d\":\"a\"}"));
    inbox.socketMessage(t, WebSocketMessage.text("{\"t\":\"m\",\"id\":2,\"d\":\"b\"}"));
    inbox.socketMessage(
        t,
        WebSocketMessage.text(
            "[{\"t\":\"m\",\"id\":1,\"d\":\"a\"},{\"t\":\"m\",\"id\":2,\"d\":\"b\"},{\"t\":\"m\",\"id\":3,\"d\":\"c\"}]"));
    assertThat(object.messages).containsExactly("a", "b", "c");
  }

  @Test
  void aSilentClientIsClosedWithinTheTimeoutOfTheUnansweredPing() {
    FakeTransport t = connect("");
    time.advance(INTERVAL);
    assertThat(t.frames.get(t.frames.size() - 1).getString("t")).isEqualTo("ping");
    time.advance(TIMEOUT.minusMillis(1));
    assertThat(t.closedWith).isNull();
    time.advance(Duration.ofMillis(1));
    assertThat(t.closedWith).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);
    assertThat(object.closes).as("the session waits for a resume").isEmpty();
  }

  @Test
  void aClientThatAnswersPingsStays() {
    FakeTransport t = connect("");
    for (int i = 0; i < 10; i++) {
      time.advance(INTERVAL);
      inbox.socketMessage(t, WebSocketMessage.text("{\"t\":\"pong\",\"o\":0}"));
    }
    time.advance(TIMEOUT);
    assertThat(t.closedWith).isNull();
  }

  @Test
  void aClientOverTheRateLimitIsClosedWith4029() {
    FakeTransport t = connect("");
    for (int i = 1; i <= 4; i++) {
      inbox.socketMessage(t, WebSocketMessage.text("{\"t\":\"m\",\"id\":" + i + ",\"d\":\"x\"}"));
    }
    assertThat(object.messages).hasSize(3); // the burst
    assertThat(t.closedWith).isEqualTo(CloseCodes.RATE_LIMITED);
    assertThat(object.closes).singleElement().asString().startsWith("4029");
  }

  @Test
  void aPlainSocketOverTheRateLimitIsClosedWith4029AndTheObjectHearsItOnce() {
    FakeTransport plain = new FakeTransport();
    Request request =
        Request.builder("GET", "/objects/chat/room").header("Upgrade", "websocket").build();
    inbox.upgrade(ROOM, request, plain).join();
    for (int i = 1; i <= 4; i++) {
      inbox.socketMessage(plain, WebSocketMessage.text("raw " + i));
    }
    assertThat(object.messages).as("the burst of 3").containsExactly("raw 1", "raw 2", "raw 3");
    assertThat(plain.closedWith).isEqualTo(CloseCodes.RATE_LIMITED);
    assertThat(object.closes).singleElement().asString().startsWith("4029 rate limit");

    inbox.socketMessage(plain, WebSocketMessage.text("after the close"));
    inbox.socketClosed(plain, CloseCodes.RATE_LIMITED, "echoed by the client", true);
    assertThat(object.messages).hasSize(3);
    assertThat(object.closes).as("the transport's own close is not reported again").hasSize(1);
  }

  @Test
  void aPlainSocketSilentForAnHourGetsTheBurstOnlyAndLeavesOtherSilentSocketsAlone() {
    Request request =
        Request.builder("GET", "/objects/chat/room").header("Upgrade", "websocket").build();
    FakeTransport first = new FakeTransport();
    FakeTransport second = new FakeTransport();
    inbox.upgrade(ROOM, request, first).join();
    inbox.upgrade(ROOM, request, second).join();
    time.advance(Duration.ofHours(1));
    for (int i = 1; i <= 4; i++) {
      inbox.socketMessage(first, WebSocketMessage.text("first " + i));
    }
    assertThat(first.closedWith).isEqualTo(CloseCodes.RATE_LIMITED);
    for (int i = 1; i <= 3; i++) {
      inbox.socketMessage(second, WebSocketMessage.text("second " + i));
    }
    assertThat(object.messages)
        .as("the burst of 3 each, the second socket's limit its own")
        .containsExactly("first 1", "first 2", "first 3", "second 1", "second 2", "second 3");
    assertThat(second.closedWith).isNull();
    inbox.socketClosed(second, 1000, "done", true);
    assertThat(object.closes).hasSize(2);
    assertThat(object.closes.get(1)).isEqualTo("1000 done");
  }

  @Test
  void aPlainSocketWithinTheRateKeepsGoing() {
    FakeTransport plain = new FakeTransport();
    Request request =
        Request.builder("GET", "/objects/chat/room").header("Upgrade", "websocket").build();
    inbox.upgrade(ROOM, request, plain).join();
    for (int i = 1; i <= 30; i++) {
      inbox.socketMessage(plain, WebSocketMessage.text("raw " + i));
      time.advance(Duration.ofMillis(100)); // 10/s, the configured rate
    }
    assertThat(object.messages).hasSize(30);
    assertThat(plain.closedWith).isNull();
    inbox.socketClosed(plain, 1000, "done", true);
    assertThat(object.closes).containsExactly("1000 done");
  }

  @Test
  void byeEndsTheSessionAtOnce() {
    FakeTransport t = connect("");
    inbox.socketMessage(t, WebSocketMessage.text("{\"t\":\"bye\",\"code\":1000}"));
    assertThat(object.closes).containsExactly("1000 ");
  }

  private String pollOpen() {
    Response r =
        inbox
            .fetch(ROOM, Request.get("/objects/chat/room?outpost=open&outpost_transport=poll"))
            .join();
    assertThat(r.status()).isEqualTo(200);
    return r.bodyText();
  }

  private CompletableFuture<Response> poll(JsonObject welcome, long offset) {
    return inbox.fetch(
        ROOM,
        Request.get(
            "/objects/chat/room?outpost=poll&outpost_epoch="
                + welcome.getString("epoch")
                + "&outpost_conn="
                + welcome.getString("conn")
                + "&outpost_offset="
                + offset
                + "&outpost_ack="
                + offset));
  }

  @Test
  void aLongPollIsHeldUntilAMessageArrives() {
    JsonObject welcome = new JsonObject(pollOpen());
    CompletableFuture<Response> held = poll(welcome, 0);
    assertThat(held).isNotDone();
    session().send(WebSocketMessage.text("hello"));
    assertThat(
            new JsonObject(held.join().bodyText())
                .getJsonArray("frames")
                .getJsonObject(0)
                .getString("d"))
        .isEqualTo("hello");
  }

  @Test
  void aLongPollClientThatStopsPollingIsFoundDead() {
    JsonObject welcome = new JsonObject(pollOpen());
    CompletableFuture<Response> held = poll(welcome, 0);
    time.advance(INTERVAL); // the hold ends with an empty batch
    assertThat(held).isDone();
    time.advance(TIMEOUT.minusMillis(1));
    assertThat(poll(welcome, 0)).as("a poll in time keeps it").isNotDone();
    time.advance(INTERVAL); // answered again; now the client goes silent
    time.advance(TIMEOUT);
    String batch = poll(welcome, 0).join().bodyText();
    assertThat(batch).contains("\"code\":" + CloseCodes.HEARTBEAT_TIMEOUT);
    time.advance(WINDOW);
    assertThat(object.closes).singleElement().asString().startsWith("4010");
  }

  @Test
  void aLongPollClientThatNeverPollsAfterTheWelcomeIsFoundDead() {
    JsonObject welcome = new JsonObject(pollOpen());
    time.advance(TIMEOUT);
    assertThat(poll(welcome, 0).join().bodyText())
        .contains("\"code\":" + CloseCodes.HEARTBEAT_TIMEOUT);
  }

  @Test
  void aPullConsumerThatFallsBehindTheBufferIsClosedWith4008() {
    JsonObject welcome = new JsonObject(pollOpen());
    for (int i = 0; i < 7; i++) {
      session().send(WebSocketMessage.text("m" + i));
    }
    String batch = poll(welcome, 0).join().bodyText();
    assertThat(batch).contains("\"code\":" + CloseCodes.SLOW_CONSUMER);
  }

  @Test
  void aPlainRequestPassesThrough() {
    assertThat(inbox.fetch(ROOM, Request.get("/objects/chat/room?x=1")).join().bodyText())
        .isEqualTo("plain fetch");
  }
}
