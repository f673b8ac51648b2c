package dev.outpost.testkit;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import java.time.Instant;

/**
 * A test object. {@code POST /arm} with an instant as body sets the alarm there; each alarm counts
 * {@code fired} and, while fewer than {@code ticks} (a stored number) fired, sets the next alarm 10
 * s after the one that fired. {@code POST /throw} throws. Sockets: {@code ?refuse} answers 403; a
 * message {@code close} is answered by closing with 4000, {@code fail} by closing with 1011,
 * anything else is echoed with a prefix.
 */
public final class Ticker implements DurableObject {

  private final DurableObjectState state;
  private final Env env;

  public Ticker(DurableObjectState state, Env env) {
    this.state = state;
    this.env = env;
  }

  @Override
  public Response fetch(Request request) {
    if (request.isWebSocketUpgrade()) {
      return request.query().orElse("").contains("refuse")
          ? Response.text(403, "no sockets today")
          : state.acceptWebSocket(request);
    }
    return switch (request.path()) {
      case "/arm" -> {
        Instant at = Instant.parse(request.bodyText());
        state.storage().put("next", at.toString());
        state.storage().setAlarm(at);
        yield Response.ok("armed");
      }
      case "/ticks" -> {
        state.storage().put("ticks", Long.parseLong(request.bodyText()));
        yield Response.ok("ok");
      }
      case "/throw" -> throw new IllegalStateException("told to throw");
      case "/setting" -> Response.ok(env.setting("greeting").orElse("none"));
      default -> Response.ok(state.storage().get("fired", Long.class).orElse(0L).toString());
    };
  }

  @Override
  public void alarm(AlarmInfo info) {
    long fired = state.storage().get("fired", Long.class).orElse(0L) + 1;
    state.storage().put("fired", fired);
    if (fired < state.storage().get("ticks", Long.class).orElse(1L)) {
      Instant next = Instant.parse(state.storage().get("next", String.class).orElseThrow());
      state.storage().put("next", next.plusSeconds(10).toString());
      state.storage().setAlarm(next.plusSeconds(10));
    }
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message) {
    if (message.isText() && message.text().equals("close")) {
      ws.close(4000, "asked to");
    } else if (message.isText() && message.text().equals("fail")) {
      ws.close(1011, "internal error");
    } else if (message.isText()) {
      ws.send("echo " + message.text());
    }
  }
}
