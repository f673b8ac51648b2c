package dev.outpost.samples.chat;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;

/**
 * A chat room on the WebSocket hibernation API: {@code /objects/chat/{room}} upgrades to a
 * WebSocket; every text frame is sent, unchanged, to every socket of the room, the sender included;
 * binary frames are ignored. The room keeps no state of its own, so it can hibernate between
 * messages while its members stay connected. A plain GET answers 426.
 */
public final class ChatRoom implements DurableObject {

  private static final String MEMBER = "member";

  private final DurableObjectState state;

  public ChatRoom(DurableObjectState state, Env env) {
    this.state = state;
  }

  @Override
  public Response fetch(Request request) {
    if (!request.isWebSocketUpgrade()) {
      return Response.builder(426)
          .header("Upgrade", "websocket")
          .body("this is a chat room: connect with a WebSocket")
          .build();
    }
    return state.acceptWebSocket(request, MEMBER);
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    if (!message.isText()) {
      return;
    }
    for (HibernatableWebSocket member : state.getWebSockets(MEMBER)) {
      member.send(message);
    }
  }
}
