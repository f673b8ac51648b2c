package dev.outpost.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP response returned by {@link DurableObject#fetch(Request)}. Immutable; header names are
 * case-insensitive.
 *
 * <p><b>WebSocket upgrades.</b> A 101 from {@code fetch} means the upgrade was accepted. {@code
 * fetch} may return a 101 only in a turn that called {@link
 * DurableObjectState#acceptWebSocket(Request, String...)}; any other 101 fails the turn with an
 * {@link IllegalStateException}. The response {@code acceptWebSocket} returns carries the accepted
 * socket ({@link #webSocket()}) and no headers: returned as it is, the client's 101 names no
 * subprotocol. To choose the subprotocol or add headers to the client's 101, as Cloudflare code
 * does with {@code new Response(null, {status: 101, webSocket, headers})}, return a 101 of your own
 * after accepting:
 *
 * <pre>{@code
 * // The client offered "Sec-WebSocket-Protocol: graphql-transport-ws, mqtt".
 * HibernatableWebSocket ws = state.acceptWebSocket(request).webSocket().orElseThrow();
 * ws.send("welcome");
 * return Response.builder(101)
 *     .header("Sec-WebSocket-Protocol", "mqtt")
 *     .header("X-Room", "lobby")
 *     .build();
 * }</pre>
 *
 * What the router does with that 101:
 *
 * <ul>
 *   <li>{@code Sec-WebSocket-Protocol}, if present, must hold exactly one subprotocol the client
 *       offered (the request's {@code Sec-WebSocket-Protocol} headers, comma-separated). Otherwise
 *       the client gets a 500 saying which subprotocol was offered and which chosen, and the object
 *       sees its socket close with 1006 ({@link DurableObject#webSocketClose}).
 *   <li>Every other header goes to the client, except those that belong to the handshake and stay
 *       the server's: {@code Upgrade}, {@code Connection}, {@code Sec-WebSocket-Accept}, {@code
 *       Sec-WebSocket-Extensions}, {@code Content-Length} and {@code Transfer-Encoding}.
 *   <li>The body is ignored.
 *   <li>A client that offered {@code outpost.v1} (Outpost's session protocol, used by Outpost's
 *       clients) gets {@code outpost.v1} as the subprotocol whatever the object chose; the object's
 *       other headers reach it on the connection that opens the session.
 * </ul>
 */
public final class Response {

  /** The status of a response that accepts a WebSocket upgrade. */
  public static final int SWITCHING_PROTOCOLS = 101;

  private final int status;
  private final Map<String, List<String>> headers;
  private final byte[] body;
  private final HibernatableWebSocket webSocket; // null unless this response accepts a socket

  private Response(
      int status, Map<String, List<String>> headers, byte[] body, HibernatableWebSocket webSocket) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("HTTP status must be in 100..599, was " + status);
    }
    if (webSocket != null && status != SWITCHING_PROTOCOLS) {
      throw new IllegalArgumentException(
          "only a 101 response carries a WebSocket; this one has status " + status);
    }
    this.webSocket = webSocket;
    this.status = status;
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    this.headers = Collections.unmodifiableMap(copy);
    this.body = body;
  }

  /** Starts a response with the given status. */
  public static Builder builder(int status) {
    return new Builder(status);
  }

  /** A {@code text/plain; charset=utf-8} response. */
  public static Response text(int status, String text) {
    return builder(status).header("Content-Type", "text/plain; charset=utf-8").body(text).build();
  }

  /** A 200 {@code text/plain} response. */
  public static Response ok(String text) {
    return text(200, text);
  }

  /** An {@code application/json} response whose body is {@code json} as given. */
  public static Response json(int status, String json) {
    return builder(status).header("Content-Type", "application/json").body(json).build();
  }

  /** A response with the given status and no body. */
  public static Response empty(int status) {
    return builder(status).build();
  }

  /** The status code. */
  public int status() {
    return status;
  }

  /** Every header, by case-insensitive name; an unmodifiable view. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The first value of a header, if present. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** A copy of the body. */
  public byte[] body() {
    return body.clone();
  }

  /** The body decoded as UTF-8. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Whether this response accepts a WebSocket upgrade. */
  public boolean isWebSocketAccept() {
    return status == SWITCHING_PROTOCOLS;
  }

  /**
   * The socket this response accepted: on the response {@link
   * DurableObjectState#acceptWebSocket(Request, String...)} returned, the object's own end of the
   * new connection, usable at once in the same turn (send to it, {@link
   * HibernatableWebSocket#serializeAttachment}, keep it in a field). This is the socket Cloudflare
   * code holds as the server end of its {@code WebSocketPair} when it calls {@code
   * ctx.acceptWebSocket(server)}; unlike "the last of {@code getWebSockets()}", it stays right when
   * one turn accepts several sockets. Empty on every other response, and on a response once it has
   * left the object.
   */
  public Optional<HibernatableWebSocket> webSocket() {
    return Optional.ofNullable(webSocket);
  }

  @Override
  public String toString() {
    return "Response(" + status + ", " + body.length + " B)";
  }

  /** Builds a {@link Response}. Not thread-safe. */
  public static final class Builder {
    private final int status;
    private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private byte[] body = new byte[0];
    private HibernatableWebSocket webSocket;

    private Builder(int status) {
      this.status = status;
    }

    /** Adds a header value. */
    public Builder header(String name, String value) {
      headers
          .computeIfAbsent(Objects.requireNonNull(name, "name"), n -> new ArrayList<>())
          .add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Sets the body (copied). */
    public Builder body(byte[] body) {
      this.body = Objects.requireNonNull(body, "body").clone();
      return this;
    }

    /** Sets the body to the UTF-8 encoding of {@code text}. */
    public Builder body(String text) {
      this.body = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /**
     * Attaches the socket a 101 response accepted; the runtime sets it on the response {@link
     * DurableObjectState#acceptWebSocket(Request, String...)} returns. Attaching a socket does not
     * accept it: a 101 returned from {@code fetch} without {@code acceptWebSocket} is refused.
     *
     * @throws IllegalArgumentException at {@link #build()} if the status is not 101
     */
    public Builder webSocket(HibernatableWebSocket webSocket) {
      this.webSocket = Objects.requireNonNull(webSocket, "webSocket");
      return this;
    }

    /** Builds the response. */
    public Response build() {
      return new Response(status, headers, body, webSocket);
    }
  }
}
