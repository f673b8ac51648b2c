package dev.outpost.router.realtime;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Event;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Op;
import dev.outpost.client.protocol.OutpostV1.Query;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Serves one Server-Sent Events stream on the router the client reached: opens (or resumes) a pull
 * session on the object's owner, then polls it again and again through the ordinary dispatch path
 * (local inbox or node link) and writes each batch as events. Because the session lives at the
 * owner and every exchange is an ordinary request, the stream works through any router, and the
 * client may resume through another one.
 *
 * <p>Events: a text message is a default ({@code message}) event whose data is the text as sent
 * (one {@code data:} line per line); a text that is empty or holds a carriage return is an {@code
 * text} event with the text as a JSON string; a binary message is a {@code binary} event with its
 * base64 as a JSON string. Every message event carries {@code id: epoch:offset}, so {@code
 * Last-Event-ID} resumes it. Protocol frames (welcome, ping, close) are {@code outpost} events with
 * the frame as JSON. The client answers pings by POSTing a pong to the object's URL with {@code
 * outpost=send}.
 *
 * <p>Flow: the next poll goes out only when the client's response is writable, so a client that
 * does not read stops the polling and its session's buffer fills up to its bound, after which the
 * owner closes the link with 4008. A response that stays unwritable for a heartbeat interval plus
 * timeout is closed. Event-loop thread of the client's request only.
 */
final class EventStreamBridge {

  private final Vertx vertx;
  private final Context context;
  private final HttpServerResponse out;
  private final Request base;
  private final Function<Request, CompletableFuture<Response>> dispatch;
  private final BiConsumer<HttpServerResponse, Response> writeAsHttp;
  private final BiConsumer<HttpServerResponse, Throwable> fail;
  private final RealtimeOptions options;
  private String epoch;
  private String conn;
  private long offset;
  private boolean done; // the stream ended (either side)
  private long stallTimer = -1;

  EventStreamBridge(
      Vertx vertx,
      HttpServerResponse out,
      Request base,
      Function<Request, CompletableFuture<Response>> dispatch,
      BiConsumer<HttpServerResponse, Response> writeAsHttp,
      BiConsumer<HttpServerResponse, Throwable> fail,
      RealtimeOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.out = out;
    this.base = base;
    this.dispatch = dispatch;
    this.writeAsHttp = writeAsHttp;
    this.fail = fail;
    this.options = options;
  }

  void start() {
    out.closeHandler(v -> clientGone());
    Request open =
        withQuery(
            base,
            Query.of(Query.OP, Op.OPEN, Query.TRANSPORT, OutpostV1.Transport.EVENT_STREAM),
            true);
    dispatch
        .apply(open)
        .whenComplete(
            (response, error) ->
                context.runOnContext(
                    v -> {
                      if (error != null) {
                        done = true;
                        fail.accept(out, error);
                      } else if (response.header(OutpostV1.Header.REALTIME).isEmpty()) {
                        done = true;
                        writeAsHttp.accept(out, response);
                      } else {
                        begin(new JsonObject(response.bodyText()));
                      }
                    }));
  }

  private void begin(JsonObject welcome) {
    if (done) {
      detach(welcome.getString(Field.EPOCH), welcome.getString(Field.CONN));
      return;
    }
    epoch = welcome.getString(Field.EPOCH);
    conn = welcome.getString(Field.CONN);
    offset = welcome.getLong(Field.START_OFFSET, 0L);
    out.setStatusCode(200)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .setChunked(true);
    out.write(
        "retry: 1000\nid: "
            + epoch
            + ":"
            + offset
            + "\nevent: "
            + Event.PROTOCOL
            + "\ndata: "
            + welcome.encode()
            + "\n\n");
    poll();
  }

  private void poll() {
    if (done) {
      return;
    }
    Request poll =
        withQuery(
            Request.builder("GET", path(base.url())).path(base.path()).build(),
            Query.of(
                Query.OP,
                Op.POLL,
                Query.BRIDGE,
                "1",
                Query.EPOCH,
                epoch,
                Query.CONN,
                conn,
                Query.OFFSET,
                Long.toString(offset)),
            false);
    dispatch
        .apply(poll)
        .whenComplete((response, error) -> context.runOnContext(v -> onBatch(response, error)));
  }

  private void onBatch(Response response, Throwable error) {
    if (done) {
      return;
    }
    if (error != null || response.status() != 200) {
      end(); // the client reconnects and resumes
      return;
    }
    JsonArray frames =
        new JsonObject(response.bodyText()).getJsonArray(Field.FRAMES, new JsonArray());
    StringBuilder events = new StringBuilder();
    boolean closing = false;
    for (Object item : frames) {
      JsonObject frame = (JsonObject) item;
      switch (frame.getString(Field.TYPE, "")) {
        case Type.MESSAGE -> {
          offset = frame.getLong(Field.OFFSET);
          events.append(messageEvent(frame));
        }
        case Type.PING, Type.CLOSE -> {
          events
              .append("event: " + Event.PROTOCOL + "\ndata: ")
              .append(frame.encode())
              .append("\n\n");
          closing |= frame.getString(Field.TYPE).equals(Type.CLOSE);
        }
        default -> {}
      }
    }
    if (!events.isEmpty()) {
      out.write(Buffer.buffer(events.toString()));
    }
    if (closing) {
      end();
      return;
    }
    if (out.writeQueueFull()) {
      long stall = options.heartbeatInterval().plus(options.heartbeatTimeout()).toMillis();
      stallTimer = vertx.setTimer(stall, id -> end()); // a client that never reads is dead
      out.drainHandler(
          v -> {
            vertx.cancelTimer(stallTimer);
            poll();
          });
    } else {
      poll();
    }
  }

  private String messageEvent(JsonObject frame) {
    StringBuilder e =
        new StringBuilder("id: ").append(epoch).append(':').append(offset).append('\n');
    String text = frame.getString(Field.TEXT);
    if (text == null) {
      return e.append("event: " + Event.BINARY + "\ndata: \"")
          .append(frame.getString(Field.BINARY, ""))
          .append("\"\n\n")
          .toString();
    }
    if (text.isEmpty() || text.indexOf('\r') >= 0) {
      return e.append("event: " + Event.TEXT + "\ndata: ")
          .append(io.vertx.core.json.Json.encode(text))
          .append("\n\n")
          .toString();
    }
    for (String line : text.split("\n", -1)) {
      e.append("data: ").append(line).append('\n');
    }
    return e.append('\n').toString();
  }

  private void clientGone() {
    if (done) {
      return;
    }
    done = true;
    if (stallTimer >= 0) {
      vertx.cancelTimer(stallTimer);
    }
    if (epoch != null) {
      detach(epoch, conn);
    }
  }

  private void detach(String sessionEpoch, String connection) {
    dispatch.apply(
        withQuery(
            Request.builder("GET", path(base.url())).path(base.path()).build(),
            Query.of(Query.OP, Op.DETACH, Query.EPOCH, sessionEpoch, Query.CONN, connection),
            false));
  }

  private void end() {
    if (done) {
      return;
    }
    done = true;
    if (stallTimer >= 0) {
      vertx.cancelTimer(stallTimer);
    }
    if (!out.ended() && !out.closed()) {
      out.end();
    }
  }

  private static String path(String url) {
    int mark = url.indexOf('?');
    return mark < 0 ? url : url.substring(0, mark);
  }

  /** {@code request} with {@code params} added to its URL (and its headers if {@code headers}). */
  private static Request withQuery(Request request, String params, boolean headers) {
    String url = request.url();
    Request.Builder b =
        Request.builder(request.method(), url + (url.indexOf('?') < 0 ? "?" : "&") + params)
            .path(request.path());
    if (headers) {
      request.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
    }
    return b.build();
  }
}
