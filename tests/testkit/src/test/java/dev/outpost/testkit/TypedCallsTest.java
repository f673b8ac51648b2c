package dev.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.RpcException;
import dev.outpost.runtime.RpcCalls;
import dev.outpost.runtime.RuntimeOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Typed calls ({@code DurableObjectStub.rpc}) on one host: dispatch, JSON, errors, re-entrancy. */
class TypedCallsTest {

  private final ObjectHarness harness =
      ObjectHarness.builder()
          .namespace("rooms", RpcRoom.class)
          .options(RuntimeOptions.defaults().withMaxRpcSize(4096))
          .build();
  private final ObjectUnderTest lobby = harness.object("lobby");
  private final RoomApi room = lobby.rpc(RoomApi.class);

  @AfterEach
  void close() {
    harness.close();
  }

  /** A call as the JS client sends it: method by name, no interface, JSON array body. */
  private Response raw(String method, String jsonArgs) {
    return lobby.fetch(
        Request.builder("POST", "/").header(RpcCalls.METHOD_HEADER, method).body(jsonArgs).build());
  }

  @Test
  void callsRunTheMethodOnTheObjectAndCarryJsonBothWays() {
    assertThat(room.join("ana")).isEqualTo(1);
    assertThat(room.join("ben")).isEqualTo(2);
    assertThat(room.join("ana")).isEqualTo(2);
    assertThat(room.members()).containsExactly("ana", "ben");
    assertThat(room.summary())
        .isEqualTo(new RpcRoom.Summary("lobby", List.of("ana", "ben"), Map.of("ana", 3, "ben", 3)));
    assertThat(room.echo(null)).isNull();
    assertThat(lobby.stored("members", String.class)).contains("ana\nben");
    // fetch is still the object's own
    assertThat(lobby.get("/x").bodyText()).isEqualTo("fetch /x");
  }

  @Test
  void aThrownExceptionComesBackRemoteWithItsClassAndMessageAndTheWritesBeforeItStay() {
    assertThatThrownBy(() -> room.joinThenFail("cy", "room is full"))
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remote()).isTrue();
              assertThat(e.retryable()).isFalse();
              assertThat(e.remoteClass()).contains("java.lang.IllegalStateException");
              assertThat(e.remoteMessage()).isEqualTo("room is full");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "RoomApi.joinThenFail threw java.lang.IllegalStateException: room is full");
            });
    assertThat(room.members()).containsExactly("cy"); // kept, as for a fetch that throws
  }

  @Test
  void anExceptionOfANestedCallKeepsTheClassTheInnermostMethodThrew() {
    RelayApi relay = lobby.rpc(RelayApi.class);
    harness.object("far").rpc(RoomApi.class).join("x");
    RoomApi viaLobby = lobby.rpc(RoomApi.class);
    assertThatThrownBy(() -> viaLobby.joinVia("far", null))
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remoteClass()).contains("java.lang.NullPointerException");
              assertThat(e.getMessage())
                  .isEqualTo("RoomApi.joinVia threw java.lang.NullPointerException: user");
            });
    assertThat(relay.relay(List.of("far"))).isEqualTo("lobby->far(x)");
  }

  @Test
  void aCycleBackIntoAWaitingObjectRunsReentrantly() {
    room.join("ana");
    harness.object("b").rpc(RoomApi.class).join("ben");
    RelayApi relay = lobby.rpc(RelayApi.class);
    assertThat(relay.relay(List.of("b", "lobby"))).isEqualTo("lobby->b->lobby(ana)");
    assertThat(relay.relay(List.of("b", "lobby", "b"))).isEqualTo("lobby->b->lobby->b(ben)");
    // a call from one object to another that writes there
    assertThat(room.joinVia("b", "cy")).isEqualTo(2);
    assertThat(harness.object("b").rpc(RoomApi.class).members()).containsExactly("ben", "cy");
  }

  @Test
  void anInterfaceTheObjectDoesNotImplementIsRefusedNamingTheOnesItDoes() {
    assertThatThrownBy(() -> lobby.rpc(OtherApi.class).echo("hi"))
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remote()).isFalse();
              assertThat(e.remoteClass()).isEmpty();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "OtherApi.echo: the object implements no interface"
                          + " dev.outpost.testkit.OtherApi; its callable interfaces:"
                          + " [dev.outpost.testkit.RelayApi, dev.outpost.testkit.RoomApi]");
            });
  }

  @Test
  void callsByNameAreCheckedForMethodCountAndTypes() {
    assertThat(raw("join", "[\"ana\"]").bodyText()).isEqualTo("{\"result\":1}");
    assertThat(raw("members", "").bodyText()).isEqualTo("{\"result\":[\"ana\"]}");

    Response unknown = raw("leave", "[\"ana\"]");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.bodyText())
        .isEqualTo(
            "{\"invalid\":\"no method 'leave' in [RelayApi, RoomApi]; callable: [echo(1),"
                + " join(1), joinThenFail(2), joinVia(2), members(0), relay(1), summary(0)]\"}");
    assertThat(raw("join", "[]").bodyText())
        .isEqualTo("{\"invalid\":\"RoomApi.join takes 1 argument(s), not 0\"}");
    assertThat(raw("join", "[null]").bodyText())
        .isEqualTo("{\"threw\":\"java.lang.NullPointerException\",\"message\":\"user\"}");
    assertThat(raw("join", "[1]").bodyText())
        .startsWith("{\"invalid\":\"argument 1 of RoomApi.join is not a java.lang.String: ");
    assertThat(raw("relay", "[{\"a\":1}]").bodyText())
        .startsWith(
            "{\"invalid\":\"argument 1 of RelayApi.relay is not a java.util.List<java.lang.String>: ");
    assertThat(raw("join", "{\"user\":\"ana\"}").bodyText())
        .isEqualTo("{\"invalid\":\"the body must be a JSON array of the arguments\"}");
    assertThat(raw("join", "[\"ana\"").bodyText())
        .startsWith("{\"invalid\":\"the body is not JSON: ");
    assertThat(room.members()).containsExactly("ana"); // none of the refused calls ran
  }

  @Test
  void onlyInterfaceMethodsAreCallableNeverTheClassesOthersNorObjectsNorTheRuntimes() {
    for (String method : List.of("secret", "hashCode", "toString", "getClass", "fetch", "alarm")) {
      Response r = raw(method, "[]");
      assertThat(r.status()).as(method).isEqualTo(400);
      assertThat(r.bodyText()).as(method).startsWith("{\"invalid\":\"no method '" + method + "'");
    }
    Response framework =
        lobby.fetch(
            Request.builder("POST", "/")
                .header(RpcCalls.METHOD_HEADER, "fetch")
                .header(RpcCalls.INTERFACE_HEADER, "dev.outpost.api.DurableObject")
                .body("[null]")
                .build());
    assertThat(framework.bodyText())
        .isEqualTo(
            "{\"invalid\":\"dev.outpost.api.DurableObject is not callable by typed calls: only"
                + " public interfaces annotated @Rpc are (java.*, javax.*, jdk.* and"
                + " dev.outpost.api.* interfaces never are)\"}");
    Response unmarked =
        lobby.fetch(
            Request.builder("POST", "/")
                .header(RpcCalls.METHOD_HEADER, "wipe")
                .header(RpcCalls.INTERFACE_HEADER, UnmarkedApi.class.getName())
                .body("[]")
                .build());
    assertThat(unmarked.bodyText())
        .isEqualTo(
            "{\"invalid\":\"dev.outpost.testkit.UnmarkedApi is not callable by typed calls: only"
                + " public interfaces annotated @Rpc are (java.*, javax.*, jdk.* and"
                + " dev.outpost.api.* interfaces never are)\"}");
    assertThat(raw("wipe", "[]").bodyText()).startsWith("{\"invalid\":\"no method 'wipe'");
    Response get =
        lobby.fetch(Request.builder("GET", "/").header(RpcCalls.METHOD_HEADER, "members").build());
    assertThat(get.bodyText()).isEqualTo("{\"invalid\":\"a typed call is a POST, not a GET\"}");
  }

  @Test
  void argumentsAndResultsAreBoundedByTheMessageLimit() {
    String big = "x".repeat(5000);
    assertThatThrownBy(() -> room.echo(big))
        .isInstanceOf(RpcException.class)
        .hasMessage(
            "the arguments of RoomApi.echo to "
                + lobby.address()
                + " are 5004 bytes of JSON; the limit is 4096 (outpost.websocket.max-message-size)");
    String name = "y".repeat(1500);
    room.join(name);
    room.join(name + "2");
    assertThat(room.members()).hasSize(2); // 3 kB of result
    room.join(name + "3");
    assertThatThrownBy(room::members)
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remote()).isTrue();
              assertThat(e.remoteMessage())
                  .startsWith("the result of RoomApi.members is ")
                  .endsWith(
                      "bytes of JSON; the limit is 4096 (outpost.websocket.max-message-size)");
            });
  }

  @Test
  void aStubOfAClassIsRefusedAtOnce() {
    assertThatThrownBy(() -> lobby.rpc(RpcRoom.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an interface");
    assertThat(DurableObjectException.class).isAssignableFrom(RpcException.class);
  }
}
