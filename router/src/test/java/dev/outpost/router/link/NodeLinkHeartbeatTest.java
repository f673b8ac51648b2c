package dev.outpost.router.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.router.LatencyEmulator;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node link is given up when its peer stops answering pings (a stopped or cut-off peer whose TCP
 * connection stays open) and when membership says the peer changed; a peer that answers keeps its
 * link. Real sockets on 127.0.0.1: a Vert.x server that answers pings as every node does, and a
 * peer that completes the WebSocket handshake by hand and then never reads or writes again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeLinkHeartbeatTest {

  private static final NodeLink.Heartbeat FAST =
      new NodeLink.Heartbeat(Duration.ofMillis(100), Duration.ofMillis(800));
  private static final ObjectAddress ADDRESS =
      new ObjectAddress("counter", DurableObjectId.of("%064x".formatted(7), Optional.empty()));

  private Vertx vertx;
  private NodeLinks links;
  private final dev.outpost.router.RouterMetrics metrics =
      dev.outpost.router.RouterMetrics.create();
  private final List<NetSocket> stalled = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    links =
        new NodeLinks(
            vertx,
            "self",
            "secret",
            1 << 20,
            LatencyEmulator.OFF,
            "local",
            java.util.Optional.empty(),
            metrics,
            FAST);
  }

  @AfterEach
  void stop() throws Exception {
    links.close();
    metrics.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aPeerThatAnswersPingsKeepsItsLink() throws Exception {
    NodeInfo peer = node("answering", answeringPeer());
    NodeLink link = links.to(peer).get(10, TimeUnit.SECONDS);
    Thread.sleep(FAST.timeout().multipliedBy(3).toMillis());
    assertThat(link.isLost()).as("link to a peer that answers pings").isFalse();
    assertThat(links.to(peer).get(10, TimeUnit.SECONDS)).isSameAs(link);
  }

  @Test
  void aSilentPeerLosesItsLinkAndItsExchangesFailAsRetryable() throws Exception {
    NodeInfo peer = node("stalled", stalledPeer());
    NodeLink link = links.to(peer).get(10, TimeUnit.SECONDS);
    CompletableFuture<Response> pending =
        links.forward(peer, ADDRESS, Request.get("http://object/"));
    assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(DurableObjectException.class)
        .hasMessageContaining("was lost");
    assertThat(((DurableObjectException) unwrap(pending)).retryable()).isTrue();
    assertThat(link.isLost()).isTrue();
    assertThat(stalled).as("the stalled peer's handshake was completed").hasSize(1);
  }

  @Test
  void aPeerThatLeftOrRestartedLosesItsLinkAtOnceAndTheNextUseOpensANewOne() throws Exception {
    NodeInfo peer = node("answering", answeringPeer());
    NodeLink first = links.to(peer).get(10, TimeUnit.SECONDS);
    links.peerChanged(peer.nodeId());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!first.isLost() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(first.isLost()).as("link given up when membership says the peer changed").isTrue();
    NodeLink second = links.to(peer).get(10, TimeUnit.SECONDS);
    assertThat(second).isNotSameAs(first);
    assertThat(second.isLost()).isFalse();
  }

  @Test
  void aHeartbeatNeedsATimeoutLongerThanItsInterval() {
    assertThatThrownBy(() -> new NodeLink.Heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("interval < timeout");
  }

  private static Throwable unwrap(CompletableFuture<?> future) {
    try {
      future.join();
      throw new AssertionError("expected a failure");
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    }
  }

  private static NodeInfo node(String id, int port) {
    return new NodeInfo(id, "local", "127.0.0.1", port);
  }

  /** A WebSocket server as a node's: Vert.x answers pings with pongs by itself. */
  private int answeringPeer() throws Exception {
    HttpServer server =
        vertx
            .createHttpServer()
            .webSocketHandshakeHandler(handshake -> handshake.accept())
            .webSocketHandler(ws -> {});
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  /** A peer that completes the handshake (RFC 6455 §4.2.2) and then goes silent, as if stopped. */
  private int stalledPeer() throws Exception {
    Pattern key = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)");
    NetServer server =
        vertx
            .createNetServer()
            .connectHandler(
                socket -> {
                  Buffer head = Buffer.buffer();
                  socket.handler(
                      chunk -> {
                        head.appendBuffer(chunk);
                        String text = head.toString(StandardCharsets.ISO_8859_1);
                        Matcher m = key.matcher(text);
                        if (text.contains("\r\n\r\n") && m.find()) {
                          socket.pause(); // never read again: no pong, no close
                          socket.write(
                              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                  + "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                                  + accept(m.group(1))
                                  + "\r\n\r\n");
                          stalled.add(socket);
                        }
                      });
                });
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  private static String accept(String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1")
              .digest(
                  (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                      .getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
