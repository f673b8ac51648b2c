package dev.outpost.client;

import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Event;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Server-Sent Events from the object's URL; frames to the server go by POST. */
final class EventStreamChannel extends Channel {

  private final HttpClient http;
  private final Poster poster;
  private final Duration idle;
  private HttpClientRequest request; // null until sent
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private String eventType = "";
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String lastId = "";

  EventStreamChannel(
      Events events,
      Vertx vertx,
      HttpClient http,
      String base,
      String path,
      Duration connectTimeout,
      Duration idle) {
    super(events, vertx, base, path, connectTimeout, ClientTransport.EVENT_STREAM);
    this.http = http;
    this.poster = new Poster(this, http);
    this.idle = idle;
  }

  @Override
  void start(String resumeEpoch, long resumeOffset) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.GET)
            .setHost(host)
            .setPort(port)
            .setURI(path)
            .setConnectTimeout(connectTimeout.toMillis())
            .setIdleTimeout(idle.toMillis())
            .putHeader("Accept", "text/event-stream");
    if (resumeEpoch != null) {
      options.putHeader(OutpostV1.Header.LAST_EVENT_ID, resumeEpoch + ":" + resumeOffset);
    }
    http.request(options)
        .compose(
            req -> {
              request = req;
              return req.send();
            })
        .onComplete(
            done -> {
              if (done.failed()) {
                down(1006, "event stream failed: " + done.cause().getMessage());
                return;
              }
              var response = done.result();
              String type = response.getHeader("Content-Type");
              if (response.statusCode() != 200 || type == null || !type.contains("event-stream")) {
                response
                    .body()
                    .onComplete(
                        b ->
                            down(
                                1006,
                                "event stream refused: HTTP "
                                    + response.statusCode()
                                    + (b.succeeded() ? " " + b.result() : "")));
                return;
              }
              response.handler(this::feed);
              response.exceptionHandler(e -> down(1006, "event stream broke: " + e.getMessage()));
              response.endHandler(v -> down(1006, "event stream ended"));
            });
  }

  private void feed(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    for (byte b : bytes) {
      if (dead) {
        return;
      }
      if (b == '\n') {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        onLine(text.endsWith("\r") ? text.substring(0, text.length() - 1) : text);
      } else {
        line.write(b);
      }
    }
  }

  private void onLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.startsWith(":")) {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> lastId = value;
      default -> {}
    }
  }

  private void dispatch() {
    String type = eventType.isEmpty() ? "message" : eventType;
    String payload = data.toString();
    boolean any = hasData;
    eventType = "";
    data.setLength(0);
    hasData = false;
    if (!any) {
      return;
    }
    events.alive(this);
    long offset =
        lastId.contains(":") ? Long.parseLong(lastId.substring(lastId.lastIndexOf(':') + 1)) : 0;
    switch (type) {
      case Event.PROTOCOL -> {
        JsonObject frame = new JsonObject(payload);
        switch (frame.getString(Field.TYPE, "")) {
          case Type.WELCOME -> welcome(frame);
          case Type.CLOSE -> {
            kill();
            dead = false;
            down(frame.getInteger(Field.CODE, 1006), frame.getString(Field.REASON, ""));
          }
          default -> events.frame(this, frame);
        }
      }
      case "message" -> events.frame(this, message(offset).put(Field.TEXT, payload));
      case Event.TEXT ->
          events.frame(this, message(offset).put(Field.TEXT, (String) Json.decodeValue(payload)));
      case Event.BINARY ->
          events.frame(this, message(offset).put(Field.BINARY, (String) Json.decodeValue(payload)));
      default -> {}
    }
  }

  /** An {@code m} frame at {@code offset}, without its payload yet. */
  private static JsonObject message(long offset) {
    return new JsonObject().put(Field.TYPE, Type.MESSAGE).put(Field.OFFSET, offset);
  }

  @Override
  void send(List<String> frames) {
    poster.send(frames);
  }

  @Override
  void kill() {
    dead = true;
    if (request != null) {
      request.reset();
    }
  }
}
