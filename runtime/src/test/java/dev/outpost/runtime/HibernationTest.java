package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectState;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.WebSocketRequestResponsePair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idle eviction, wake-up, and what sockets keep across it. */
class HibernationTest {

  private final List<String> closes = new CopyOnWriteArrayList<>();
  private ObjectHarness harness;

  @BeforeEach
  void start() {
    Scripted.reset(
        new Scripted.Behavior() {
          @Override
          public void constructed(DurableObjectState state) {
            state.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
          }

          @Override
          public Response fetch(DurableObjectState state, Request request) {
            String[] tags = request.header("X-Tags").map(t -> t.split(",")).orElse(new String[0]);
            Response accepted = state.acceptWebSocket(request, tags);
            HibernatableWebSocket ws = accepted.webSocket().orElseThrow();
            ws.serializeAttachment(Map.of("note", "accepted " + tags.length));
            ws.send("welcome " + String.join(",", tags));
            return accepted;
          }

          @Override
          public void message(
              DurableObjectState state, HibernatableWebSocket ws, WebSocketMessage m) {
            String text = m.text();
            if (text.startsWith("remember:")) {
              ws.serializeAttachment(Map.of("note", text.substring(9)));
              ws.send("remembered");
            } else if (text.startsWith("close:")) {
              try {
                ws.close(Integer.parseInt(text.substring(6)), "bye");
              } catch (IllegalArgumentException refused) {
                ws.send("refused: " + refused.getMessage());
              }
            } else if (text.equals("recall")) {
              ws.send(
                  ws.deserializeAttachment(Map.class).map(a -> a.get("note")).orElse("nothing")
                      + " tags="
                      + state.getTags(ws)
                      + " sockets="
                      + state.getWebSockets().size());
            } else {
              for (HibernatableWebSocket peer : state.getWebSockets()) {
                peer.send(text);
              }
            }
          }

          @Override
          public void close(DurableObjectState state, HibernatableWebSocket ws, int code) {
            closes.add(code + " remaining=" + state.getWebSockets().size());
          }
        });
    harness = ObjectHarness.of("t", Scripted.class);
  }

  @AfterEach
  void stop() {
    harness.close();
  }

  private RecordingConnection connect(String room, String tags) {
    RecordingConnection connection = new RecordingConnection(room);
    Request upgrade =
        Request.builder("GET", "/ws").header("Upgrade", "websocket").header("X-Tags", tags).build();
    assertThat(
            harness.host.upgrade(harness.address("t", room), upgrade, connection).join().status())
        .isEqualTo(101);
    assertThat(connection.nextText()).as("welcome").isEqualTo("welcome " + tags);
    return connection;
  }

  @Test
  void idleObjectIsEvictedAfterTenSecondsAndWokenByTheNextMessage() {
    RecordingConnection a = connect("room", "member");
    RecordingConnection b = connect("room", "member");
    ObjectAddress room = harness.address("t", "room");

    harness.advance(Duration.ofSeconds(9));
    harness.settle();
    assertThat(harness.host.isActiveForTest(room)).as("active after 9 s idle").isTrue();
    harness.advance(Duration.ofSeconds(1));
    assertThat(harness.host.isActiveForTest(room)).as("evicted after 10 s idle").isFalse();
    assertThat(Scripted.constructed.get()).isEqualTo(1);

    harness.host.socketMessage(a, WebSocketMessage.text("hello"));
    assertThat(a.nextText()).isEqualTo("hello");
    assertThat(b.nextText()).isEqualTo("hello");
    assertThat(Scripted.constructed.get()).as("the constructor ran again").isEqualTo(2);
  }

  @Test
  void socketsKeepTagsAndAttachmentsAcrossForcedEviction() {
    RecordingConnection a = connect("keep", "red,blue,red");
    connect("keep", "blue");
    harness.host.socketMessage(a, WebSocketMessage.text("remember:42"));
    assertThat(a.nextText()).isEqualTo("remembered");
    harness.settle();

    assertThat(harness.host.evictForTest(harness.address("t", "keep"))).isTrue();
    harness.host.socketMessage(a, WebSocketMessage.text("recall"));

    assertThat(a.nextText()).isEqualTo("42 tags=[red, blue] sockets=2");
    assertThat(Scripted.constructed.get()).isEqualTo(2);
  }

  @Test
  void autoResponseAnswersWithoutWakingTheObject() throws Exception {
    RecordingConnection a = connect("auto", "member");
    harness.settle();
    ObjectAddress auto = harness.address("t", "auto");
    assertThat(harness.host.evictForTest(auto)).isTrue();

    harness.host.socketMessage(a, WebSocketMessage.text("ping"));

    assertThat(a.nextText()).isEqualTo("pong");
    assertThat(harness.host.isActiveForTest(auto)).as("still hibernated").isFalse();
    assertThat(Scripted.constructed.get()).isEqualTo(1);
    harness.host.socketMessage(a, WebSocketMessage.text("ping!"));
    assertThat(a.nextText()).as("anything else wakes it").isEqualTo("ping!");
  }

  @Test
  void clientCloseIsDeliveredExactlyOnceAndTheSocketIsGone() throws Exception {
    RecordingConnection a = connect("closing", "member");
    RecordingConnection b = connect("closing", "member");

    harness.host.socketClosed(a, 1001, "going away", true);
    harness.host.socketClosed(a, 1001, "going away", true);
    harness.host.socketMessage(a, WebSocketMessage.text("late"));
    harness.settle();

    assertThat(closes).containsExactly("1001 remaining=1");
    harness.host.socketMessage(b, WebSocketMessage.text("after"));
    assertThat(b.nextText()).isEqualTo("after");
    assertThat(a.staysQuiet(Duration.ofMillis(200))).isTrue();
    assertThat(harness.host.openSockets()).isEqualTo(1);
  }

  @Test
  void objectMayCloseWithInternalErrorButNotWithAReservedCode() throws Exception {
    RecordingConnection a = connect("codes", "member");

    harness.host.socketMessage(a, WebSocketMessage.text("close:1006"));
    assertThat(a.nextText())
        .startsWith("refused: close code 1006 only reports a close")
        .contains("RFC 6455 §7.4.1");
    harness.host.socketMessage(a, WebSocketMessage.text("close:1011"));

    assertThat(a.awaitClose()).as("close code the client sees").isEqualTo(1011);
  }

  @Test
  void acceptWebSocketHandsTheObjectTheSocketItAccepted() {
    RecordingConnection first = connect("pair", "one");
    RecordingConnection second = connect("pair", "two,2");

    harness.host.socketMessage(first, WebSocketMessage.text("recall"));
    harness.host.socketMessage(second, WebSocketMessage.text("recall"));

    assertThat(first.nextText()).isEqualTo("accepted 1 tags=[one] sockets=2");
    assertThat(second.nextText()).isEqualTo("accepted 2 tags=[two, 2] sockets=2");
  }
}
