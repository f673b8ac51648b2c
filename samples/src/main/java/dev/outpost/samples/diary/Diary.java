package dev.outpost.samples.diary;

import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.ListOptions;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.Map;

/**
 * One user's private diary, {@code /objects/diary/{user}}, behind the router's {@code jwt} guard
 * and {@link OwnerOnly}: every request that reaches it carries the verified subject, which is the
 * diary's owner. {@code POST} with a text body (1-{@value #MAX_ENTRY} characters) adds an entry and
 * answers 201 with {@code N: text}; {@code GET} answers every entry, one {@code N: text} line each,
 * oldest first. A WebSocket (the owner's other tabs) gets each new entry as it is written. At most
 * {@value #MAX_ENTRIES} entries; one more is refused with 409. The entries are keys {@code entry:}
 * plus a zero-padded number, so they list in order; nothing is kept in memory.
 */
public final class Diary implements DurableObject {

  /** Longest entry, in characters. */
  static final int MAX_ENTRY = 1000;

  /** Most entries a diary keeps. */
  static final int MAX_ENTRIES = 100;

  private final DurableObjectState state;

  public Diary(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    String owner = request.header(ConnectGuard.SUBJECT_HEADER).orElse("");
    if (owner.isEmpty()) {
      // Only reachable if the manifest lost its guard: fail closed rather than serve anyone.
      return Response.text(403, "the diary is served only behind its jwt guard");
    }
    if (request.isWebSocketUpgrade()) {
      return state.acceptWebSocket(request);
    }
    return switch (request.method()) {
      case "GET" -> Response.ok(String.join("", entries().values()));
      case "POST" -> add(request.bodyText().strip());
      default ->
          Response.builder(405)
              .header("Allow", "GET, POST")
              .body("a diary supports GET (read) and POST (write an entry)")
              .build();
    };
  }

  private Response add(String text) {
    if (text.isEmpty() || text.length() > MAX_ENTRY) {
      return Response.text(400, "an entry is 1-" + MAX_ENTRY + " characters, was " + text.length());
    }
    Map<String, String> entries = entries();
    if (entries.size() >= MAX_ENTRIES) {
      return Response.text(409, "the diary is full (" + MAX_ENTRIES + " entries)");
    }
    int number = entries.size() + 1;
    String line = number + ": " + text.replace('\n', ' ') + "\n";
    state.storage().put("entry:%05d".formatted(number), line);
    for (HibernatableWebSocket tab : state.getWebSockets()) {
      tab.send(line);
    }
    return Response.text(201, line.strip());
  }

  private Map<String, String> entries() {
    return state.storage().list(ListOptions.builder().prefix("entry:").build(), String.class);
  }
}
