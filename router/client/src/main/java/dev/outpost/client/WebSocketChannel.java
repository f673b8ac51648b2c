package dev.outpost.client;

import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;

/** A WebSocket negotiating {@value OutpostV1#SUBPROTOCOL}. */
final class WebSocketChannel extends Channel {

  private final WebSocketClient client;
  private WebSocket ws; // null until connected

  WebSocketChannel(
      Events events,
      Vertx vertx,
      WebSocketClient client,
      String base,
      String path,
      Duration connectTimeout) {
    super(events, vertx, base, path, connectTimeout, ClientTransport.WEBSOCKET);
    this.client = client;
  }

  @Override
  void start(String resumeEpoch, long resumeOffset) {
    String uri =
        resumeEpoch == null ? path : withQuery(path, resumeParams(resumeEpoch, resumeOffset));
    client
        .connect(
            new WebSocketConnectOptions()
                .setHost(host)
                .setPort(port)
                .setURI(uri)
                .setTimeout(connectTimeout.toMillis())
                .addSubProtocol(OutpostV1.SUBPROTOCOL))
        .onComplete(
            done -> {
              if (done.failed()) {
                down(1006, "WebSocket connect failed: " + done.cause().getMessage());
                return;
              }
              WebSocket socket = done.result();
              if (dead) {
                socket.close();
                return;
              }
              ws = socket;
              socket.textMessageHandler(this::onText);
              socket.exceptionHandler(e -> {});
              socket.closeHandler(
                  v -> {
                    Short code = socket.closeStatusCode();
                    down(
                        code == null ? 1006 : code,
                        socket.closeReason() == null ? "" : socket.closeReason());
                  });
            });
  }

  private void onText(String text) {
    if (dead) {
      return;
    }
    JsonObject frame;
    try {
      frame = new JsonObject(text);
    } catch (DecodeException e) {
      kill();
      down(CloseCodes.PROTOCOL_ERROR, "not an " + OutpostV1.SUBPROTOCOL + " frame");
      return;
    }
    if (Type.WELCOME.equals(frame.getString(Field.TYPE))) {
      welcome(frame);
    } else {
      events.frame(this, frame);
    }
  }

  @Override
  void send(List<String> frames) {
    if (ws != null && !dead) {
      frames.forEach(ws::writeTextMessage);
    }
  }

  @Override
  void kill() {
    WebSocket socket = ws;
    dead = true;
    if (socket != null) {
      socket.close((short) 4000, "client gave up on this connection");
    }
  }
}
