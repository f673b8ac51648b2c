package dev.outpost.samples.notifications;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.ListOptions;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.realtime.Broadcast;
import dev.outpost.api.realtime.Json;
import dev.outpost.samples.json.JsonText;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One user's notification inbox, {@code /objects/notifications/{user}}: it keeps the user's newest
 * {@value #MAX_ITEMS} notifications and pushes each new one, with the unread count, to every
 * connection of that user (every tab, over WebSocket, or an Outpost session over SSE or long
 * polling: the object sees them all as hibernatable sockets).
 *
 * <p><b>Sending.</b> {@code POST /objects/notifications/{user}} with the JSON body {@code
 * {"from":NAME,"text":TEXT}} (at most {@value #MAX_MESSAGE_BYTES} bytes) answers 201 with the
 * {@code notification} event below; or a connected client sends {@code
 * {"op":"notify","from":NAME,"text":TEXT}}. A name is {@value #NAME_RULE}; a text is 1-{@value
 * #MAX_TEXT} characters (Unicode code points) once stripped of surrounding white space. A refused
 * POST stores nothing and says why in a plain-text body: 400 (not JSON, not an object, a member
 * missing, unknown or invalid), 413 (too large), 415 (a {@code Content-Type} that is not JSON); an
 * inbox whose name breaks the rule, or a path below the inbox, answers 404, any other method 405.
 *
 * <p><b>Events</b>, JSON text messages to the inbox's connections; an item is {@code
 * {"id":N,"from":..,"text":..,"time":"2030-01-01T00:00:00Z","read":B}}, ids counting up from 1,
 * {@code time} read from {@link DurableObjectState#clock()} when the inbox accepted it:
 *
 * <ul>
 *   <li>on connecting: {@code {"type":"snapshot","user":..,"unread":U,"limit":100,"items":[..]}},
 *       newest first ({@code GET} answers the same);
 *   <li>to all, on a new notification: {@code
 *       {"type":"notification","item":{..},"unread":U,"dropped":[ids]}}; {@code dropped} names the
 *       oldest items it pushed out of the inbox, so every client keeps the same newest {@value
 *       #MAX_ITEMS};
 *   <li>to all, when items were marked read: {@code {"type":"read","ids":[..],"unread":U}}; a
 *       command that marked nothing new (the item was already read) is answered to its sender only,
 *       with {@code "ids":[]};
 *   <li>to the sender only, when a command is refused: {@code
 *       {"type":"rejected","op":OP,"reason":..}}; nothing changed.
 * </ul>
 *
 * <p><b>Commands</b> from a connection, one JSON object per text message of at most {@value
 * #MAX_MESSAGE_BYTES} bytes: {@code {"op":"read","id":N}} marks one item read (refused if no item
 * {@code N} is in the inbox), {@code {"op":"readAll"}} marks every item read, and {@code notify}
 * above. Unknown ops, unknown or missing members, binary messages and malformed JSON are refused.
 *
 * <p><b>Storage.</b> Each item is one key ({@code item:} and its id, zero-padded so keys sort as
 * ids), and {@code meta} holds {@link Meta}: the oldest id kept, the next id and the unread count.
 * Invariant, kept by every turn's single atomic commit: the stored items are exactly the ids {@code
 * firstId..nextId-1}, at most {@value #MAX_ITEMS} of them, and {@code unread} counts those not
 * read. The object keeps nothing in memory, so it hibernates between events. Turns run one at a
 * time (the runtime's rule), so no two commands interleave.
 */
public final class NotificationInbox implements DurableObject {

  /**
   * The most notifications an inbox keeps; the oldest are dropped past it. Mark-all-read writes
   * every item and the meta key in one multi-key put, so this stays below {@link
   * dev.outpost.api.StorageOperations#MAX_KEYS_PER_CALL} (128).
   */
  static final int MAX_ITEMS = 100;

  /** The longest text, in Unicode code points (a short message; the sample's own choice). */
  static final int MAX_TEXT = 280;

  /**
   * The largest POST body or command, in UTF-8 bytes: room for a text of {@value #MAX_TEXT} code
   * points written entirely as escaped surrogate pairs (280 x 12 = 3360 bytes) and two names, with
   * margin.
   */
  static final int MAX_MESSAGE_BYTES = 8 * 1024;

  /** What a user name is, for error messages. */
  static final String NAME_RULE =
      "1-40 characters of A-Z a-z 0-9 _ . - starting with a letter or digit";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,39}");
  private static final String META = "meta";
  private static final String ITEM = "item:";
  private static final String COMMANDS =
      "commands: {\"op\":\"read\",\"id\":N}, {\"op\":\"readAll\"},"
          + " {\"op\":\"notify\",\"from\":NAME,\"text\":TEXT}";

  /** One stored notification; {@code timeMillis} is epoch milliseconds on the object's clock. */
  public record Item(long id, String from, String text, long timeMillis, boolean read) {}

  /** The inbox's bookkeeping: items {@code firstId..nextId-1} are stored, {@code unread} unread. */
  public record Meta(long firstId, long nextId, int unread) {
    static final Meta EMPTY = new Meta(1, 1, 0);
  }

  /**
   * A command's outcome: the event for everyone, or for the sender only, or a refusal (then {@code
   * event} is null).
   */
  private record Outcome(String event, boolean toAll, String refusal) {
    static Outcome everyone(String event) {
      return new Outcome(event, true, null);
    }

    static Outcome senderOnly(String event) {
      return new Outcome(event, false, null);
    }

    static Outcome refused(String reason) {
      return new Outcome(null, false, reason);
    }
  }

  private final DurableObjectState state;

  public NotificationInbox(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    Optional<String> user = state.id().name().filter(n -> NAME.matcher(n).matches());
    if (user.isEmpty()) {
      return Response.text(
          404,
          "no inbox for "
              + state.id().name().map(Json::quote).orElse("an object id")
              + ": an inbox is /objects/notifications/NAME, where NAME is "
              + NAME_RULE);
    }
    if (!request.path().equals("/")) {
      return Response.text(
          404,
          "an inbox has no "
              + request.path()
              + "; use /objects/notifications/"
              + user.get()
              + " itself");
    }
    if (request.isWebSocketUpgrade()) {
      Response accepted = state.acceptWebSocket(request);
      accepted.webSocket().ifPresent(ws -> ws.send(snapshot(user.get())));
      return accepted;
    }
    return switch (request.method()) {
      case "GET" -> Response.json(200, snapshot(user.get()));
      case "POST" -> post(request);
      default ->
          Response.builder(405)
              .header("Allow", "GET, POST")
              .header("Content-Type", "text/plain; charset=utf-8")
              .body(
                  "an inbox takes GET (its items), POST {\"from\":NAME,\"text\":TEXT} (a new"
                      + " notification), or a WebSocket")
              .build();
    };
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    Outcome outcome;
    if (!message.isText()) {
      outcome = Outcome.refused("commands are JSON text, not binary; " + COMMANDS);
    } else if (message.size() > MAX_MESSAGE_BYTES) {
      outcome =
          Outcome.refused(
              "a command is at most "
                  + MAX_MESSAGE_BYTES
                  + " bytes; this one is "
                  + message.size());
    } else {
      outcome = command(message.text());
    }
    if (outcome.refusal() != null) {
      from.send(InboxEvents.rejected(opOf(message), outcome.refusal()));
    } else if (outcome.toAll()) {
      Broadcast.toAll(state, outcome.event());
    } else {
      from.send(outcome.event());
    }
  }

  private Response post(Request request) {
    Optional<String> type = request.header("Content-Type");
    if (type.isPresent() && !type.get().toLowerCase(Locale.ROOT).contains("json")) {
      return Response.text(
          415, "a notification is JSON (Content-Type: application/json), not " + type.get() + "\n");
    }
    byte[] body = request.body();
    if (body.length > MAX_MESSAGE_BYTES) {
      return Response.text(
          413,
          "a notification is at most "
              + MAX_MESSAGE_BYTES
              + " bytes of JSON; this one is "
              + body.length
              + "\n");
    }
    Map<String, Object> fields;
    try {
      fields = object(new String(body, StandardCharsets.UTF_8), "a notification");
    } catch (JsonText.MalformedException e) {
      return Response.text(400, e.getMessage() + "\n");
    }
    String refusal = unexpectedMembers(fields, Set.of("from", "text"), "a notification");
    if (refusal != null) {
      return Response.text(400, refusal + "\n");
    }
    Outcome outcome = notify(fields);
    if (outcome.refusal() != null) {
      return Response.text(400, outcome.refusal() + "\n");
    }
    Broadcast.toAll(state, outcome.event());
    return Response.json(201, outcome.event());
  }

  /** Parses and applies one command from a connection. */
  private Outcome command(String text) {
    Map<String, Object> fields;
    try {
      fields = object(text, "a command");
    } catch (JsonText.MalformedException e) {
      return Outcome.refused(e.getMessage() + "; " + COMMANDS);
    }
    if (!(fields.get("op") instanceof String op)) {
      return Outcome.refused("a command needs \"op\" as a string; " + COMMANDS);
    }
    Set<String> members =
        switch (op) {
          case "read" -> Set.of("op", "id");
          case "readAll" -> Set.of("op");
          case "notify" -> Set.of("op", "from", "text");
          default -> null;
        };
    if (members == null) {
      return Outcome.refused("unknown command " + Json.quote(op) + "; " + COMMANDS);
    }
    String refusal = unexpectedMembers(fields, members, op);
    if (refusal != null) {
      return Outcome.refused(refusal);
    }
    return switch (op) {
      case "read" -> read(fields.get("id"));
      case "readAll" -> readAll();
      default -> notify(fields);
    };
  }

  private Outcome notify(Map<String, Object> fields) {
    if (!(fields.get("from") instanceof String from) || !NAME.matcher(from).matches()) {
      return Outcome.refused(
          "\"from\" must be a user name, " + NAME_RULE + "; got " + describe(fields.get("from")));
    }
    if (!(fields.get("text") instanceof String raw)) {
      return Outcome.refused("\"text\" must be a string; got " + describe(fields.get("text")));
    }
    String text = raw.strip();
    if (text.isEmpty()) {
      return Outcome.refused("\"text\" is empty; write something");
    }
    int length = text.codePointCount(0, text.length());
    if (length > MAX_TEXT) {
      return Outcome.refused(
          "\"text\" is " + length + " characters; the limit is " + MAX_TEXT + " (MAX_TEXT)");
    }
    Meta meta = meta();
    long id = meta.nextId();
    Item item = new Item(id, from, text, state.clock().millis(), false);
    state.storage().put(key(id), item);
    long first = meta.firstId();
    int unread = meta.unread() + 1;
    List<Long> dropped = new ArrayList<>();
    while (id + 1 - first > MAX_ITEMS) {
      Optional<Item> old = state.storage().get(key(first), Item.class);
      if (old.isPresent() && !old.get().read()) {
        unread--;
      }
      state.storage().delete(key(first));
      dropped.add(first);
      first++;
    }
    state.storage().put(META, new Meta(first, id + 1, unread));
    return Outcome.everyone(InboxEvents.notification(item, unread, dropped));
  }

  private Outcome read(Object idValue) {
    if (!(idValue instanceof BigDecimal number) || !isLong(number)) {
      return Outcome.refused("\"id\" must be a whole number; got " + describe(idValue));
    }
    long id = number.longValueExact();
    Meta meta = meta();
    Optional<Item> item =
        id >= meta.firstId() && id < meta.nextId()
            ? state.storage().get(key(id), Item.class)
            : Optional.empty();
    if (item.isEmpty()) {
      return Outcome.refused(
          "no notification "
              + id
              + " in this inbox"
              + (meta.nextId() > meta.firstId()
                  ? " (it holds " + meta.firstId() + "-" + (meta.nextId() - 1) + ")"
                  : " (it is empty)"));
    }
    if (item.get().read()) {
      return Outcome.senderOnly(InboxEvents.read(List.of(), meta.unread()));
    }
    Item old = item.get();
    state.storage().put(key(id), new Item(id, old.from(), old.text(), old.timeMillis(), true));
    int unread = meta.unread() - 1;
    state.storage().put(META, new Meta(meta.firstId(), meta.nextId(), unread));
    return Outcome.everyone(InboxEvents.read(List.of(id), unread));
  }

  private Outcome readAll() {
    Meta meta = meta();
    Map<String, Object> writes = new LinkedHashMap<>();
    List<Long> ids = new ArrayList<>();
    for (Item item : items(false)) {
      if (!item.read()) {
        writes.put(
            key(item.id()), new Item(item.id(), item.from(), item.text(), item.timeMillis(), true));
        ids.add(item.id());
      }
    }
    if (ids.isEmpty()) {
      return Outcome.senderOnly(InboxEvents.read(List.of(), meta.unread()));
    }
    writes.put(META, new Meta(meta.firstId(), meta.nextId(), 0));
    state.storage().put(writes);
    return Outcome.everyone(InboxEvents.read(ids, 0));
  }

  private Meta meta() {
    return state.storage().get(META, Meta.class).orElse(Meta.EMPTY);
  }

  /** The stored items, newest first when {@code newestFirst}, else oldest first. */
  private List<Item> items(boolean newestFirst) {
    ListOptions options =
        ListOptions.builder().prefix(ITEM).reverse(newestFirst).limit(MAX_ITEMS).build();
    return List.copyOf(state.storage().list(options, Item.class).values());
  }

  private static String key(long id) {
    return ITEM + String.format("%019d", id);
  }

  private String snapshot(String user) {
    return InboxEvents.snapshot(user, meta().unread(), MAX_ITEMS, items(true));
  }

  /** The JSON text as an object, or why it is not one. */
  private static Map<String, Object> object(String text, String what)
      throws JsonText.MalformedException {
    Object value = JsonText.parse(text);
    if (!(value instanceof Map<?, ?> map)) {
      throw new JsonText.MalformedException(
          what + " is a JSON object {...}, not " + describe(value));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = (Map<String, Object>) map;
    return fields;
  }

  /** Names the first member not in {@code allowed}, or null if there is none. */
  private static String unexpectedMembers(
      Map<String, Object> fields, Set<String> allowed, String what) {
    for (String name : fields.keySet()) {
      if (!allowed.contains(name)) {
        return what
            + " has no member "
            + Json.quote(name)
            + "; its members are "
            + String.join(", ", allowed.stream().sorted().toList());
      }
    }
    return null;
  }

  /** The op a refused command named, or "?" when it named none. */
  private static String opOf(WebSocketMessage message) {
    if (!message.isText() || message.size() > MAX_MESSAGE_BYTES) {
      return "?";
    }
    try {
      return JsonText.parse(message.text()) instanceof Map<?, ?> map
              && map.get("op") instanceof String op
          ? op
          : "?";
    } catch (JsonText.MalformedException e) {
      return "?";
    }
  }

  private static boolean isLong(BigDecimal number) {
    try {
      number.longValueExact();
      return true;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static String describe(Object value) {
    return switch (value) {
      case null -> "null or nothing";
      case String s -> "the string " + Json.quote(abbreviate(s));
      case BigDecimal n -> "the number " + abbreviate(n.toString());
      case Boolean b -> b.toString();
      case Map<?, ?> m -> "an object";
      case List<?> l -> "an array";
      default -> value.toString();
    };
  }

  private static String abbreviate(String text) {
    return text.length() > 40 ? text.substring(0, 40) + "..." : text;
  }
}
