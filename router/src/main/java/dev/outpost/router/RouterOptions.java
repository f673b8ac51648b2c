package dev.outpost.router;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of a node's HTTP front.
 *
 * @param host the interface to bind; 127.0.0.1 unless told otherwise
 * @param port the port; 0 picks a free one
 * @param eventLoops event-loop threads serving clients
 * @param maxMessageSize {@code outpost.websocket.max-message-size}: largest incoming WebSocket
 *     message (and HTTP body), in bytes; a larger message closes the socket with 1009
 * @param nodeId the node's id, reported by health and in headers
 * @param pingInterval how often the router pings every client WebSocket (RFC 6455 §5.5.2); a socket
 *     that has not answered the previous ping with a pong (§5.5.3) by the next one is closed, so a
 *     half-open connection is noticed within two intervals even for clients without Outpost's own
 *     heartbeats (y-websocket, partysocket). Default 30 s, as y-websocket's server.
 * @param allowedOrigins the origins ({@code scheme://host[:port]}, as browsers send them in {@code
 *     Origin}) whose pages may call this router across origins (CORS, WHATWG Fetch §3.2): their
 *     preflights are answered by the router and their responses carry {@code
 *     Access-Control-Allow-Origin}; {@code "*"} allows any origin. Other cross-origin HTTP requests
 *     get 403 and never reach an object. Same-origin requests and WebSocket upgrades are not
 *     affected (RFC 6455 §10.2 leaves {@code Origin} to the server: the object sees it). Empty by
 *     default.
 * @param compression how {@code permessage-deflate} offers from clients are answered: {@link
 *     WebSocketCompressionOptions#defaults()} unless configured
 */
public record RouterOptions(
    String host,
    int port,
    int eventLoops,
    int maxMessageSize,
    String nodeId,
    java.time.Duration pingInterval,
    List<String> allowedOrigins,
    WebSocketCompressionOptions compression) {

  private static final Pattern ORIGIN =
      Pattern.compile("https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?");

  /** Largest message size that may be configured (Cloudflare's limit). */
  public static final int MAX_MESSAGE_SIZE_LIMIT = 32 * 1024 * 1024;

  /** Validates the fields. */
  public RouterOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(nodeId, "nodeId");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    Objects.requireNonNull(pingInterval, "pingInterval");
    if (pingInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pingInterval must be at least 1 ms, was " + pingInterval);
    }
    Objects.requireNonNull(compression, "compression");
    allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins, "allowedOrigins"));
    for (String origin : allowedOrigins) {
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new IllegalArgumentException(
            "an allowed origin is scheme://host[:port] with no path (e.g. https://app.example.com),"
                + " or *; not "
                + origin);
      }
    }
    if (eventLoops < 1) {
      throw new IllegalArgumentException("eventLoops must be >= 1");
    }
    if (maxMessageSize < 1 || maxMessageSize > MAX_MESSAGE_SIZE_LIMIT) {
      throw new IllegalArgumentException(
          "maxMessageSize must be 1.."
              + MAX_MESSAGE_SIZE_LIMIT
              + " bytes (outpost.websocket.max-message-size), was "
              + maxMessageSize);
    }
  }

  /**
   * Loopback, a free port, 2 event loops, 1 MiB messages, a ping every 30 s, no other origin, the
   * default compression ({@link WebSocketCompressionOptions#defaults()}).
   */
  public static RouterOptions defaults() {
    return new RouterOptions(
        "127.0.0.1",
        0,
        2,
        1024 * 1024,
        "node-1",
        java.time.Duration.ofSeconds(30),
        List.of(),
        WebSocketCompressionOptions.defaults());
  }

  /** With another ping interval. */
  public RouterOptions withPingInterval(java.time.Duration value) {
    return new RouterOptions(
        host, port, eventLoops, maxMessageSize, nodeId, value, allowedOrigins, compression);
  }

  /** With another interface to bind. */
  public RouterOptions withHost(String value) {
    return new RouterOptions(
        value, port, eventLoops, maxMessageSize, nodeId, pingInterval, allowedOrigins, compression);
  }

  /** With another port. */
  public RouterOptions withPort(int value) {
    return new RouterOptions(
        host, value, eventLoops, maxMessageSize, nodeId, pingInterval, allowedOrigins, compression);
  }

  /** With another message size limit. */
  public RouterOptions withMaxMessageSize(int value) {
    return new RouterOptions(
        host, port, eventLoops, value, nodeId, pingInterval, allowedOrigins, compression);
  }

  /** With another node id. */
  public RouterOptions withNodeId(String value) {
    return new RouterOptions(
        host, port, eventLoops, maxMessageSize, value, pingInterval, allowedOrigins, compression);
  }

  /** With another number of event loops. */
  public RouterOptions withEventLoops(int value) {
    return new RouterOptions(
        host, port, value, maxMessageSize, nodeId, pingInterval, allowedOrigins, compression);
  }

  /** With other origins allowed to call across origins. */
  public RouterOptions withAllowedOrigins(List<String> value) {
    return new RouterOptions(
        host, port, eventLoops, maxMessageSize, nodeId, pingInterval, value, compression);
  }

  /** With another answer to {@code permessage-deflate} offers. */
  public RouterOptions withCompression(WebSocketCompressionOptions value) {
    return new RouterOptions(
        host, port, eventLoops, maxMessageSize, nodeId, pingInterval, allowedOrigins, value);
  }
}
