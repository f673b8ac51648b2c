package dev.outpost.client;

import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Op;
import dev.outpost.client.protocol.OutpostV1.Query;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Long polling: an open request answers the welcome, then polls follow one another, each carrying
 * the offset the client has (which also acknowledges it); frames to the server go by POST.
 */
final class LongPollChannel extends Channel {

  private final HttpClient http;
  private final Poster poster;
  private final Duration idle;
  private final LongSupplier offset;
  private HttpClientRequest polling; // the poll in flight, or null

  LongPollChannel(
      Events events,
      Vertx vertx,
      HttpClient http,
      String base,
      String path,
      Duration connectTimeout,
      Duration idle,
      LongSupplier offset) {
    super(events, vertx, base, path, connectTimeout, ClientTransport.LONG_POLLING);
    this.http = http;
    this.poster = new Poster(this, http);
    this.idle = idle;
    this.offset = offset;
  }

  @Override
  void start(String resumeEpoch, long resumeOffset) {
    String params = Query.of(Query.OP, Op.OPEN, Query.TRANSPORT, OutpostV1.Transport.LONG_POLL);
    if (resumeEpoch != null) {
      params += "&" + resumeParams(resumeEpoch, resumeOffset);
    }
    get(withQuery(path, params), connectTimeout)
        .onComplete(
            done -> {
              if (dead) {
                return;
              }
              if (done.failed()) {
                down(1006, "long poll open failed: " + done.cause().getMessage());
                return;
              }
              Answer answer = done.result();
              if (answer.status != 200 || !answer.welcome) {
                down(1006, "long poll refused: HTTP " + answer.status + " " + answer.body);
                return;
              }
              welcome(new JsonObject(answer.body));
              poll();
            });
  }

  private record Answer(int status, boolean welcome, String body) {}

  private io.vertx.core.Future<Answer> get(String uri, Duration timeout) {
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setURI(uri)
                .setConnectTimeout(connectTimeout.toMillis())
                .setIdleTimeout(timeout.toMillis()))
        .compose(
            request -> {
              polling = request;
              return request.send();
            })
        .compose(
            response ->
                response
                    .body()
                    .map(
                        b ->
                            new Answer(
                                response.statusCode(),
                                response.getHeader(OutpostV1.Header.REALTIME) != null,
                                b.toString())));
  }

  private void poll() {
    if (dead) {
      return;
    }
    long at = offset.getAsLong();
    get(
            withQuery(
                path,
                Query.of(
                    Query.OP,
                    Op.POLL,
                    Query.EPOCH,
                    epoch,
                    Query.CONN,
                    conn,
                    Query.OFFSET,
                    Long.toString(at),
                    Query.ACK,
                    Long.toString(at))),
            idle)
        .onComplete(
            done -> {
              polling = null;
              if (dead) {
                return;
              }
              if (done.failed() || done.result().status != 200) {
                down(1006, "long poll failed");
                return;
              }
              events.alive(this);
              for (Object item :
                  new JsonObject(done.result().body).getJsonArray(Field.FRAMES, new JsonArray())) {
                JsonObject frame = (JsonObject) item;
                if (Type.CLOSE.equals(frame.getString(Field.TYPE))) {
                  dead = true;
                  events.down(
                      this, frame.getInteger(Field.CODE, 1006), frame.getString(Field.REASON, ""));
                  return;
                }
                events.frame(this, frame);
                if (dead) {
                  return;
                }
              }
              poll();
            });
  }

  @Override
  void send(List<String> frames) {
    poster.send(frames);
  }

  @Override
  void kill() {
    dead = true;
    HttpClientRequest request = polling;
    if (request != null) {
      request.reset();
    }
  }
}
