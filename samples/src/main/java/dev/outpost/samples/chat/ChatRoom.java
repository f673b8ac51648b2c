package dev.outpost.samples.chat;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.party.Connection;
import dev.outpost.api.party.PartyServer;
import dev.outpost.api.realtime.Presence;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A chat room, written as a PartyKit-style room ({@link PartyServer}, on the WebSocket hibernation
 * API): {@code /objects/chat/{room}}, and for partysocket clients {@code /parties/main/{room}} or
 * {@code /party/{room}} (the samples bundle says {@code party.main=chat}), upgrades to a WebSocket
 * (or an Outpost session over SSE or long polling); every text frame is sent, unchanged, to every
 * connection of the room, the sender included; binary frames are ignored. A plain GET answers 426.
 *
 * <p>Presence is opt-in: a member that connects with {@code ?user=NAME} joins the room's presence
 * (see {@link Presence}): it gets a snapshot of who is here, then {@code join} and {@code leave}
 * events as JSON text frames; a user who comes back within {@value #GRACE_SECONDS} s causes no
 * leave/join flicker. Presence keeps its entry as the socket's attachment, so this room keeps no
 * connection state of its own ({@link Connection#setState} would replace the entry). Members
 * without {@code user} see only the chat text, exactly as sent. The room keeps nothing else beyond
 * pending leaves, so it can hibernate between messages.
 */
public final class ChatRoom extends PartyServer {

  private static final String PRESENCE = "presence";
  private static final long GRACE_SECONDS = 3;

  private final Presence presence;

  public ChatRoom(DurableObjectState state, Env env) {
    super(state, env);
    this.presence = new Presence(state, PRESENCE, Duration.ofSeconds(GRACE_SECONDS));
  }

  @Override
  protected Response onRequest(Request request) {
    return Response.builder(426)
        .header("Upgrade", "websocket")
        .body("this is a chat room: connect with a WebSocket")
        .build();
  }

  @Override
  protected List<String> connectionTags(String connectionId, Request request) {
    return user(request).isPresent() ? List.of(PRESENCE) : List.of();
  }

  @Override
  protected void onConnect(Connection connection, Request request) {
    user(request).ifPresent(user -> presence.join(connection.socket(), user, Map.of()));
  }

  @Override
  protected void onMessage(Connection from, WebSocketMessage message) {
    if (message.isText()) {
      broadcast(message);
    }
  }

  @Override
  protected void onClose(Connection connection, int code, String reason, boolean wasClean) {
    presence.leave(connection.socket());
  }

  @Override
  protected void onAlarm(AlarmInfo info) {
    presence.alarm();
  }

  private static Optional<String> user(Request request) {
    for (String pair : request.query().orElse("").split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals("user")) {
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isBlank() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
