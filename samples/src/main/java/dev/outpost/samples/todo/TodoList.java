package dev.outpost.samples.todo;

import static dev.outpost.api.realtime.Json.quote;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A shared to-do list, {@code /objects/todo/{list}}, for clients that update optimistically: they
 * show a change at once, send it, and undo it if the list refuses it.
 *
 * <p>A WebSocket (plain, or an Outpost session over any transport) first receives {@code
 * {"type":"snapshot","items":[...]}}, then every change as it is applied. Clients send one text
 * command per change, with the item id the client chose:
 *
 * <ul>
 *   <li>{@code add ID TITLE}: refused if the id is malformed or taken, the title is blank, longer
 *       than {@value #MAX_TITLE} characters, or already on the list (ignoring case and surrounding
 *       spaces), or the list holds {@value #MAX_ITEMS} items; applied: {@code
 *       {"type":"added","item":{"id":..,"title":..,"done":false}}} to everyone;
 *   <li>{@code toggle ID}: flips done; {@code {"type":"updated","item":...}} to everyone;
 *   <li>{@code remove ID}: {@code {"type":"removed","id":..}} to everyone.
 * </ul>
 *
 * A refused command is answered to its sender only: {@code
 * {"type":"rejected","op":..,"id":..,"reason":..}}, and nothing changes. A plain {@code GET}
 * answers the snapshot. The list is one stored value; the object keeps nothing in memory, so it
 * hibernates between changes.
 */
public final class TodoList implements DurableObject {

  static final int MAX_TITLE = 100;
  static final int MAX_ITEMS = 100;
  private static final String KEY = "items";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,40}");

  /** One entry of the list. */
  public record Item(String id, String title, boolean done) {}

  private final DurableObjectState state;

  public TodoList(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    if (request.isWebSocketUpgrade()) {
      Response accepted = state.acceptWebSocket(request);
      accepted.webSocket().ifPresent(ws -> ws.send(snapshot(items())));
      return accepted;
    }
    if (request.method().equals("GET")) {
      return Response.json(200, snapshot(items()));
    }
    return Response.builder(405)
        .header("Allow", "GET")
        .body("a to-do list: GET for its items, or connect with a WebSocket to change them")
        .build();
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    if (!message.isText()) {
      from.send(rejected("?", "", "commands are text: add ID TITLE, toggle ID, remove ID"));
      return;
    }
    String text = message.text();
    String[] parts = text.split(" ", 3);
    String op = parts[0];
    String id = parts.length > 1 ? parts[1] : "";
    List<Item> items = new ArrayList<>(items());
    String refusal = refusal(op, id, parts.length > 2 ? parts[2] : null, parts.length, items);
    if (refusal != null) {
      from.send(rejected(op, id, refusal));
      return;
    }
    String event;
    switch (op) {
      case "add" -> {
        Item item = new Item(id, parts[2].strip(), false);
        items.add(item);
        event = "{\"type\":\"added\",\"item\":" + json(item) + "}";
      }
      case "toggle" -> {
        int at = indexOf(items, id);
        Item old = items.get(at);
        Item item = new Item(old.id(), old.title(), !old.done());
        items.set(at, item);
        event = "{\"type\":\"updated\",\"item\":" + json(item) + "}";
      }
      default -> {
        items.remove(indexOf(items, id));
        event = "{\"type\":\"removed\",\"id\":" + quote(id) + "}";
      }
    }
    state.storage().put(KEY, items.toArray(Item[]::new));
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      ws.send(event);
    }
  }

  /** Why the command is refused, or null if it applies. */
  private static String refusal(String op, String id, String title, int parts, List<Item> items) {
    switch (op) {
      case "add" -> {
        if (parts < 3) {
          return "add needs an id and a title: add ID TITLE";
        }
        if (!ID.matcher(id).matches()) {
          return "an item id is 1-40 of [A-Za-z0-9_-]";
        }
        if (indexOf(items, id) >= 0) {
          return "item id " + id + " is taken";
        }
        String clean = title.strip();
        if (clean.isEmpty()) {
          return "a title cannot be empty";
        }
        if (clean.length() > MAX_TITLE) {
          return "a title has at most " + MAX_TITLE + " characters";
        }
        String key = clean.toLowerCase(Locale.ROOT);
        for (Item item : items) {
          if (item.title().toLowerCase(Locale.ROOT).equals(key)) {
            return "\"" + item.title() + "\" is already on the list";
          }
        }
        if (items.size() >= MAX_ITEMS) {
          return "the list is full (" + MAX_ITEMS + " items)";
        }
        return null;
      }
      case "toggle", "remove" -> {
        return parts == 2 && indexOf(items, id) >= 0 ? null : "no item " + id + " on the list";
      }
      default -> {
        return "unknown command " + op + "; commands: add ID TITLE, toggle ID, remove ID";
      }
    }
  }

  private List<Item> items() {
    return state.storage().get(KEY, Item[].class).map(List::of).orElse(List.of());
  }

  private static int indexOf(List<Item> items, String id) {
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i).id().equals(id)) {
        return i;
      }
    }
    return -1;
  }

  private static String snapshot(List<Item> items) {
    StringBuilder out = new StringBuilder("{\"type\":\"snapshot\",\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? "" : ",").append(json(items.get(i)));
    }
    return out.append("]}").toString();
  }

  private static String rejected(String op, String id, String reason) {
    return "{\"type\":\"rejected\",\"op\":"
        + quote(op)
        + ",\"id\":"
        + quote(id)
        + ",\"reason\":"
        + quote(reason)
        + "}";
  }

  private static String json(Item item) {
    return "{\"id\":"
        + quote(item.id())
        + ",\"title\":"
        + quote(item.title())
        + ",\"done\":"
        + item.done()
        + "}";
  }
}
