package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.party.Connection;
import dev.outpost.api.party.PartyServer;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PartyServer}, the PartyKit-style API, on the public test kit: connection ids from {@code
 * _pk}, broadcast with exclusions, per-connection state and tags across hibernation, the hooks and
 * their errors.
 */
class PartyServerTest {

  /** A room driven by text commands; every hook leaves a trace the test can read. */
  public static final class Room extends PartyServer {

    public Room(DurableObjectState state, Env env) {
      super(state, env);
    }

    @Override
    protected void onStart() {
      long starts = state().storage().get("starts", Long.class).orElse(0L) + 1;
      state().storage().put("starts", starts);
    }

    @Override
    protected List<String> connectionTags(String connectionId, Request request) {
      String query = request.query().orElse("");
      if (query.contains("team=red")) {
        return List.of("red");
      }
      if (query.contains("badtag")) {
        return List.of("_pk:mine");
      }
      return List.of();
    }

    @Override
    protected void onConnect(Connection connection, Request request) {
      if (request.query().orElse("").contains("fail")) {
        broadcast("refused " + connection.id());
        throw new IllegalStateException("no entry");
      }
      connection.setState(new Seat(connection.id(), 0));
      connection.send("welcome " + connection.id() + " " + connection.tags());
      broadcast("joined " + connection.id(), connection.id());
    }

    @Override
    protected void onMessage(Connection from, WebSocketMessage message) {
      String text = message.isText() ? message.text() : "binary:" + message.size();
      if (text.equals("who")) {
        from.send(ids(getConnections()));
      } else if (text.equals("red")) {
        from.send(ids(getConnections("red")));
      } else if (text.equals("seat")) {
        Seat seat = from.state(Seat.class).orElseThrow();
        from.setState(new Seat(seat.id(), seat.messages() + 1));
        from.send("seat " + seat.id() + " " + seat.messages());
      } else if (text.startsWith("find ")) {
        String id = text.substring(5);
        getConnection(id).ifPresentOrElse(c -> c.send("found you"), () -> from.send("none"));
      } else if (text.equals("bye")) {
        from.close(4000, "asked to leave");
      } else if (text.startsWith("alarm ")) {
        state()
            .storage()
            .setAlarm(java.time.Instant.ofEpochMilli(Long.parseLong(text.substring(6))));
      } else if (text.startsWith("except ")) {
        String[] parts = text.split(" ", 3);
        from.send("sent to " + broadcast(parts[2], List.of(parts[1].split(","))));
      } else {
        from.send("sent to " + broadcast(text, List.of(from.id())));
      }
    }

    @Override
    protected void onClose(Connection connection, int code, String reason, boolean wasClean) {
      broadcast("left " + connection.id() + " " + code);
    }

    @Override
    protected Response onRequest(Request request) {
      return Response.ok(name() + " " + request.path() + " " + getConnections().size());
    }

    @Override
    protected void onAlarm(AlarmInfo info) {
      broadcast("alarm");
    }

    private static String ids(List<Connection> connections) {
      return connections.stream().map(Connection::id).collect(Collectors.joining(","));
    }
  }

  /** A connection's state. */
  public record Seat(String id, int messages) {}

  /** The README's example ("Porting from PartyKit"), as printed there. */
  public static final class ReadmeChat extends PartyServer {
    public ReadmeChat(DurableObjectState state, Env env) {
      super(state, env);
    }

    record Seat(String name) {}

    @Override
    protected void onConnect(Connection connection, Request request) {
      connection.setState(new Seat("guest-" + getConnections().size()));
      broadcast("joined " + connection.id(), connection.id()); // everyone but the newcomer
    }

    @Override
    protected void onMessage(Connection from, WebSocketMessage message) {
      if (!message.isText()) return;
      String name = from.state(Seat.class).map(Seat::name).orElse("?");
      broadcast(name + ": " + message.text(), List.of(from.id())); // everyone but the sender
    }

    @Override
    protected void onClose(Connection connection, int code, String reason, boolean wasClean) {
      broadcast("left " + connection.id());
    }
  }

  private final ObjectHarness harness = ObjectHarness.of("party", Room.class);
  private final ObjectUnderTest room = harness.object("lobby");

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void theReadmeExampleRelaysWithTheSendersNameAcrossHibernation() {
    try (ObjectHarness readme = ObjectHarness.of("chat", ReadmeChat.class)) {
      ObjectUnderTest lobby = readme.object("lobby");
      RecordingSocket ann = lobby.connect("/?_pk=ann");
      RecordingSocket bob = lobby.connect("/?_pk=bob");
      lobby.evict();
      ann.send("hi");
      bob.close(1000, "");
      assertThat(ann.texts()).containsExactly("joined bob", "left bob");
      assertThat(bob.texts()).containsExactly("guest-1: hi");
    }
  }

  @Test
  void thePkParameterBecomesTheConnectionIdAndAMissingOneARandomUuid() {
    RecordingSocket ann = room.connect("/?_pk=ann&x=1");
    RecordingSocket anon = room.connect("/");
    RecordingSocket spaced = room.connect("/?x=2&_pk=a+b%2Fc");

    assertThat(ann.texts()).first().isEqualTo("welcome ann []");
    assertThat(anon.texts().get(0)).matches("welcome [0-9a-f-]{36} \\[\\]");
    assertThat(spaced.texts()).first().isEqualTo("welcome a b/c []");
  }

  @Test
  void broadcastSkipsTheExcludedIdsAndCountsTheOthers() {
    RecordingSocket ann = room.connect("/?_pk=ann");
    RecordingSocket bob = room.connect("/?_pk=bob");
    RecordingSocket cy = room.connect("/?_pk=cy");
    ann.takeTexts();
    bob.takeTexts();
    cy.takeTexts();

    bob.send("hello");

    assertThat(ann.takeTexts()).containsExactly("hello");
    assertThat(cy.takeTexts()).containsExactly("hello");
    assertThat(bob.takeTexts()).containsExactly("sent to 2");
  }

  @Test
  void idsStateAndTagsSurviveHibernation() {
    RecordingSocket ann = room.connect("/?_pk=ann&team=red");
    RecordingSocket bob = room.connect("/?_pk=bob");
    ann.send("seat");
    assertThat(ann.takeTexts()).containsExactly("welcome ann [red]", "joined bob", "seat ann 0");

    assertThat(room.evict()).isTrue();
    assertThat(harness.openSockets()).isEqualTo(2);

    ann.send("seat");
    ann.send("red");
    bob.send("who");
    assertThat(ann.takeTexts()).containsExactly("seat ann 1", "ann");
    assertThat(bob.takeTexts()).containsExactly("welcome bob []", "ann,bob");
  }

  @Test
  void onStartRunsOncePerInstanceBeforeItsFirstEvent() {
    RecordingSocket ann = room.connect("/?_pk=ann");
    ann.send("who");
    room.get("/");
    assertThat(room.stored("starts", Long.class)).contains(1L);

    room.evict();
    ann.send("who");
    assertThat(room.stored("starts", Long.class)).contains(2L);
  }

  @Test
  void aRepeatedIdIsToleratedAndFindsTheNewestConnection() {
    RecordingSocket old = room.connect("/?_pk=ann");
    RecordingSocket renewed = room.connect("/?_pk=ann");
    RecordingSocket bob = room.connect("/?_pk=bob");
    old.takeTexts();
    renewed.takeTexts();

    bob.send("find ann");
    bob.send("except ann hi");

    assertThat(old.takeTexts()).isEmpty();
    assertThat(renewed.takeTexts()).containsExactly("found you");
    assertThat(old.isOpen()).isTrue();
    bob.send("find nobody");
    assertThat(bob.takeTexts()).containsExactly("welcome bob []", "hi", "sent to 1", "none");
  }

  @Test
  void closesReachOnCloseWithTheConnectionsIdAndCode() {
    RecordingSocket ann = room.connect("/?_pk=ann");
    RecordingSocket bob = room.connect("/?_pk=bob");
    room.evict();
    ann.takeTexts();

    bob.close(1000, "done");
    bob.takeTexts();
    assertThat(ann.takeTexts()).containsExactly("left bob 1000");

    RecordingSocket cy = room.connect("/?_pk=cy");
    cy.send("bye");
    assertThat(cy.closedByObject()).contains(new RecordingSocket.Close(4000, "asked to leave"));
  }

  @Test
  void plainRequestsGoToOnRequestWithThePathBelowTheRoom() {
    room.connect("/?_pk=ann");
    Response response = room.get("/stats?x=1");
    assertThat(response.bodyText()).isEqualTo("lobby /stats 1");
  }

  @Test
  void theAlarmGoesToOnAlarm() {
    RecordingSocket ann = room.connect("/?_pk=ann");
    ann.send("alarm " + harness.now().plusSeconds(1).toEpochMilli());
    ann.takeTexts();
    harness.advance(Duration.ofSeconds(1));
    assertThat(ann.takeTexts()).containsExactly("alarm");
  }

  @Test
  void anIdTooLongForATagIsRefusedWith400() {
    String id = "x".repeat(PartyServer.MAX_CONNECTION_ID_LENGTH + 1);
    assertThatThrownBy(() -> room.connect("/?_pk=" + id))
        .hasMessageContaining("status 400")
        .hasMessageContaining("at most " + PartyServer.MAX_CONNECTION_ID_LENGTH);
    room.connect("/?_pk=" + "x".repeat(PartyServer.MAX_CONNECTION_ID_LENGTH));
  }

  @Test
  void aFailingOnConnectRefusesTheUpgradeButKeepsWhatItSent() {
    RecordingSocket ann = room.connect("/?_pk=ann");
    ann.takeTexts();

    assertThatThrownBy(() -> room.connect("/?_pk=bob&fail"))
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("IllegalStateException");

    assertThat(harness.openSockets()).isEqualTo(1);
    assertThat(ann.takeTexts()).containsExactly("refused bob");
  }

  @Test
  void aTagThatLooksLikeAnIdIsRefused() {
    assertThatThrownBy(() -> room.connect("/?_pk=ann&badtag"))
        .isInstanceOf(DurableObjectException.class);
    assertThat(harness.openSockets()).isZero();
  }
}
