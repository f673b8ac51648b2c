package dev.outpost.client;

import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Op;
import dev.outpost.client.protocol.OutpostV1.Query;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One transport connection of an {@link OutpostClient}. Created per attempt; reports frames, signs
 * of life and its end to {@link Events}, and after {@link #kill()} reports nothing the client still
 * listens to (the client ignores a channel that is not its current one). Every method runs on the
 * client's event loop.
 */
abstract class Channel {

  /** What a channel tells its client. */
  interface Events {
    void frame(Channel channel, JsonObject frame);

    void alive(Channel channel);

    void down(Channel channel, int code, String reason);
  }

  final Events events;
  final Vertx vertx;
  final String host;
  final int port;
  final String path;
  final Duration connectTimeout;
  final ClientTransport transport;
  String epoch; // from the welcome
  String conn; // from the welcome
  boolean dead;

  Channel(
      Events events,
      Vertx vertx,
      String base,
      String path,
      Duration connectTimeout,
      ClientTransport transport) {
    URI uri = URI.create(base);
    this.events = events;
    this.vertx = vertx;
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
    this.path = path;
    this.connectTimeout = connectTimeout;
    this.transport = transport;
  }

  /** Connects; resumes {@code resumeEpoch} at {@code resumeOffset} when the epoch is not null. */
  abstract void start(String resumeEpoch, long resumeOffset);

  /** Sends frames (after the welcome). */
  abstract void send(List<String> frames);

  /** Drops the connection without a goodbye. */
  abstract void kill();

  /** Reports the end once. */
  final void down(int code, String reason) {
    if (!dead) {
      dead = true;
      events.down(this, code, reason);
    }
  }

  /** Remembers the session and connection a welcome names, then reports it. */
  final void welcome(JsonObject frame) {
    epoch = frame.getString(Field.EPOCH);
    conn = frame.getString(Field.CONN);
    events.frame(this, frame);
  }

  static String withQuery(String path, String params) {
    return path + (path.indexOf('?') < 0 ? "?" : "&") + params;
  }

  static String resumeParams(String epoch, long offset) {
    return Query.of(Query.EPOCH, epoch, Query.OFFSET, Long.toString(offset));
  }

  /** Sends frames by POST, one request at a time, for the pull transports. */
  static final class Poster {
    private final Channel channel;
    private final HttpClient http;
    private final List<String> pending = new ArrayList<>();
    private boolean inFlight;

    Poster(Channel channel, HttpClient http) {
      this.channel = channel;
      this.http = http;
    }

    void send(List<String> frames) {
      pending.addAll(frames);
      if (!inFlight) {
        flush();
      }
    }

    private void flush() {
      if (pending.isEmpty() || channel.dead) {
        return;
      }
      String body = "[" + String.join(",", pending) + "]";
      pending.clear();
      inFlight = true;
      String uri =
          withQuery(
              channel.path,
              Query.of(Query.OP, Op.SEND, Query.EPOCH, channel.epoch, Query.CONN, channel.conn));
      http.request(
              new RequestOptions()
                  .setMethod(HttpMethod.POST)
                  .setHost(channel.host)
                  .setPort(channel.port)
                  .setURI(uri)
                  .setConnectTimeout(channel.connectTimeout.toMillis())
                  .setIdleTimeout(channel.connectTimeout.toMillis())
                  .putHeader("Content-Type", "application/json"))
          .compose(request -> request.send(body))
          .compose(response -> response.body().map(b -> response.statusCode() == 200 ? b : null))
          .onComplete(
              done -> {
                inFlight = false;
                if (channel.dead) {
                  return;
                }
                if (done.failed() || done.result() == null) {
                  channel.down(1006, "sending failed");
                  return;
                }
                JsonObject answer = new JsonObject(done.result());
                channel.events.frame(
                    channel,
                    new JsonObject()
                        .put(Field.TYPE, Type.ACK)
                        .put(Field.ID, answer.getLong(Field.ACK, 0L)));
                for (Object f : answer.getJsonArray(Field.FRAMES, new JsonArray())) {
                  channel.events.frame(channel, (JsonObject) f);
                }
                flush();
              });
    }
  }
}
