package dev.outpost.samples.chat;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.realtime.Broadcast;
import dev.outpost.api.realtime.Presence;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A chat room on the WebSocket hibernation API: {@code /objects/chat/{room}} upgrades to a
 * WebSocket (or an Outpost session over SSE or long polling); every text frame is sent, unchanged,
 * to every socket of the room, the sender included; binary frames are ignored. A plain GET answers
 * 426.
 *
 * <p>Presence is opt-in: a member that connects with {@code ?user=NAME} joins the room's presence
 * (see {@link Presence}): it gets a snapshot of who is here, then {@code join} and {@code leave}
 * events as JSON text frames; a user who comes back within {@value #GRACE_SECONDS} s causes no
 * leave/join flicker. Members without {@code user} see only the chat text, exactly as sent. The
 * room keeps no state of its own beyond pending leaves, so it can hibernate between messages.
 */
public final class ChatRoom implements DurableObject {

  private static final String MEMBER = "member";
  private static final String PRESENCE = "presence";
  private static final long GRACE_SECONDS = 3;

  private final DurableObjectState state;
  private final Presence presence;

  public ChatRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.presence = new Presence(state, PRESENCE, Duration.ofSeconds(GRACE_SECONDS));
  }

  @Override
  public Response fetch(Request request) {
    if (!request.isWebSocketUpgrade()) {
      return Response.builder(426)
          .header("Upgrade", "websocket")
          .body("this is a chat room: connect with a WebSocket")
          .build();
    }
    Optional<String> user = queryParam(request, "user");
    if (user.isEmpty()) {
      return state.acceptWebSocket(request, MEMBER);
    }
    Response accepted = state.acceptWebSocket(request, MEMBER, PRESENCE);
    presence.join(accepted.webSocket().orElseThrow(), user.get(), Map.of());
    return accepted;
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    if (message.isText()) {
      Broadcast.toTag(state, MEMBER, message);
    }
  }

  @Override
  public void webSocketClose(HibernatableWebSocket ws, int code, String reason, boolean wasClean) {
    presence.leave(ws);
  }

  @Override
  public void alarm(AlarmInfo info) {
    presence.alarm();
  }

  private static Optional<String> queryParam(Request request, String name) {
    for (String pair : request.query().orElse("").split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isBlank() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
