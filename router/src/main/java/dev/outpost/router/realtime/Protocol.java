package dev.outpost.router.realtime;

import dev.outpost.api.Request;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Query;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Outpost real-time protocol, version 1: what travels between an Outpost client and a session.
 * A client asks for it with the WebSocket subprotocol {@value OutpostV1#SUBPROTOCOL}, or by opening
 * an event stream or long poll; a client that does not ask sees the object's frames unchanged.
 *
 * <p>Every frame is one JSON object with a type {@code t}:
 *
 * <pre>
 * server → client
 *   welcome  {t, epoch, offset, recovered, ack, heartbeat, timeout, conn}
 *            first frame of every connection. epoch names the session's stream; offset is where
 *            this connection starts (the client's offset when recovered, else 0); recovered tells
 *            whether a requested resume worked (false: "not recovered", reload your state); ack is
 *            the highest client message id applied; heartbeat/timeout in ms
 *   m        {t, o, d | b}   a message of the object: offset o, text d or base64 binary b
 *   ping     {t, ack}        heartbeat; answer with pong
 *   ack      {t, id}         client messages up to id are applied
 *   close    {t, code, reason}  (event stream and long poll only; a WebSocket uses a close frame)
 * client → server
 *   m        {t, id, d | b}  a message for the object; ids increase; a resent id is applied once
 *   pong     {t, o}          heartbeat answer; o acknowledges receipt up to offset o
 *   ack      {t, o}          acknowledges receipt up to offset o (lets the server trim its buffer)
 *   bye      {t, code?, reason?}  ends the session now (otherwise a drop keeps it resumable)
 * </pre>
 *
 * <p>Query parameters (on the object's URL): {@code outpost_epoch} and {@code outpost_offset} ask
 * to resume (WebSocket, event stream, long-poll open); an event stream may instead send {@code
 * Last-Event-ID: epoch:offset}. The pull operations are {@code outpost=open|poll|send|detach}, with
 * {@code outpost_transport} (sse, poll), {@code outpost_conn}, {@code outpost_ack} and {@code
 * outpost_bridge}.
 *
 * <p>The names (subprotocol, parameters, frame types and fields, headers) are defined once, in
 * {@link OutpostV1}, and shared with the Java client; this class is the router's codec.
 */
public final class Protocol {

  private Protocol() {}

  /** Whether a WebSocket upgrade request offers the Outpost subprotocol. */
  public static boolean negotiates(Request request) {
    for (String value : request.headers().getOrDefault("Sec-WebSocket-Protocol", List.of())) {
      for (String offered : value.split(",")) {
        if (offered.trim().equals(OutpostV1.SUBPROTOCOL)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A position a client asks to resume from. */
  record Resume(String epoch, long offset) {}

  /** The resume position in the query, or in {@code Last-Event-ID}; empty if none or malformed. */
  static Optional<Resume> resumeOf(Request request) {
    Map<String, String> query = query(request);
    String epoch = query.get(Query.EPOCH);
    String offset = query.get(Query.OFFSET);
    if (epoch == null) {
      Optional<String> last = request.header(OutpostV1.Header.LAST_EVENT_ID);
      if (last.isPresent() && last.get().indexOf(':') > 0) {
        epoch = last.get().substring(0, last.get().lastIndexOf(':'));
        offset = last.get().substring(last.get().lastIndexOf(':') + 1);
      }
    }
    if (epoch == null || epoch.isBlank()) {
      return Optional.empty();
    }
    try {
      long at = offset == null ? 0 : Long.parseLong(offset);
      return at < 0 ? Optional.empty() : Optional.of(new Resume(epoch, at));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The decoded query parameters of a request (first value of each). */
  static Map<String, String> query(Request request) {
    Map<String, String> params = new LinkedHashMap<>();
    request
        .query()
        .ifPresent(
            q -> {
              for (String pair : q.split("&")) {
                if (pair.isEmpty()) {
                  continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                params.putIfAbsent(name, value);
              }
            });
    return params;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s;
    }
  }

  /** The {@code m} frame of an object message at {@code offset}. */
  static String message(long offset, WebSocketMessage message) {
    JsonObject frame = new JsonObject().put(Field.TYPE, Type.MESSAGE).put(Field.OFFSET, offset);
    if (message.isText()) {
      frame.put(Field.TEXT, message.text());
    } else {
      frame.put(Field.BINARY, Base64.getEncoder().encodeToString(message.bytes()));
    }
    return frame.encode();
  }

  /** The payload of a client {@code m} frame; empty if it has neither d nor b. */
  static Optional<WebSocketMessage> payload(JsonObject frame) {
    Object text = frame.getValue(Field.TEXT);
    if (text instanceof String s) {
      return Optional.of(WebSocketMessage.text(s));
    }
    Object binary = frame.getValue(Field.BINARY);
    if (binary instanceof String s) {
      try {
        return Optional.of(WebSocketMessage.binary(Base64.getDecoder().decode(s)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  static String ping(long ack) {
    return new JsonObject().put(Field.TYPE, Type.PING).put(Field.ACK, ack).encode();
  }

  static String ack(long id) {
    return new JsonObject().put(Field.TYPE, Type.ACK).put(Field.ID, id).encode();
  }

  static String close(int code, String reason) {
    return new JsonObject()
        .put(Field.TYPE, Type.CLOSE)
        .put(Field.CODE, code)
        .put(Field.REASON, reason)
        .encode();
  }

  /** The first frame of every connection of session {@code epoch}; see the class comment. */
  static String welcome(
      String epoch,
      long offset,
      boolean recovered,
      long ack,
      RealtimeOptions options,
      String conn) {
    return new JsonObject()
        .put(Field.TYPE, Type.WELCOME)
        .put(Field.EPOCH, epoch)
        .put(Field.START_OFFSET, offset)
        .put(Field.RECOVERED, recovered)
        .put(Field.ACK, ack)
        .put(Field.HEARTBEAT, options.heartbeatInterval().toMillis())
        .put(Field.TIMEOUT, options.heartbeatTimeout().toMillis())
        .put(Field.CONN, conn)
        .encode();
  }

  /** A poll answer carrying one close frame. */
  static String closeBatch(int code, String reason) {
    return batch(List.of(close(code, reason)));
  }

  /** A poll answer with no frames. */
  static final String EMPTY_BATCH = batch(List.of());

  /** A poll or send answer carrying {@code frames} (already encoded). */
  static String batch(List<String> frames) {
    return "{\"" + Field.FRAMES + "\":[" + String.join(",", frames) + "]}";
  }
}
