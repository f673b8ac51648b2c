package dev.outpost.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/** HTTP/1.1 calls of the generator: a pooled keep-alive client and one-line request futures. */
public final class HttpCalls {

  /** The status and body of a response. */
  public record Reply(int status, String body) {}

  private HttpCalls() {}

  /** A keep-alive client with up to {@code connections} connections to one server. */
  public static HttpClient client(Vertx vertx, int connections) {
    return vertx.createHttpClient(
        new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /**
   * Sends one request to 127.0.0.1; fails if no full response arrives within {@code timeout}.
   *
   * @param body the body, or null for none
   */
  public static Future<Reply> call(
      HttpClient client, HttpMethod method, int port, String uri, Buffer body, Duration timeout) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost("127.0.0.1")
            .setPort(port)
            .setURI(uri)
            .setTimeout(timeout.toMillis());
    return client
        .request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(
            response ->
                response.body().map(data -> new Reply(response.statusCode(), data.toString())));
  }
}
