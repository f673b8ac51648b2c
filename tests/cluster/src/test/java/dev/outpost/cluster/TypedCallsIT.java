package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.RpcException;
import dev.outpost.client.RpcClient;
import dev.outpost.testkit.TestCluster;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Typed calls across two real nodes: room {@code a} lives on node-1, room {@code b} on node-2 (each
 * placed by the router that saw its first call), and every call goes through the router that does
 * not own its target.
 */
class TypedCallsIT {

  private static final java.time.Duration CALL_TIMEOUT = java.time.Duration.ofSeconds(30);

  @TempDir Path dir;
  private TestCluster cluster;
  private Vertx vertx;
  private RpcClient viaNode1;
  private RpcClient viaNode2;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(dir, 2, b -> b.namespace("rooms", RpcRoom.class));
    vertx = Vertx.vertx();
    // A generous timeout: in the full suite this test follows the chaos test on a loaded machine,
    // where one call once waited past the default 10 s.
    viaNode1 = RpcClient.create(vertx, "http://127.0.0.1:" + cluster.node(0).port(), CALL_TIMEOUT);
    viaNode2 = RpcClient.create(vertx, "http://127.0.0.1:" + cluster.node(1).port(), CALL_TIMEOUT);
    // Placement: the router that sees an object's first request places it on its own node.
    assertThat(viaNode1.stub("rooms", "a", RoomApi.class).members()).isEmpty();
    assertThat(viaNode2.stub("rooms", "b", RoomApi.class).members()).isEmpty();
    assertThat(cluster.node(0).ownerOf("rooms", "a")).isEqualTo("node-1");
    assertThat(cluster.node(0).ownerOf("rooms", "b")).isEqualTo("node-2");
  }

  @AfterEach
  void stop() {
    viaNode1.close();
    viaNode2.close();
    vertx.close();
    cluster.close();
  }

  @Test
  void aCallFromAnObjectOnOneNodeRunsOnTheOwnerOnAnother() {
    RoomApi a = viaNode2.stub("rooms", "a", RoomApi.class); // node-2 forwards to node-1
    assertThat(a.join("ana")).isEqualTo(1);
    assertThat(a.joinVia("b", "ben")).isEqualTo(1); // a on node-1 calls b on node-2
    assertThat(a.joinVia("b", "cy")).isEqualTo(2);
    assertThat(viaNode1.stub("rooms", "b", RoomApi.class).members()).containsExactly("ben", "cy");
    assertThat(a.trace(List.of("b"))).isEqualTo("a@node-1->b@node-2");
  }

  @Test
  void anExceptionThrownOnAnotherNodeComesBackRemoteWithItsClassAndMessage() {
    RoomApi a = viaNode2.stub("rooms", "a", RoomApi.class);
    assertThatThrownBy(() -> a.failVia("b", "dee", "room b is full"))
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remote()).isTrue();
              assertThat(e.remoteClass()).contains("java.lang.IllegalStateException");
              assertThat(e.remoteMessage()).isEqualTo("room b is full");
              assertThat(e.getMessage())
                  .isEqualTo(
                      "RoomApi.failVia threw java.lang.IllegalStateException: room b is full");
            });
    // b's write before it threw is kept, as for a fetch that throws
    assertThat(viaNode1.stub("rooms", "b", RoomApi.class).members()).containsExactly("dee");
  }

  @Test
  void aCycleAcrossNodesBackIntoAWaitingObjectCompletes() {
    RoomApi a = viaNode2.stub("rooms", "a", RoomApi.class);
    assertThat(a.trace(List.of("b", "a"))).isEqualTo("a@node-1->b@node-2->a@node-1");
    assertThat(a.trace(List.of("b", "a", "b", "a")))
        .isEqualTo("a@node-1->b@node-2->a@node-1->b@node-2->a@node-1");
  }

  @Test
  void aCallThatDoesNotFitIsRefusedWithoutRunning() {
    RoomApi b = viaNode1.stub("rooms", "b", RoomApi.class);
    assertThatThrownBy(() -> viaNode1.stub("rooms", "b", Runnable.class).run())
        .isInstanceOfSatisfying(
            RpcException.class,
            e -> {
              assertThat(e.remote()).isFalse();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "Runnable.run: the object implements no interface java.lang.Runnable; its"
                          + " callable interfaces: [dev.outpost.cluster.RoomApi]");
            });
    assertThatThrownBy(() -> viaNode1.stub("nowhere", "b", RoomApi.class).members())
        .isInstanceOf(dev.outpost.api.DurableObjectException.class)
        .hasMessageStartingWith("RoomApi.members to nowhere/b was answered 404, not an RPC answer");
    assertThat(b.members()).isEmpty();
  }

  @Test
  void theJsClientCallsByNameOverItsConnectionAndWithout() throws Exception {
    Path script =
        Path.of(System.getProperty("outpost.root", "../.."), "tests/realtime/src/test/js");
    Path log = Files.createTempFile(dir, "rpc-test", ".log");
    Process node =
        new ProcessBuilder(
                "node",
                "rpc-test.mjs",
                "http://127.0.0.1:" + cluster.node(1).port(),
                "/objects/rooms/a")
            .directory(script.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean done = node.waitFor(60, TimeUnit.SECONDS);
    if (!done) {
      node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String output = read(log);
    assertThat(done).as("node rpc-test.mjs ended within 60 s:\n%s", output).isTrue();
    assertThat(node.exitValue()).as("node rpc-test.mjs:\n%s", output).isZero();
    assertThat(output.lines().filter(l -> l.startsWith("{")).toList())
        .containsExactly(
            "{\"step\":\"join\",\"result\":1}",
            "{\"step\":\"members\",\"result\":[\"js\"]}",
            "{\"step\":\"fail\",\"name\":\"RpcError\",\"status\":500,\"remote\":true,"
                + "\"remoteClass\":\"java.lang.IllegalStateException\","
                + "\"remoteMessage\":\"no room for js\","
                + "\"message\":\"fail threw java.lang.IllegalStateException: no room for js\"}",
            "{\"step\":\"nope\",\"name\":\"RpcError\",\"status\":400,\"remote\":false,"
                + "\"remoteClass\":null,"
                + "\"remoteMessage\":\"no method 'nope' in [RoomApi]; callable: [fail(2),"
                + " failVia(3), join(1), joinVia(2), members(0), trace(1)]\","
                + "\"message\":\"nope: no method 'nope' in [RoomApi]; callable: [fail(2),"
                + " failVia(3), join(1), joinVia(2), members(0), trace(1)]\"}",
            "{\"step\":\"trace\",\"result\":\"a@node-1->b@node-2\"}");
    // The JS client's writes are the object's: a Java stub sees them.
    assertThat(viaNode1.stub("rooms", "a", RoomApi.class).members()).containsExactly("js", "js2");
  }

  private static String read(Path log) throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
