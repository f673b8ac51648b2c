package dev.outpost.api.realtime;

import dev.outpost.api.DurableObjectState;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.WebSocketMessage;
import java.util.Objects;

/**
 * Sends one message to many of an object's connections: all, those with a tag, and either of them
 * except one (typically the sender). Call from the object's own turns; the sends leave, like any
 * send, after the turn's writes are durable. Closed connections are skipped. Each method returns
 * how many connections it sent to.
 */
public final class Broadcast {

  private Broadcast() {}

  /** To every open connection of the object. */
  public static int toAll(DurableObjectState state, WebSocketMessage message) {
    return send(state.getWebSockets(), null, message);
  }

  /** To every open connection carrying {@code tag}. */
  public static int toTag(DurableObjectState state, String tag, WebSocketMessage message) {
    return send(state.getWebSockets(Objects.requireNonNull(tag, "tag")), null, message);
  }

  /** To every open connection except {@code except}. */
  public static int toAllExcept(
      DurableObjectState state, HibernatableWebSocket except, WebSocketMessage message) {
    return send(state.getWebSockets(), except, message);
  }

  /** To every open connection carrying {@code tag} except {@code except}. */
  public static int toTagExcept(
      DurableObjectState state,
      String tag,
      HibernatableWebSocket except,
      WebSocketMessage message) {
    return send(state.getWebSockets(Objects.requireNonNull(tag, "tag")), except, message);
  }

  /** Text to every open connection. */
  public static int toAll(DurableObjectState state, String text) {
    return toAll(state, WebSocketMessage.text(text));
  }

  /** Text to every open connection carrying {@code tag}. */
  public static int toTag(DurableObjectState state, String tag, String text) {
    return toTag(state, tag, WebSocketMessage.text(text));
  }

  private static int send(
      Iterable<HibernatableWebSocket> sockets,
      HibernatableWebSocket except,
      WebSocketMessage message) {
    Objects.requireNonNull(message, "message");
    int sent = 0;
    for (HibernatableWebSocket ws : sockets) {
      if (ws != except && ws.isOpen()) {
        ws.send(message);
        sent++;
      }
    }
    return sent;
  }
}
