package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.realtime.OutboundBudget;
import dev.outpost.runtime.ConnectGuards;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ServedApp;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketConnection}'s output accounting over real sockets on 127.0.0.1: completions are
 * watched one at a time, yet every admitted message is given back to the budget once written, in
 * order, from several sending threads; and a client that stops reading is still cut off with 4008.
 */
class WebSocketConnectionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Vertx vertx;
  private HttpServer server;
  // Held: Vert.x shuts a client down once it is garbage collected (eclipse-vertx/vert.x#5839).
  private WebSocketClient webSocketClient;
  private final AtomicReference<Context> serverLoop = new AtomicReference<>();
  private final List<String> closes = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** A server whose one socket is bound to {@code connection}; the client socket, connected. */
  private WebSocket start(WebSocketConnection connection) throws Exception {
    vertx = Vertx.vertx();
    CountDownLatch bound = new CountDownLatch(1);
    server =
        vertx
            .createHttpServer()
            .webSocketHandler(
                ws -> {
                  serverLoop.set(Vertx.currentContext());
                  connection.bind(ws, new ClosesOnly(), () -> {});
                  bound.countDown();
                });
    int port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    webSocketClient = vertx.createWebSocketClient();
    WebSocket socket =
        webSocketClient.connect(port, "127.0.0.1", "/room").await(10, TimeUnit.SECONDS);
    assertThat(bound.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("server side bound").isTrue();
    return socket;
  }

  /** Runs barriers on the server socket's event loop until the budget is empty, or fails. */
  private void awaitReleased(OutboundBudget budget) throws Exception {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (budget.messages() != 0 || budget.bytes() != 0) {
      assertThat(System.nanoTime())
          .as(
              "budget back to empty within %s; still %d messages, %d bytes",
              TIMEOUT, budget.messages(), budget.bytes())
          .isLessThan(deadline);
      CountDownLatch barrier = new CountDownLatch(1);
      serverLoop.get().runOnContext(v -> barrier.countDown());
      assertThat(barrier.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void everyWriteIsGivenBackToTheBudgetAndArrivesInOrderPerSender() throws Exception {
    OutboundBudget budget = new OutboundBudget(100_000, 100L * 1024 * 1024);
    WebSocketConnection connection = new WebSocketConnection("test", 65_536, budget);
    WebSocket client = start(connection);
    int senders = 4;
    int each = 5_000;
    List<String> received = new CopyOnWriteArrayList<>();
    CountDownLatch all = new CountDownLatch(senders * each);
    client.textMessageHandler(
        text -> {
          received.add(text);
          all.countDown();
        });

    List<Thread> threads =
        java.util.stream.IntStream.range(0, senders)
            .mapToObj(
                s ->
                    Thread.ofVirtual()
                        .start(
                            () -> {
                              for (int i = 0; i < each; i++) {
                                connection.send(WebSocketMessage.text(s + ":" + i));
                              }
                            }))
            .toList();
    for (Thread t : threads) {
      t.join(TIMEOUT.toMillis());
    }

    assertThat(all.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        .as("all %d messages within %s; got %d", senders * each, TIMEOUT, received.size())
        .isTrue();
    for (int s = 0; s < senders; s++) {
      String prefix = s + ":";
      assertThat(received.stream().filter(t -> t.startsWith(prefix)).toList())
          .as("sender %d's messages in its order", s)
          .containsExactlyElementsOf(
              java.util.stream.IntStream.range(0, each).mapToObj(i -> prefix + i).toList());
    }
    awaitReleased(budget);
    assertThat(closes).isEmpty();
  }

  @Test
  void aClientThatStopsReadingIsCutOffWith4008() throws Exception {
    OutboundBudget budget = new OutboundBudget(64, 256L * 1024);
    WebSocketConnection connection = new WebSocketConnection("test", 65_536, budget);
    WebSocket client = start(connection);
    client.pause();
    String pad = "x".repeat(16 * 1024);

    int sent = 0;
    while (closes.isEmpty() && sent < 100_000) { // 1.6 GB: far beyond any socket buffer
      connection.send(WebSocketMessage.text(sent++ + ":" + pad));
    }

    assertThat(closes)
        .as("cut off after %d messages", sent)
        .containsExactly(
            CloseCodes.SLOW_CONSUMER
                + " client too slow: output queue full (outpost.realtime.outbound-max-*)");
  }

  /** The inbox side: only closes matter here. */
  private final class ClosesOnly implements ObjectInbox {
    @Override
    public Optional<DurableObjectNamespace> namespace(String name) {
      return Optional.empty();
    }

    @Override
    public Set<String> namespaceNames() {
      return Set.of();
    }

    @Override
    public List<ServedApp> apps() {
      return List.of();
    }

    @Override
    public SortedMap<String, String> parties() {
      return new TreeMap<>();
    }

    @Override
    public ConnectGuards guards(String namespace) {
      return ConnectGuards.NONE;
    }

    @Override
    public CompletableFuture<Response> fetch(ObjectAddress address, Request request) {
      throw new UnsupportedOperationException("not used by this test");
    }

    @Override
    public CompletableFuture<Response> call(
        ObjectAddress address, Request request, List<ObjectAddress> chain) {
      throw new UnsupportedOperationException("not used by this test");
    }

    @Override
    public CompletableFuture<Response> upgrade(
        ObjectAddress address, Request request, ClientConnection connection) {
      throw new UnsupportedOperationException("not used by this test");
    }

    @Override
    public void socketMessage(ClientConnection connection, WebSocketMessage message) {}

    @Override
    public void socketClosed(ClientConnection connection, int code, String reason, boolean clean) {
      closes.add(code + " " + reason);
    }

    @Override
    public void socketError(ClientConnection connection, Throwable error) {}
  }
}
