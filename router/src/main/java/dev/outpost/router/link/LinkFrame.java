package dev.outpost.router.link;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The frames of a node-to-node link. Each is one binary WebSocket message: {@code type (1 byte),
 * stream (4 bytes)}, then a payload that depends on the type. Streams are numbered by the node that
 * opened the link; one stream carries one HTTP exchange or one client socket.
 *
 * <pre>
 * REQUEST   router → owner  head length (4 bytes), head, then the body; the head is binary:
 *                           ns, id, name?, jurisdiction?, method, url, path (strings), headers,
 *                           chain (count (4 bytes, -1: none), then NAMESPACE/ID strings)
 * UPGRADE   router → owner  as REQUEST, for a WebSocket
 * RESPONSE  owner → router  head length (4 bytes), head: status (4 bytes), headers; then the body
 * FAILURE   owner → router  JSON {kind: not-owner|overloaded|remote|retryable|bad-request, message}
 * MESSAGE   both ways       kind (0 text, 1 binary), then the data
 * CLOSE     both ways       code (2 bytes), then the UTF-8 reason; router → owner: 1005 for a
 *                           close frame without a code, 1006 for a client gone without one
 * CREDIT    router → owner  count (4 bytes): messages the router can take on this socket
 * HANDOVER  old → new owner JSON {ns, id, epoch, alarm}: an object's data follows in ENTRIES
 * ENTRIES   old → new owner (key length, key, value length, value)*: part of the data
 * INSTALL   old → new owner no payload: all data sent; install it and answer RESPONSE 200
 * BATCH     both ways       stream 0, then (length (4 bytes), frame)*: the frames of one event-loop
 *                           turn ({@link LinkWriter}), any type but BATCH, handled in order
 * </pre>
 *
 * <p>In heads, a string is its UTF-8 length (4 bytes; -1 for an absent optional one), then its
 * bytes; headers are a count (4 bytes), then that many name and value strings, one pair per value.
 * Heads are binary rather than JSON because the forwarded request path spent about a fifth of its
 * CPU encoding and parsing JSON heads (docs/benchmarks.md, "Forwarding, measured and profiled").
 * Both ends check a link's {@link #VERSION} when it opens.
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
  static final byte BATCH = 11;

  /** The frame format's version; a node refuses a link from a node of another version. */
  static final int VERSION = 3;

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
        Cursor head = checkedHead(frame);
        for (String field : new String[] {"ns", "id"}) {
          head.skipString(field, false);
        }
        head.skipString("name", true);
        head.skipString("jurisdiction", true);
        for (String field : new String[] {"method", "url", "path"}) {
          head.skipString(field, false);
        }
        head.skipHeaders();
        int calls = head.count("chain", true);
        for (int i = 0; i < calls; i++) {
          int start = head.at + 4;
          head.skipString("a chain entry", false);
          if (indexOf(frame, start, head.at, (byte) '/') < 0) {
            throw malformed("a chain entry is not NAMESPACE/ID");
          }
        }
        head.requireEnd();
      }
      case RESPONSE -> {
        Cursor head = checkedHead(frame);
        head.require(4, "the status");
        head.at += 4;
        head.skipHeaders();
        head.requireEnd();
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
      case BATCH -> {
        int at = 5;
        while (at < frame.length()) {
          requireLength(frame, at + 4, "a batched frame");
          int length = frame.getInt(at);
          if (length < 5 || length > frame.length() - at - 4) {
            throw malformed("a batched frame's length " + length + " is below 5 or runs past");
          }
          Buffer inner = frame.slice(at + 4, at + 4 + length);
          if (type(inner) == BATCH) {
            throw malformed("a batch inside a batch");
          }
          check(inner);
          at += 4 + length;
        }
      }
      default -> throw malformed("unknown type " + type);
    }
  }

  /**
   * Hands a checked frame ({@link #check}) to {@code handler}; a BATCH frame is not handed on
   * itself, each frame in it is, in order, as a view of {@code frame}. On the caller's thread.
   */
  static void forEachFrame(Buffer frame, java.util.function.Consumer<Buffer> handler) {
    if (type(frame) != BATCH) {
      handler.accept(frame);
      return;
    }
    int at = 5;
    while (at < frame.length()) {
      int length = frame.getInt(at);
      handler.accept(frame.slice(at + 4, at + 4 + length));
      at += 4 + length;
    }
  }

  /** An empty BATCH frame: append (length, frame) pairs. */
  static Buffer batch() {
    return start(BATCH, 0);
  }

  private static IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException("malformed link frame: " + what);
  }

  private static void requireLength(Buffer frame, int length, String what) {
    if (frame.length() < length) {
      throw malformed(what + " needs " + length + " bytes, has " + frame.length());
    }
  }

  /**
   * The head of a REQUEST, UPGRADE or RESPONSE frame, its length checked; positioned at its start.
   */
  private static Cursor checkedHead(Buffer frame) {
    requireLength(frame, 9, "a head");
    int length = frame.getInt(5);
    if (length < 0 || length > frame.length() - 9) {
      throw malformed("head length " + length + " runs past the frame");
    }
    return new Cursor(frame, 9, 9 + length);
  }

  private static int indexOf(Buffer frame, int from, int to, byte b) {
    for (int i = from; i < to; i++) {
      if (frame.getByte(i) == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads a binary head from {@code at} up to {@code end}: the {@code skip} methods check lengths
   * (for {@link #check}), the {@code read} methods decode what was checked.
   */
  private static final class Cursor {
    private final Buffer frame;
    private final int end;
    int at;

    Cursor(Buffer frame, int at, int end) {
      this.frame = frame;
      this.at = at;
      this.end = end;
    }

    void require(int bytes, String what) {
      if (bytes > end - at) {
        throw malformed(what + " runs past the head");
      }
    }

    /** A count (4 bytes): -1 (only if {@code optional}) or 0 and up; -1 is returned as 0. */
    int count(String what, boolean optional) {
      require(4, what);
      int count = frame.getInt(at);
      at += 4;
      if (count < (optional ? -1 : 0)) {
        throw malformed(what + " has a negative count");
      }
      return Math.max(0, count);
    }

    void skipString(String what, boolean optional) {
      require(4, what);
      int length = frame.getInt(at);
      at += 4;
      if (length == -1 && optional) {
        return;
      }
      if (length < 0 || length > end - at) {
        throw malformed(what + " has length " + length + ", which runs past the head");
      }
      at += length;
    }

    void skipHeaders() {
      int count = count("headers", false);
      for (int i = 0; i < count; i++) {
        skipString("a header name", false);
        skipString("a header value", false);
      }
    }

    void requireEnd() {
      if (at != end) {
        throw malformed((end - at) + " bytes after the head's last field");
      }
    }

    /** A checked string, or null for an absent one. */
    String readString() {
      int length = frame.getInt(at);
      at += 4;
      if (length < 0) {
        return null;
      }
      String value = frame.getString(at, at + length, "UTF-8");
      at += length;
      return value;
    }

    int readInt() {
      int value = frame.getInt(at);
      at += 4;
      return value;
    }
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

  /**
   * The head of a REQUEST or UPGRADE frame.
   *
   * @param name the object's name, or null
   * @param jurisdiction its jurisdiction, or null
   * @param headers name and value, one pair per value, in order
   * @param chain the call chain of a stub call ({@code NAMESPACE/ID}), or null for a client request
   */
  record RequestHead(
      String ns,
      String id,
      String name,
      String jurisdiction,
      String method,
      String url,
      String path,
      java.util.List<String> headers,
      java.util.List<String> chain) {}

  static Buffer request(
      byte type,
      int stream,
      String ns,
      String id,
      String name,
      String jurisdiction,
      Request r,
      java.util.List<dev.outpost.runtime.ObjectAddress> chain) {
    byte[] body = r.body();
    Buffer out = Buffer.buffer(256 + body.length).appendByte(type).appendInt(stream).appendInt(0);
    appendString(out, ns);
    appendString(out, id);
    appendString(out, name);
    appendString(out, jurisdiction);
    appendString(out, r.method());
    appendString(out, r.url());
    appendString(out, r.path());
    appendHeaders(out, r.headers());
    if (chain == null) {
      out.appendInt(-1);
    } else {
      out.appendInt(chain.size());
      chain.forEach(a -> appendString(out, a.namespace() + "/" + a.id()));
    }
    out.setInt(5, out.length() - 9);
    return out.appendBytes(body);
  }

  /** The head of a checked REQUEST or UPGRADE frame. */
  static RequestHead requestHead(Buffer frame) {
    Cursor in = new Cursor(frame, 9, 9 + frame.getInt(5));
    String ns = in.readString();
    String id = in.readString();
    String name = in.readString();
    String jurisdiction = in.readString();
    String method = in.readString();
    String url = in.readString();
    String path = in.readString();
    java.util.List<String> headers = readHeaders(in);
    int calls = in.readInt();
    java.util.List<String> chain = null;
    if (calls >= 0) {
      chain = new java.util.ArrayList<>(calls);
      for (int i = 0; i < calls; i++) {
        chain.add(in.readString());
      }
    }
    return new RequestHead(ns, id, name, jurisdiction, method, url, path, headers, chain);
  }

  static byte[] body(Buffer frame) {
    int length = frame.getInt(5);
    return frame.getBytes(9 + length, frame.length());
  }

  /** The call chain of a stub call, or null for a client request. */
  static java.util.List<dev.outpost.runtime.ObjectAddress> chain(RequestHead head) {
    if (head.chain() == null) {
      return null;
    }
    java.util.List<dev.outpost.runtime.ObjectAddress> chain = new java.util.ArrayList<>();
    for (String text : head.chain()) {
      int slash = text.indexOf('/');
      chain.add(
          new dev.outpost.runtime.ObjectAddress(
              text.substring(0, slash),
              dev.outpost.api.DurableObjectId.of(
                  text.substring(slash + 1), java.util.Optional.empty())));
    }
    return chain;
  }

  static Request toRequest(RequestHead head, byte[] body) {
    Request.Builder b = Request.builder(head.method(), head.url()).path(head.path()).body(body);
    java.util.List<String> headers = head.headers();
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    return b.build();
  }

  // ---- responses

  static Buffer response(int stream, Response r) {
    byte[] body = r.body();
    Buffer out =
        Buffer.buffer(128 + body.length)
            .appendByte(RESPONSE)
            .appendInt(stream)
            .appendInt(0)
            .appendInt(r.status());
    appendHeaders(out, r.headers());
    out.setInt(5, out.length() - 9);
    return out.appendBytes(body);
  }

  static Response toResponse(Buffer frame) {
    Cursor in = new Cursor(frame, 9, 9 + frame.getInt(5));
    Response.Builder b = Response.builder(in.readInt()).body(body(frame));
    java.util.List<String> headers = readHeaders(in);
    for (int i = 0; i < headers.size(); i += 2) {
      b.header(headers.get(i), headers.get(i + 1));
    }
    return b.build();
  }

  private static void appendString(Buffer out, String value) {
    if (value == null) {
      out.appendInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void appendHeaders(Buffer out, Map<String, java.util.List<String>> headers) {
    int countAt = out.length();
    out.appendInt(0);
    int count = 0;
    for (Map.Entry<String, java.util.List<String>> header : headers.entrySet()) {
      for (String value : header.getValue()) {
        appendString(out, header.getKey());
        appendString(out, value);
        count++;
      }
    }
    out.setInt(countAt, count);
  }

  private static java.util.List<String> readHeaders(Cursor in) {
    int count = in.readInt();
    java.util.List<String> headers = new java.util.ArrayList<>(2 * count);
    for (int i = 0; i < count; i++) {
      headers.add(in.readString());
      headers.add(in.readString());
    }
    return headers;
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
}
