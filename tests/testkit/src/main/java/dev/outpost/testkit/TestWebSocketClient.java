package dev.outpost.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens {@link CollectingWebSocket}s to one node, on a Vert.x instance the test owns.
 *
 * <p>Vert.x 5's {@link WebSocketClient} queues connections beyond {@code maxConnections} per server
 * silently (default 50, {@code WebSocketClientOptions.DEFAULT_MAX_CONNECTIONS}); this client raises
 * the limit to what the test asks for. Its maximum frame and message sizes are 64 MiB, so a test
 * can send a message larger than any server-side limit and see the server refuse it.
 *
 * <p>{@link #connect} blocks and must not run on an event loop.
 */
public final class TestWebSocketClient implements AutoCloseable {

  /** How long connect and close wait: a safety net, not a synchronizer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final int MAX_SIZE = 64 * 1024 * 1024;

  private final WebSocketClient client;
  private final String host;
  private final int port;

  /** A client for {@code node} allowing {@code maxConnections} open sockets. */
  public TestWebSocketClient(Vertx vertx, TestNode node, int maxConnections) {
    this(vertx, node.hostName(), node.port(), maxConnections);
  }

  /** A client for {@code host:port} allowing {@code maxConnections} open sockets. */
  public TestWebSocketClient(Vertx vertx, String host, int port, int maxConnections) {
    Objects.requireNonNull(vertx, "vertx");
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(maxConnections)
                .setMaxFrameSize(MAX_SIZE)
                .setMaxMessageSize(MAX_SIZE));
  }

  /**
   * Opens a socket to {@code uri} (such as {@code /objects/chat/lobby}). Its handlers are set
   * before the handshake, so no message sent right after the upgrade is missed.
   *
   * @throws AssertionError if the handshake fails or takes longer than {@link #TIMEOUT}; closing
   *     this client also closes a connection whose handshake never finished
   */
  public CollectingWebSocket connect(String uri) {
    return connect(uri, TIMEOUT);
  }

  /** {@link #connect(String)} waiting at most {@code timeout} for the handshake. */
  public CollectingWebSocket connect(String uri, Duration timeout) {
    ClientWebSocket socket = client.webSocket();
    CollectingWebSocket collecting = new CollectingWebSocket(uri, socket);
    try {
      socket
          .connect(new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri))
          .await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("WebSocket handshake with " + uri + " took longer than " + timeout);
    } catch (RuntimeException e) {
      throw new AssertionError("WebSocket handshake with " + uri + " failed: " + e, e);
    }
    return collecting;
  }

  /** Closes the client and every socket it opened; waits at most {@link #TIMEOUT}. */
  @Override
  public void close() {
    try {
      client.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("WebSocket client did not close within " + TIMEOUT, e);
    }
  }
}
