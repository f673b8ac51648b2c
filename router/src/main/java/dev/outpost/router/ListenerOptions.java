package dev.outpost.router;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node's HTTP port treats connections before they are requests: TLS, and the bounds that keep
 * idle or slow connections from exhausting the node's file descriptors ({@link ConnectionGuard}).
 *
 * @param tls TLS on the HTTP port (HTTPS, WSS, links over TLS with client certificates); empty:
 *     plain HTTP
 * @param requestHeadTimeout how long a connection may take to deliver a complete request head (the
 *     request line and every header) after it opened, or after the response to its previous request
 *     ended (keep-alive); then it is closed. WebSocket, event-stream and long-poll connections are
 *     past their head and are not affected. Default 10 s.
 * @param maxConnectionsPerAddress how many connections one remote address may hold open at once; a
 *     connection over the cap is closed as soon as it is accepted, before anything is read (an
 *     answer would mean holding it open). Node links count too: a cluster on one machine needs room
 *     for its peers' links. Default 1,000 ({@code 0}: no cap).
 * @param trimWebSockets whether each client WebSocket, right after its handshake, drops what Vert.x
 *     keeps of the HTTP request it was upgraded from (the request, its connection, its headers) and
 *     gets a lean outbound queue ({@link SocketFootprint}): measured ~4 KB instead of 17.4 KB of
 *     heap per idle hibernated socket (docs/benchmarks.md). Frames, ordering and close codes are
 *     unchanged; the Vert.x socket's {@code headers()} answers empty (nothing in Outpost reads it:
 *     objects see the headers in the upgrade's {@code Request}). Default on; off only to measure
 *     the difference.
 */
public record ListenerOptions(
    Optional<TlsOptions> tls,
    Duration requestHeadTimeout,
    int maxConnectionsPerAddress,
    boolean trimWebSockets) {

  /** Validates the fields. */
  public ListenerOptions {
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(requestHeadTimeout, "requestHeadTimeout");
    if (requestHeadTimeout.toMillis() < 1) {
      throw new IllegalArgumentException(
          "the request head timeout must be at least 1 ms, was " + requestHeadTimeout);
    }
    if (maxConnectionsPerAddress < 0) {
      throw new IllegalArgumentException(
          "the connection cap per address must be 0 (none) or more, was "
              + maxConnectionsPerAddress);
    }
  }

  /**
   * Plain HTTP, a 10 s request-head timeout, at most 1,000 connections per address, WebSockets
   * trimmed.
   */
  public static ListenerOptions defaults() {
    return new ListenerOptions(Optional.empty(), Duration.ofSeconds(10), 1000, true);
  }

  /** With TLS on the HTTP port. */
  public ListenerOptions withTls(TlsOptions value) {
    return new ListenerOptions(
        Optional.of(Objects.requireNonNull(value, "tls")),
        requestHeadTimeout,
        maxConnectionsPerAddress,
        trimWebSockets);
  }

  /** With another request-head timeout. */
  public ListenerOptions withRequestHeadTimeout(Duration value) {
    return new ListenerOptions(tls, value, maxConnectionsPerAddress, trimWebSockets);
  }

  /** With another cap on connections per remote address ({@code 0}: none). */
  public ListenerOptions withMaxConnectionsPerAddress(int value) {
    return new ListenerOptions(tls, requestHeadTimeout, value, trimWebSockets);
  }

  /** With client WebSockets trimmed after their handshake, or not ({@link SocketFootprint}). */
  public ListenerOptions withTrimWebSockets(boolean value) {
    return new ListenerOptions(tls, requestHeadTimeout, maxConnectionsPerAddress, value);
  }

  /** {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return tls.isPresent() ? "https" : "http";
  }
}
