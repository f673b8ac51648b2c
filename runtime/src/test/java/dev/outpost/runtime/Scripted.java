package dev.outpost.runtime;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable object whose behaviour each test sets through {@link #behavior}. Counts constructor
 * runs so tests can tell a reset or wake-up from a live instance. Tests of one class run one at a
 * time, and each sets its own behaviour.
 */
public final class Scripted implements DurableObject {

  /** What the object does; unset methods do nothing. */
  public interface Behavior {
    default Response fetch(DurableObjectState state, Request request) throws Exception {
      return request.isWebSocketUpgrade()
          ? state.acceptWebSocket(request, "all")
          : Response.ok("default");
    }

    default void message(DurableObjectState state, HibernatableWebSocket ws, WebSocketMessage m)
        throws Exception {}

    default void close(DurableObjectState state, HibernatableWebSocket ws, int code)
        throws Exception {}

    default void alarm(DurableObjectState state, AlarmInfo info) throws Exception {}

    default void constructed(DurableObjectState state) throws Exception {}
  }

  static volatile Behavior behavior = new Behavior() {};
  static final AtomicInteger constructed = new AtomicInteger();
  static volatile Env env; // the Env of the latest instance

  private final DurableObjectState state;

  public Scripted(DurableObjectState state, Env env) throws Exception {
    this.state = state;
    Scripted.env = env;
    constructed.incrementAndGet();
    behavior.constructed(state);
  }

  static void reset(Behavior next) {
    behavior = next;
    constructed.set(0);
  }

  @Override
  public Response fetch(Request request) throws Exception {
    return behavior.fetch(state, request);
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message)
      throws Exception {
    behavior.message(state, ws, message);
  }

  @Override
  public void webSocketClose(HibernatableWebSocket ws, int code, String reason, boolean wasClean)
      throws Exception {
    behavior.close(state, ws, code);
  }

  @Override
  public void alarm(AlarmInfo info) throws Exception {
    behavior.alarm(state, info);
  }
}
