package dev.outpost.router.link;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The frames of a node-to-node link. Each is one binary WebSocket message: {@code type (1 byte),
 * stream (4 bytes)}, then a payload that depends on the type. Streams are numbered by the node that
 * opened the link; one stream carries one HTTP exchange or one client socket.
 *
 * <pre>
 * REQUEST   router → owner  head JSON {ns, id, name?, method, url, path, headers}, then the body
 * UPGRADE   router → owner  as REQUEST, for a WebSocket
 * RESPONSE  owner → router  head JSON {status, headers}, then the body
 * FAILURE   owner → router  JSON {kind: not-owner|overloaded|remote|retryable|bad-request, message}
 * MESSAGE   both ways       kind (0 text, 1 binary), then the data
 * CLOSE     both ways       code (2 bytes), then the UTF-8 reason; router → owner: 1005 for a
 *                           close frame without a code, 1006 for a client gone without one
 * CREDIT    router → owner  count (4 bytes): messages the router can take on this socket
 * HANDOVER  old → new owner JSON {ns, id, epoch, alarm}: an object's data follows in ENTRIES
 * ENTRIES   old → new owner (key length, key, value length, value)*: part of the data
 * INSTALL   old → new owner no payload: all data sent; install it and answer RESPONSE 200
 * </pre>
 */
final class LinkFrame {

  static final byte REQUEST = 1;
  static final byte UPGRADE = 2;
  static final byte RESPONSE = 3;
  static final byte FAILURE = 4;
  static final byte MESSAGE = 5;
  static final byte CLOSE = 6;
  static final byte CREDIT = 7;
  static final byte HANDOVER = 8;
  static final byte ENTRIES = 9;
  static final byte INSTALL = 10;

  private LinkFrame() {}

  /**
   * Checks that {@code frame} is well formed for its type, so that the decoders below can read it:
   * the prefix, a known type, lengths within the frame, each JSON part an object whose fields have
   * the types the decoders read (strings, a status number, headers as arrays of strings). Values
   * are not judged (an id is checked where it is used). Both ends check every frame first and close
   * the link with 1002 on a malformed one.
   *
   * @throws IllegalArgumentException saying what is malformed
   */
  static void check(Buffer frame) {
    if (frame.length() < 5) {
      throw malformed("shorter than its 5-byte prefix (" + frame.length() + " bytes)");
    }
    byte type = type(frame);
    switch (type) {
      case REQUEST, UPGRADE -> {
        JsonObject head = checkedHead(frame);
        for (String field : new String[] {"ns", "id", "method", "url", "path"}) {
          requireString(head, field, true);
        }
        requireString(head, "name", false);
        requireString(head, "jurisdiction", false);
        requireHeaders(head);
        Object chain = head.getValue("chain");
        if (chain != null) {
          if (!(chain instanceof JsonArray calls)) {
            throw malformed("chain is not an array");
          }
          for (Object call : calls) {
            if (!(call instanceof String text) || text.indexOf('/') < 0) {
              throw malformed("a chain entry is not NAMESPACE/ID");
            }
          }
        }
      }
      case RESPONSE -> {
        JsonObject head = checkedHead(frame);
        if (!(head.getValue("status") instanceof Integer)) {
          throw malformed("the response has no integer status");
        }
        requireHeaders(head);
      }
      case FAILURE -> {
        JsonObject failure = json(frame, 5);
        requireString(failure, "kind", true);
        requireString(failure, "message", false);
      }
      case MESSAGE -> requireLength(frame, 6, "a message");
      case CLOSE -> requireLength(frame, 7, "a close");
      case CREDIT -> requireLength(frame, 9, "a credit");
      case HANDOVER -> json(frame, 5);
      case ENTRIES -> {
        int at = 5;
        while (at < frame.length()) {
          for (int part = 0; part < 2; part++) {
            requireLength(frame, at + 4, "an entry");
            int length = frame.getInt(at);
            if (length < 0 || length > frame.length() - at - 4) {
              throw malformed("an entry's length " + length + " runs past the frame");
            }
            at += 4 + length;
          }
        }
      }
      case INSTALL -> {}
      default -> throw malformed("unknown type " + type);
    }
  }

  private static IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException("malformed link frame: " + what);
  }

  private static void requireLength(Buffer frame, int length, String what) {
    if (frame.length() < length) {
      throw malformed(what + " needs " + length + " bytes, has " + frame.length());
    }
  }

  private static JsonObject checkedHead(Buffer frame) {
    requireLength(frame, 9, "a head");
    int length = frame.getInt(5);
    if (length < 0 || length > frame.length() - 9) {
      throw malformed("head length " + length + " runs past the frame");
    }
    return json(frame.getBuffer(0, 9 + length), 9);
  }

  private static JsonObject json(Buffer frame, int from) {
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(frame.getBuffer(from, frame.length()));
    } catch (io.vertx.core.json.DecodeException e) {
      throw malformed("its JSON does not parse");
    }
    if (!(value instanceof JsonObject object)) {
      throw malformed("its JSON is not an object");
    }
    return object;
  }

  private static void requireString(JsonObject json, String field, boolean required) {
    Object value = json.getValue(field);
    if (value == null ? required : !(value instanceof String)) {
      throw malformed(field + (required ? " is missing or" : "") + " is not a string");
    }
  }

  private static void requireHeaders(JsonObject head) {
    if (!(head.getValue("headers") instanceof JsonObject headers)) {
      throw malformed("headers is not an object");
    }
    for (Map.Entry<String, Object> header : headers) {
      if (!(header.getValue() instanceof JsonArray values)) {
        throw malformed("header " + header.getKey() + " is not an array");
      }
      for (Object value : values) {
        if (!(value instanceof String)) {
          throw malformed("a value of header " + header.getKey() + " is not a string");
        }
      }
    }
  }

  /** {@code message} cut to what a WebSocket close reason holds (123 UTF-8 bytes). */
  static String closeReasonOf(String message) {
    String reason = message;
    while (reason.getBytes(StandardCharsets.UTF_8).length > 123) {
      reason = reason.substring(0, reason.length() - 1);
    }
    return reason;
  }

  static byte type(Buffer frame) {
    return frame.getByte(0);
  }

  static int stream(Buffer frame) {
    return frame.getInt(1);
  }

  private static Buffer start(byte type, int stream) {
    return Buffer.buffer().appendByte(type).appendInt(stream);
  }

  // ---- requests

  static Buffer request(
      byte type,
      int stream,
      String ns,
      String id,
      String name,
      String jurisdiction,
      Request r,
      java.util.List<dev.outpost.runtime.ObjectAddress> chain) {
    JsonObject headers = new JsonObject();
    r.headers().forEach((k, v) -> headers.put(k, new JsonArray(v)));
    JsonObject head =
        new JsonObject()
            .put("ns", ns)
            .put("id", id)
            .put("name", name)
            .put("jurisdiction", jurisdiction)
            .put("method", r.method())
            .put("url", r.url())
            .put("path", r.path())
            .put("headers", headers);
    if (chain != null) {
      JsonArray calls = new JsonArray();
      chain.forEach(a -> calls.add(a.namespace() + "/" + a.id()));
      head.put("chain", calls);
    }
    return withHead(start(type, stream), head).appendBytes(r.body());
  }

  static JsonObject head(Buffer frame) {
    int length = frame.getInt(5);
    return new JsonObject(frame.getBuffer(9, 9 + length));
  }

  static byte[] body(Buffer frame) {
    int length = frame.getInt(5);
    return frame.getBytes(9 + length, frame.length());
  }

  /** The call chain of a stub call, or null for a client request. */
  static java.util.List<dev.outpost.runtime.ObjectAddress> chain(JsonObject head) {
    JsonArray calls = head.getJsonArray("chain");
    if (calls == null) {
      return null;
    }
    java.util.List<dev.outpost.runtime.ObjectAddress> chain = new java.util.ArrayList<>();
    for (Object call : calls) {
      String text = (String) call;
      int slash = text.indexOf('/');
      chain.add(
          new dev.outpost.runtime.ObjectAddress(
              text.substring(0, slash),
              dev.outpost.api.DurableObjectId.of(
                  text.substring(slash + 1), java.util.Optional.empty())));
    }
    return chain;
  }

  static Request toRequest(JsonObject head, byte[] body) {
    Request.Builder b =
        Request.builder(head.getString("method"), head.getString("url"))
            .path(head.getString("path"))
            .body(body);
    head.getJsonObject("headers")
        .forEach(e -> ((JsonArray) e.getValue()).forEach(v -> b.header(e.getKey(), (String) v)));
    return b.build();
  }

  // ---- responses

  static Buffer response(int stream, Response r) {
    JsonObject headers = new JsonObject();
    r.headers().forEach((k, v) -> headers.put(k, new JsonArray(v)));
    JsonObject head = new JsonObject().put("status", r.status()).put("headers", headers);
    return withHead(start(RESPONSE, stream), head).appendBytes(r.body());
  }

  static Response toResponse(Buffer frame) {
    JsonObject head = head(frame);
    Response.Builder b = Response.builder(head.getInteger("status")).body(body(frame));
    for (Map.Entry<String, Object> e : head.getJsonObject("headers")) {
      for (Object v : (JsonArray) e.getValue()) {
        b.header(e.getKey(), (String) v);
      }
    }
    return b.build();
  }

  static Buffer failure(int stream, String kind, String message) {
    return start(FAILURE, stream)
        .appendBuffer(new JsonObject().put("kind", kind).put("message", message).toBuffer());
  }

  static JsonObject failureOf(Buffer frame) {
    return new JsonObject(frame.getBuffer(5, frame.length()));
  }

  // ---- sockets

  static Buffer message(int stream, WebSocketMessage m) {
    return start(MESSAGE, stream).appendByte(m.isText() ? (byte) 0 : 1).appendBytes(m.bytes());
  }

  static WebSocketMessage toMessage(Buffer frame) {
    byte[] data = frame.getBytes(6, frame.length());
    return frame.getByte(5) == 0
        ? WebSocketMessage.text(new String(data, StandardCharsets.UTF_8))
        : WebSocketMessage.binary(data);
  }

  static Buffer close(int stream, int code, String reason) {
    return start(CLOSE, stream).appendShort((short) code).appendString(reason);
  }

  static int closeCode(Buffer frame) {
    return frame.getShort(5) & 0xFFFF;
  }

  static String closeReason(Buffer frame) {
    return frame.getString(7, frame.length(), "UTF-8");
  }

  static Buffer credit(int stream, int count) {
    return start(CREDIT, stream).appendInt(count);
  }

  static int creditOf(Buffer frame) {
    return frame.getInt(5);
  }

  static Buffer handover(int stream, JsonObject head) {
    return start(HANDOVER, stream).appendBuffer(head.toBuffer());
  }

  static JsonObject handoverHead(Buffer frame) {
    return new JsonObject(frame.getBuffer(5, frame.length()));
  }

  static Buffer entries(int stream) {
    return start(ENTRIES, stream);
  }

  static Buffer install(int stream) {
    return start(INSTALL, stream);
  }

  private static Buffer withHead(Buffer out, JsonObject head) {
    Buffer encoded = head.toBuffer();
    return out.appendInt(encoded.length()).appendBuffer(encoded);
  }
}
