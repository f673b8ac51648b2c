package dev.outpost.samples.playback;

import static dev.outpost.api.realtime.Json.quote;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.realtime.Presence;
import dev.outpost.api.realtime.PresenceEntry;
import dev.outpost.samples.json.JsonText;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A shared player for a watch party, {@code /objects/playback/{room}}: every viewer plays, pauses
 * and seeks the same (simulated) media, and all of them show the same position at the same moment.
 *
 * <p><b>Model.</b> The object stores one {@link Playback}: whether it plays, the position {@code
 * positionMs} at the server time {@code atServerMs} (milliseconds of {@link
 * DurableObjectState#clock()} since the epoch), the rate, the media length and a version that grows
 * by one with each change. A client derives the position at any moment from that and the server's
 * time: {@code playing ? min(lengthMs, positionMs + (serverNow - atServerMs) * rate) : positionMs}.
 * It learns the server's time NTP-style (RFC 5905 section 8, simplified to one server): it sends
 * {@code {"type":"time","t0":T0}} with its own clock's reading, receives {@code
 * {"type":"time","t0":T0,"server":S}} at its time T1, and estimates its offset to the server as
 * {@code S - (T0 + T1) / 2}, trusting the samples with the smallest round trip {@code T1 - T0}. The
 * object answers at once, from its turn, without storing anything.
 *
 * <p><b>Commands</b> are flat JSON text frames of at most {@value #MAX_COMMAND} characters:
 *
 * <ul>
 *   <li>{@code {"type":"play"}}: refused while playing; at the end of the media, plays from 0;
 *   <li>{@code {"type":"pause"}}: refused while paused;
 *   <li>{@code {"type":"seek","positionMs":N}}: an integer 0..lengthMs; keeps playing or paused
 *       (seeking to the very end while playing pauses there);
 *   <li>{@code {"type":"rate","rate":R}}: {@value #MIN_RATE}..{@value #MAX_RATE};
 *   <li>{@code {"type":"time","t0":T0}}: a number of magnitude at most 2<sup>53</sup>, echoed
 *       exactly.
 * </ul>
 *
 * Each applied command is stored, then sent to every connection, the sender included: {@code
 * {"type":"state","cause":"play|pause|seek|rate|end|snapshot","by":USER|null,"playing":B,
 * "positionMs":N,"atServerMs":N,"rate":R,"lengthMs":N,"version":N,"serverMs":N}} ({@code serverMs}:
 * the object's clock when it was sent). A connection receives one with cause {@code snapshot} when
 * it opens; a plain {@code GET} answers one. When the media plays to its end, the object's alarm
 * pauses it at {@code lengthMs} (cause {@code end}). Anything refused (not text, too long,
 * malformed JSON, no or unknown type, unknown members, values out of range, a play while playing)
 * is answered to its sender only, {@code {"type":"rejected","op":OP|"?","reason":..}}, and changes
 * nothing.
 *
 * <p><b>Viewers.</b> A connection with {@code ?user=NAME} (1-{@value #MAX_USER} letters, digits,
 * spaces or {@code . _ -}; anything else is refused with 400) joins the room's {@link Presence}
 * (grace {@value #GRACE_SECONDS} s), which sends the viewers' snapshot, joins and leaves; {@code
 * by} names who made each change.
 *
 * <p>The media length is the {@code playback.length-ms} setting ({@value #DEFAULT_LENGTH_MS} ms by
 * default, 1 s to 24 h), fixed for a room when it is first used. The object keeps nothing in
 * memory, so it hibernates between commands; turns run one at a time (the runtime's rule), so no
 * locking.
 */
public final class PlaybackRoom implements DurableObject {

  static final long DEFAULT_LENGTH_MS = 300_000;
  static final long MAX_LENGTH_MS = 86_400_000;
  static final int MAX_COMMAND = 1024;
  static final double MIN_RATE = 0.25;
  static final double MAX_RATE = 4;
  static final int MAX_USER = 32;
  static final long GRACE_SECONDS = 3;
  private static final BigDecimal MAX_T0 = BigDecimal.valueOf(1L << 53);
  private static final String KEY = "playback";
  private static final String VIEWERS = "viewers";
  private static final Pattern USER = Pattern.compile("[\\p{L}\\p{N} ._-]{1," + MAX_USER + "}");
  private static final String COMMANDS =
      "commands: {\"type\":\"play\"}, {\"type\":\"pause\"}, {\"type\":\"seek\",\"positionMs\":N},"
          + " {\"type\":\"rate\",\"rate\":R}, {\"type\":\"time\",\"t0\":T0}";

  /**
   * What is stored: the shared player. Times are milliseconds of the object's clock since the
   * epoch.
   *
   * @param playing whether the position advances
   * @param positionMs the position, 0..lengthMs, at {@code atServerMs}
   * @param atServerMs when the position was {@code positionMs} (the last change)
   * @param rate media milliseconds per server millisecond while playing
   * @param lengthMs the media's length
   * @param version how many changes were applied
   */
  public record Playback(
      boolean playing, long positionMs, long atServerMs, double rate, long lengthMs, long version) {

    /** The position at {@code serverMs}, clamped to the media. */
    long positionAt(long serverMs) {
      if (!playing) {
        return positionMs;
      }
      long moved = Math.round(Math.max(0, serverMs - atServerMs) * rate);
      return Math.min(lengthMs, positionMs + moved);
    }

    /** When a playing media reaches its end. */
    long endsAtMs() {
      return atServerMs + (long) Math.ceil((lengthMs - positionMs) / rate);
    }

    /** This state as seen at {@code serverMs}: one that played to the end is paused there. */
    Playback at(long serverMs) {
      return playing && positionAt(serverMs) >= lengthMs
          ? new Playback(false, lengthMs, endsAtMs(), rate, lengthMs, version)
          : this;
    }

    Playback moved(boolean playing, long positionMs, long atServerMs, double rate) {
      return new Playback(playing, positionMs, atServerMs, rate, lengthMs, version + 1);
    }
  }

  /** A command's result: the next state, or why the command is refused. */
  private record Outcome(Playback next, String refusal) {
    static Outcome to(Playback next) {
      return new Outcome(next, null);
    }

    static Outcome refused(String reason) {
      return new Outcome(null, reason);
    }
  }

  private final DurableObjectState state;
  private final Presence presence;
  private final long lengthMs;

  public PlaybackRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.presence = new Presence(state, VIEWERS, Duration.ofSeconds(GRACE_SECONDS));
    this.lengthMs =
        env.setting("playback.length-ms").map(Long::parseLong).orElse(DEFAULT_LENGTH_MS);
    if (lengthMs < 1000 || lengthMs > MAX_LENGTH_MS) {
      throw new IllegalArgumentException(
          "playback.length-ms is " + lengthMs + "; it must be 1000.." + MAX_LENGTH_MS);
    }
  }

  @Override
  public Response fetch(Request request) {
    long now = state.clock().millis();
    if (request.isWebSocketUpgrade()) {
      Optional<String> user;
      try {
        user = user(request);
      } catch (IllegalArgumentException e) {
        return Response.text(400, e.getMessage());
      }
      Response accepted =
          user.isPresent()
              ? state.acceptWebSocket(request, VIEWERS)
              : state.acceptWebSocket(request);
      accepted
          .webSocket()
          .ifPresent(
              ws -> {
                ws.send(json(playback().at(now), "snapshot", null, now));
                user.ifPresent(name -> presence.join(ws, name, Map.of()));
              });
      return accepted;
    }
    if (request.method().equals("GET")) {
      return Response.json(200, json(playback().at(now), "snapshot", null, now));
    }
    return Response.builder(405)
        .header("Allow", "GET")
        .body("a shared player: GET for its state, or connect with a WebSocket to control it")
        .build();
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    if (!message.isText()) {
      reject(from, "?", "commands are JSON text; " + COMMANDS);
      return;
    }
    String text = message.text();
    if (text.length() > MAX_COMMAND) {
      reject(
          from,
          "?",
          "a command has at most " + MAX_COMMAND + " characters; this one has " + text.length());
      return;
    }
    Map<String, Object> command;
    try {
      command = flatObject(JsonText.parse(text));
    } catch (JsonText.MalformedException e) {
      reject(from, "?", "malformed JSON: " + e.getMessage() + "; " + COMMANDS);
      return;
    }
    if (command == null) {
      reject(
          from,
          "?",
          "a command is one JSON object of strings, numbers, booleans and nulls; " + COMMANDS);
      return;
    }
    if (!(command.get("type") instanceof String op)) {
      reject(from, "?", "a command is an object with a string \"type\"; " + COMMANDS);
      return;
    }
    long now = state.clock().millis();
    if (op.equals("time")) {
      String refusal = members(command, "t0");
      Object t0 = command.get("t0");
      if (refusal == null && !(t0 instanceof BigDecimal n && n.abs().compareTo(MAX_T0) <= 0)) {
        refusal = "time needs \"t0\": your clock's reading, a number of magnitude at most 2^53";
      }
      if (refusal != null) {
        reject(from, op, refusal);
      } else {
        from.send(
            "{\"type\":\"time\",\"t0\":"
                + ((BigDecimal) t0).toPlainString()
                + ",\"server\":"
                + now
                + "}");
      }
      return;
    }
    Outcome outcome = apply(op, command, playback().at(now), now);
    if (outcome.refusal() != null) {
      reject(from, op, outcome.refusal());
      return;
    }
    state.storage().put(KEY, outcome.next());
    armEnd(outcome.next(), false);
    String by = presence.entry(from).map(PresenceEntry::user).orElse(null);
    broadcast(json(outcome.next(), op, by, now));
  }

  /** The change {@code op} makes to {@code now} (already settled at {@code nowMs}), or why not. */
  private static Outcome apply(String op, Map<String, Object> command, Playback now, long nowMs) {
    switch (op) {
      case "play" -> {
        String refusal = members(command);
        if (refusal != null) {
          return Outcome.refused(refusal);
        }
        if (now.playing()) {
          return Outcome.refused("already playing");
        }
        long from = now.positionMs() >= now.lengthMs() ? 0 : now.positionMs();
        return Outcome.to(now.moved(true, from, nowMs, now.rate()));
      }
      case "pause" -> {
        String refusal = members(command);
        if (refusal != null) {
          return Outcome.refused(refusal);
        }
        if (!now.playing()) {
          return Outcome.refused("already paused");
        }
        return Outcome.to(now.moved(false, now.positionAt(nowMs), nowMs, now.rate()));
      }
      case "seek" -> {
        String refusal = members(command, "positionMs");
        if (refusal != null) {
          return Outcome.refused(refusal);
        }
        Object value = command.get("positionMs");
        if (!(value instanceof BigDecimal n)
            || n.signum() < 0
            || n.compareTo(BigDecimal.valueOf(now.lengthMs())) > 0
            || n.stripTrailingZeros().scale() > 0) {
          return Outcome.refused(
              "seek needs \"positionMs\": a whole number of milliseconds 0.."
                  + now.lengthMs()
                  + " (the media's length), not "
                  + shown(value));
        }
        long position = n.longValueExact();
        boolean playing = now.playing() && position < now.lengthMs();
        return Outcome.to(now.moved(playing, position, nowMs, now.rate()));
      }
      case "rate" -> {
        String refusal = members(command, "rate");
        if (refusal != null) {
          return Outcome.refused(refusal);
        }
        Object value = command.get("rate");
        if (!(value instanceof BigDecimal n)
            || n.compareTo(BigDecimal.valueOf(MIN_RATE)) < 0
            || n.compareTo(BigDecimal.valueOf(MAX_RATE)) > 0) {
          return Outcome.refused(
              "rate needs \"rate\": a number "
                  + MIN_RATE
                  + ".."
                  + MAX_RATE
                  + ", not "
                  + shown(value));
        }
        return Outcome.to(now.moved(now.playing(), now.positionAt(nowMs), nowMs, n.doubleValue()));
      }
      default -> {
        return Outcome.refused("unknown command \"" + op + "\"; " + COMMANDS);
      }
    }
  }

  /** {@code value} as a command, if it is a JSON object with no object or array inside. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> flatObject(Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return null;
    }
    for (Object member : map.values()) {
      if (member instanceof Map<?, ?> || member instanceof java.util.List<?>) {
        return null;
      }
    }
    return (Map<String, Object>) map;
  }

  private static String shown(Object value) {
    if (value == null) {
      return "null";
    }
    return value instanceof String text ? quote(text) : value.toString();
  }

  /** Why {@code command} is refused for members other than type and {@code allowed}, or null. */
  private static String members(Map<String, Object> command, String... allowed) {
    Set<String> known = Set.of(allowed);
    for (String key : command.keySet()) {
      if (!key.equals("type") && !known.contains(key)) {
        return command.get("type")
            + " has no member \""
            + key
            + "\""
            + (allowed.length == 0 ? "" : "; it takes " + String.join(", ", allowed));
      }
    }
    return null;
  }

  @Override
  public void webSocketClose(HibernatableWebSocket ws, int code, String reason, boolean wasClean) {
    presence.leave(ws);
  }

  @Override
  public void webSocketError(HibernatableWebSocket ws, Throwable error) {
    presence.leave(ws);
  }

  /** Announces the viewers' leaves that are due; pauses a media that played to its end. */
  @Override
  public void alarm(AlarmInfo info) {
    presence.alarm();
    long now = state.clock().millis();
    Playback stored = playback();
    Playback settled = stored.at(now);
    if (settled != stored) {
      Playback ended =
          settled.moved(false, settled.lengthMs(), settled.atServerMs(), settled.rate());
      state.storage().put(KEY, ended);
      broadcast(json(ended, "end", null, now));
    } else {
      armEnd(stored, true);
    }
  }

  /**
   * Sets the alarm for the end of a playing media unless an earlier one is set (presence's, or a
   * stale end that will re-arm when it fires). While the alarm runs, one at or before now is the
   * one firing and does not count.
   */
  private void armEnd(Playback playback, boolean firing) {
    if (!playback.playing()) {
      return;
    }
    long end = playback.endsAtMs();
    Optional<Instant> alarm = state.storage().getAlarm();
    boolean stale =
        firing && alarm.isPresent() && alarm.get().toEpochMilli() <= state.clock().millis();
    if (alarm.isEmpty() || stale || alarm.get().toEpochMilli() > end) {
      state.storage().setAlarm(Instant.ofEpochMilli(end));
    }
  }

  private Playback playback() {
    return state
        .storage()
        .get(KEY, Playback.class)
        .orElseGet(() -> new Playback(false, 0, state.clock().millis(), 1.0, lengthMs, 0));
  }

  private void broadcast(String json) {
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      ws.send(json);
    }
  }

  private static void reject(HibernatableWebSocket to, String op, String reason) {
    to.send("{\"type\":\"rejected\",\"op\":" + quote(op) + ",\"reason\":" + quote(reason) + "}");
  }

  private static String json(Playback p, String cause, String by, long serverMs) {
    return "{\"type\":\"state\",\"cause\":"
        + quote(cause)
        + ",\"by\":"
        + (by == null ? "null" : quote(by))
        + ",\"playing\":"
        + p.playing()
        + ",\"positionMs\":"
        + p.positionMs()
        + ",\"atServerMs\":"
        + p.atServerMs()
        + ",\"rate\":"
        + p.rate()
        + ",\"lengthMs\":"
        + p.lengthMs()
        + ",\"version\":"
        + p.version()
        + ",\"serverMs\":"
        + serverMs
        + "}";
  }

  /** The {@code user} query parameter, if given; throws with the reason if it is not a name. */
  private static Optional<String> user(Request request) {
    for (String pair : request.query().orElse("").split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals("user")) {
        String value;
        try {
          value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("the user name is not URL-encoded: " + e.getMessage());
        }
        if (!USER.matcher(value).matches()) {
          throw new IllegalArgumentException(
              "a user name is 1-"
                  + MAX_USER
                  + " letters, digits, spaces or . _ -, not "
                  + quote(value.length() > 40 ? value.substring(0, 40) + "..." : value));
        }
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
