package dev.outpost.client.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The names of the Outpost real-time protocol, version 1 ({@value #SUBPROTOCOL}): the one place
 * where the router's session layer and the Java client take them from. Only names live here; the
 * frames' meaning and the router's codec are described in the router's {@code
 * dev.outpost.router.realtime.Protocol}, the close codes in {@link CloseCodes}.
 *
 * <p>Every frame is one JSON object whose {@link Field#TYPE} is one of {@link Type}. A WebSocket
 * client asks for the protocol with the subprotocol {@value #SUBPROTOCOL}; the pull transports name
 * an operation with the {@link Query} parameters on the object's URL.
 */
public final class OutpostV1 {

  /** The WebSocket subprotocol that selects this protocol. */
  public static final String SUBPROTOCOL = "outpost.v1";

  private OutpostV1() {}

  /** Query parameters on the object's URL. */
  public static final class Query {
    /** The pull operation, one of {@link Op}. */
    public static final String OP = "outpost";

    /** The session to resume or address. */
    public static final String EPOCH = "outpost_epoch";

    /** The offset the client has (resume position, or where a poll starts). */
    public static final String OFFSET = "outpost_offset";

    /** The pull transport of an {@link Op#OPEN}, one of {@link Transport}. */
    public static final String TRANSPORT = "outpost_transport";

    /** The connection (pull link) a poll or send belongs to, from the welcome. */
    public static final String CONN = "outpost_conn";

    /** Acknowledges receipt up to this offset. */
    public static final String ACK = "outpost_ack";

    /** {@code 1} on the router's own event-stream polls (not the client's). */
    public static final String BRIDGE = "outpost_bridge";

    private Query() {}

    /**
     * A query string of names and values in turn ({@code name=value&...}), each value URL-encoded;
     * a null value is written empty.
     */
    public static String of(String... namesAndValues) {
      if (namesAndValues.length % 2 != 0) {
        throw new IllegalArgumentException("give names and values in pairs");
      }
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < namesAndValues.length; i += 2) {
        String value = namesAndValues[i + 1];
        out.append(i == 0 ? "" : "&")
            .append(namesAndValues[i])
            .append('=')
            .append(URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8));
      }
      return out.toString();
    }
  }

  /** Values of {@link Query#OP}. */
  public static final class Op {
    public static final String OPEN = "open";
    public static final String POLL = "poll";
    public static final String SEND = "send";
    public static final String DETACH = "detach";

    private Op() {}
  }

  /** Values of {@link Query#TRANSPORT}. */
  public static final class Transport {
    /** Server-Sent Events (the router's event-stream bridge). */
    public static final String EVENT_STREAM = "sse";

    /** Long polling. */
    public static final String LONG_POLL = "poll";

    private Transport() {}
  }

  /** HTTP headers. */
  public static final class Header {
    /** Marks a session-layer answer (a welcome), so it is told from the object's own answer. */
    public static final String REALTIME = "X-Outpost-Realtime";

    /** An event stream's resume position, {@code epoch:offset}. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    private Header() {}
  }

  /** Values of {@link Field#TYPE}. */
  public static final class Type {
    public static final String WELCOME = "welcome";
    public static final String MESSAGE = "m";
    public static final String PING = "ping";
    public static final String PONG = "pong";
    public static final String ACK = "ack";
    public static final String CLOSE = "close";
    public static final String BYE = "bye";

    private Type() {}
  }

  /** Field names of frames, and of the pull transports' answers. */
  public static final class Field {
    /** The frame's type, one of {@link Type}. */
    public static final String TYPE = "t";

    /** A message's offset in the session; in a pong or ack, the offset received. */
    public static final String OFFSET = "o";

    /** A message's text. */
    public static final String TEXT = "d";

    /** A message's bytes, base64. */
    public static final String BINARY = "b";

    /** A client message's id; in a server ack, the highest id applied. */
    public static final String ID = "id";

    /** In a welcome, ping or send answer: the highest client message id applied. */
    public static final String ACK = "ack";

    public static final String CODE = "code";
    public static final String REASON = "reason";

    /** Welcome fields. */
    public static final String EPOCH = "epoch";

    public static final String START_OFFSET = "offset";
    public static final String RECOVERED = "recovered";
    public static final String HEARTBEAT = "heartbeat";
    public static final String TIMEOUT = "timeout";
    public static final String CONN = "conn";

    /** The frames of a poll or send answer ({@code {"frames":[...]}}). */
    public static final String FRAMES = "frames";

    private Field() {}
  }

  /** Event names on an event stream. */
  public static final class Event {
    /** A protocol frame (welcome, ping, close) as JSON. */
    public static final String PROTOCOL = "outpost";

    /** A text message as a JSON string (text that plain {@code data:} lines cannot carry). */
    public static final String TEXT = "text";

    /** A binary message as a JSON string of base64. */
    public static final String BINARY = "binary";

    private Event() {}
  }
}
