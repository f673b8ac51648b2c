package dev.outpost.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What RpcClient refuses before any request: bad URLs, classes, calls on an event loop. */
class RpcClientTest {

  /** A typed API, as an application would share it with its objects. */
  interface RoomApi {
    int join(String user);

    default String greeting() {
      return "local default";
    }
  }

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aRouterUrlWithoutSchemeOrHostIsRefusedSayingTheShape() {
    for (String url :
        new String[] {"127.0.0.1:8081", "ws://127.0.0.1:8081", "http://", "not a url"}) {
      assertThatThrownBy(() -> RpcClient.create(vertx, url))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "router URL '" + url + "' must be http(s)://HOST[:PORT], e.g. http://127.0.0.1:8081");
    }
    assertThatThrownBy(() -> RpcClient.create(vertx, "http://127.0.0.1:1", Duration.ZERO))
        .hasMessage("timeout must be positive, was PT0S");
  }

  @Test
  void aStubNeedsAnInterfaceAndAnswersObjectMethodsAndDefaultsLocally() {
    try (RpcClient rpc = RpcClient.create(vertx, "http://127.0.0.1:1")) {
      assertThatThrownBy(() -> rpc.stub("rooms", "a", String.class))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "java.lang.String is not an interface; a stub needs the interface the object"
                  + " implements");
      RoomApi room = rpc.stub("rooms", "lobby one", RoomApi.class);
      assertThat(room.toString()).isEqualTo("RpcClient stub of RoomApi for rooms/lobby one");
      assertThat(room).isEqualTo(room).isNotEqualTo(rpc.stub("rooms", "lobby one", RoomApi.class));
      assertThat(room.greeting()).isEqualTo("local default"); // no request: port 1 is closed
    }
  }

  @Test
  void aCallOnAnEventLoopIsRefusedBecauseItWouldBlockIt() throws Exception {
    try (RpcClient rpc = RpcClient.create(vertx, "http://127.0.0.1:1")) {
      RoomApi room = rpc.stub("rooms", "lobby", RoomApi.class);
      CompletableFuture<Throwable> failure = new CompletableFuture<>();
      vertx.runOnContext(
          v -> {
            try {
              room.join("ana");
              failure.complete(null);
            } catch (Throwable t) {
              failure.complete(t);
            }
          });
      assertThat(failure.get(10, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "RpcClient calls block; make them on a worker or virtual thread, not an event loop");
    }
  }
}
