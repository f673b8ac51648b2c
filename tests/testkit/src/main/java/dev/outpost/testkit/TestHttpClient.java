package dev.outpost.testkit;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 client for one node, on a Vert.x instance the test owns. Its connection pool holds
 * {@code maxConnections} connections, so that many requests really are in flight at once (the
 * Vert.x default is 5 and queues the rest).
 *
 * <p>The {@code *Async} methods may be called from any thread and complete on the client's event
 * loop. The blocking methods wait at most {@link #TIMEOUT} and must not run on an event loop.
 */
public final class TestHttpClient implements AutoCloseable {

  /** How long a blocking call waits for its response: a safety net, not a synchronizer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClientAgent client;
  private final io.vertx.core.Context context; // where every exchange starts
  private final String host;
  private final int port;

  /** A client for {@code node}, with up to {@code maxConnections} parallel connections. */
  public TestHttpClient(Vertx vertx, TestNode node, int maxConnections) {
    this(vertx, node.hostName(), node.port(), maxConnections);
  }

  /** A client for {@code host:port}, with up to {@code maxConnections} parallel connections. */
  public TestHttpClient(Vertx vertx, String host, int port, int maxConnections) {
    Objects.requireNonNull(vertx, "vertx");
    this.host = Objects.requireNonNull(host, "host");
    this.port = port;
    this.context = vertx.getOrCreateContext();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions().setDefaultHost(host).setDefaultPort(port),
            new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  /** Sends a request with {@code body} (may be empty) and reads the whole response. */
  public Future<HttpResult> sendAsync(HttpMethod method, String uri, Buffer body) {
    return sendAsync(method, uri, body, Map.of());
  }

  /**
   * Sends a request with {@code headers} (name to value, added to the request) and {@code body}
   * (may be empty), and reads the whole response.
   */
  public Future<HttpResult> sendAsync(
      HttpMethod method, String uri, Buffer body, Map<String, String> headers) {
    RequestOptions options =
        new RequestOptions().setMethod(method).setHost(host).setPort(port).setURI(uri);
    headers.forEach(options::putHeader);
    // The whole exchange starts on an event loop: then each continuation is registered before the
    // step it waits for can complete, so body() is asked for before the response can end. Started
    // from a test thread, a continuation may be registered after the response ended, and body()
    // then never completes (eclipse-vertx/vert.x#4705).
    Promise<HttpResult> result = Promise.promise();
    context.runOnContext(
        v ->
            client
                .request(options)
                .compose(
                    request ->
                        request
                            .send(body)
                            .compose(
                                response ->
                                    response
                                        .body()
                                        .map(
                                            bytes ->
                                                new HttpResult(
                                                    response.statusCode(),
                                                    response.headers(),
                                                    bytes.toString()))))
                .onComplete(result));
    return result.future();
  }

  /** Sends a request without a body and reads the whole response. */
  public Future<HttpResult> sendAsync(HttpMethod method, String uri) {
    return sendAsync(method, uri, Buffer.buffer());
  }

  /** Blocking {@link #sendAsync(HttpMethod, String, Buffer)}. */
  public HttpResult send(HttpMethod method, String uri, Buffer body) {
    return await(sendAsync(method, uri, body), method + " " + uri);
  }

  /** Blocking GET. */
  public HttpResult get(String uri) {
    return send(HttpMethod.GET, uri, Buffer.buffer());
  }

  /** Blocking POST without a body. */
  public HttpResult post(String uri) {
    return send(HttpMethod.POST, uri, Buffer.buffer());
  }

  /**
   * One exchange on a client opened for it and closed after: for tests that call several nodes now
   * and then (admin calls) rather than one node many times.
   *
   * @param headers added to the request (name to value)
   * @param timeout how long to wait for the whole response (a deploy may take a while)
   * @throws AssertionError if no response came within {@code timeout}
   */
  public static HttpResult exchange(
      Vertx vertx,
      int port,
      HttpMethod method,
      String uri,
      Buffer body,
      Map<String, String> headers,
      Duration timeout) {
    try (var client = new TestHttpClient(vertx, "127.0.0.1", port, 1)) {
      return await(client.sendAsync(method, uri, body, headers), method + " " + uri, timeout);
    }
  }

  private static <T> T await(Future<T> future, String what) {
    return await(future, what, TIMEOUT);
  }

  private static <T> T await(Future<T> future, String what, Duration timeout) {
    try {
      return future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(what + ": no response within " + timeout, e);
    }
  }

  /** Closes every connection; waits at most {@link #TIMEOUT}. */
  @Override
  public void close() {
    try {
      client.close().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("HTTP client did not close within " + TIMEOUT, e);
    }
  }
}
