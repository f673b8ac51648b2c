package dev.outpost.samples.counter;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;

/**
 * A persisted counter. {@code POST /objects/counter/{name}} adds one and answers the new value;
 * {@code GET} answers the current value ({@code 0} if never incremented). Because turns run one at
 * a time and the response leaves only once the write is durable, concurrent increments each see a
 * distinct value and no acknowledged increment is ever lost. A WebSocket gets the value at once,
 * then every new value as it is written (its messages are ignored); its page is {@code
 * /_outpost/demo/counter}.
 */
public final class Counter implements DurableObject {

  private static final String KEY = "value";

  private final DurableObjectState state;

  public Counter(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    if (request.isWebSocketUpgrade()) {
      Response accepted = state.acceptWebSocket(request);
      accepted.webSocket().ifPresent(ws -> ws.send(Long.toString(current())));
      return accepted;
    }
    return switch (request.method()) {
      case "GET" -> Response.ok(Long.toString(current()));
      case "POST" -> {
        long next = current() + 1;
        state.storage().put(KEY, next);
        String value = Long.toString(next);
        for (HibernatableWebSocket watcher : state.getWebSockets()) {
          watcher.send(value);
        }
        yield Response.ok(value);
      }
      default ->
          Response.builder(405)
              .header("Allow", "GET, POST")
              .body("counter supports GET (read) and POST (increment)")
              .build();
    };
  }

  private long current() {
    return state.storage().get(KEY, Long.class).orElse(0L);
  }
}
