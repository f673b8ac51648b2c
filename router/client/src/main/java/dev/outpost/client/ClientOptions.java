package dev.outpost.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of an {@link OutpostClient}. Immutable; start from {@link #of(List, String)}.
 *
 * @param routers base URLs of routers ({@code http://host:port}); each (re)connect takes the next
 *     one, so a client goes on through another router when one is gone
 * @param path the object's path and query, such as {@code /objects/chat/lobby?user=ana}
 * @param transports the transports to try, in order; a transport that never opened gives way to the
 *     next one, and the client stays with the first that worked
 * @param minBackoff the first reconnect delay; doubled per failed attempt
 * @param maxBackoff the longest reconnect delay
 * @param connectTimeout how long a connection attempt may take before it counts as failed
 * @param maxQueued most messages waiting to be sent or acknowledged (the offline queue); {@link
 *     OutpostClient#send} answers false beyond it
 */
public record ClientOptions(
    List<String> routers,
    String path,
    List<ClientTransport> transports,
    Duration minBackoff,
    Duration maxBackoff,
    Duration connectTimeout,
    int maxQueued) {

  /** Validates the fields. */
  public ClientOptions {
    routers = List.copyOf(routers);
    transports = List.copyOf(transports);
    Objects.requireNonNull(path, "path");
    if (routers.isEmpty() || transports.isEmpty()) {
      throw new IllegalArgumentException("give at least one router and one transport");
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /: " + path);
    }
    if (maxQueued < 1) {
      throw new IllegalArgumentException("maxQueued must be >= 1");
    }
  }

  /** WebSocket, then event stream, then long polling; backoff 250 ms..10 s; 5 s connect timeout. */
  public static ClientOptions of(List<String> routers, String path) {
    return new ClientOptions(
        routers,
        path,
        List.of(
            ClientTransport.WEBSOCKET, ClientTransport.EVENT_STREAM, ClientTransport.LONG_POLLING),
        Duration.ofMillis(250),
        Duration.ofSeconds(10),
        Duration.ofSeconds(5),
        1000);
  }

  /** With these transports, in this order. */
  public ClientOptions withTransports(ClientTransport... value) {
    return new ClientOptions(
        routers, path, List.of(value), minBackoff, maxBackoff, connectTimeout, maxQueued);
  }

  /** With other reconnect delays. */
  public ClientOptions withBackoff(Duration min, Duration max) {
    return new ClientOptions(routers, path, transports, min, max, connectTimeout, maxQueued);
  }

  /** With another offline queue bound. */
  public ClientOptions withMaxQueued(int value) {
    return new ClientOptions(
        routers, path, transports, minBackoff, maxBackoff, connectTimeout, value);
  }
}
