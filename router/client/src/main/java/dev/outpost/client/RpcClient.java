package dev.outpost.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.RpcException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Typed calls to objects from a Java application, through any router: {@link #stub} gives an
 * implementation of an interface the object's class implements, whose every call is one {@code POST
 * /objects/{namespace}/{name}} marked {@code X-Outpost-Rpc} (the wire form in the README, "Typed
 * RPC") and runs as one turn on the object's owner, wherever it is.
 *
 * <pre>{@code
 * try (RpcClient rpc = RpcClient.create(vertx, "http://127.0.0.1:8081")) {
 *   RoomApi room = rpc.stub("rooms", "lobby", RoomApi.class);
 *   int members = room.join("ana");
 * }
 * }</pre>
 *
 * <p><b>Calls</b> block the calling thread until the answer or the timeout (10 s by default), so
 * never make them on a Vert.x event-loop thread (refused with {@link IllegalStateException}); use a
 * worker or virtual thread. Arguments and results are JSON (Jackson, strict: no number for a
 * string, no null for a primitive).
 *
 * <p><b>Failures</b> are {@link DurableObjectException}s: an {@link RpcException} with {@code
 * remote} set when the method threw (its class and message), or without flags when the call did not
 * fit the object; {@code retryable} when the router could not be reached, the answer did not come
 * in time, or the router answered 503; {@code invalid} (no flag) for any other non-RPC answer (an
 * unknown namespace 404, a body over the router's limit 413).
 *
 * <p>Thread-safe. Not a session: no reconnect, resume or queueing (that is {@link OutpostClient});
 * a call that failed as retryable may or may not have run.
 */
public final class RpcClient implements AutoCloseable {

  /** The request header that marks a typed call and names its method. */
  public static final String METHOD_HEADER = "X-Outpost-Rpc";

  /** The request header that names the interface the method comes from. */
  public static final String INTERFACE_HEADER = "X-Outpost-Rpc-Interface";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .withCoercionConfig(
              LogicalType.Textual,
              config ->
                  config
                      .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .build();

  private final HttpClient http;
  private final Context context; // where every exchange starts
  private final URI router;
  private final Duration timeout;

  private RpcClient(HttpClient http, Context context, URI router, Duration timeout) {
    this.http = http;
    this.context = context;
    this.router = router;
    this.timeout = timeout;
  }

  /** A client of the router at {@code routerUrl} ({@code http://host:port}), 10 s per call. */
  public static RpcClient create(Vertx vertx, String routerUrl) {
    return create(vertx, routerUrl, Duration.ofSeconds(10));
  }

  /**
   * A client of the router at {@code routerUrl} ({@code http://host:port} or {@code https://...}),
   * each call waiting at most {@code timeout}.
   *
   * @throws IllegalArgumentException if the URL is not an absolute http(s) URL with a host, or the
   *     timeout is not positive
   */
  public static RpcClient create(Vertx vertx, String routerUrl, Duration timeout) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(routerUrl, "routerUrl");
    Objects.requireNonNull(timeout, "timeout");
    String shape =
        "router URL '" + routerUrl + "' must be http(s)://HOST[:PORT], e.g. http://127.0.0.1:8081";
    URI uri;
    try {
      uri = URI.create(routerUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(shape, e);
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(shape);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true).setSsl(uri.getScheme().equals("https")),
            new PoolOptions().setHttp1MaxSize(8));
    return new RpcClient(http, vertx.getOrCreateContext(), uri, timeout);
  }

  /**
   * A stub of {@code api} for object {@code name} of {@code namespace} (the object {@code
   * env.namespace(namespace).getByName(name)} reaches). Returns at once, without a request. {@code
   * equals}, {@code hashCode} and {@code toString} are local; default methods run locally.
   *
   * @throws IllegalArgumentException if {@code api} is not an interface
   */
  public <T> T stub(String namespace, String name, Class<T> api) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(api, "api");
    if (!api.isInterface()) {
      throw new IllegalArgumentException(
          api.getName() + " is not an interface; a stub needs the interface the object implements");
    }
    String path =
        "/objects/"
            + URLEncoder.encode(namespace, StandardCharsets.UTF_8).replace("+", "%20")
            + "/"
            + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    String target = namespace + "/" + name;
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "equals" -> proxy == args[0];
              case "hashCode" -> System.identityHashCode(proxy);
              default -> "RpcClient stub of " + api.getSimpleName() + " for " + target;
            };
          }
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
          }
          return call(api, method, args == null ? new Object[0] : args, path, target);
        };
    return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, handler));
  }

  private Object call(Class<?> api, Method method, Object[] args, String path, String target) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException(
          "RpcClient calls block; make them on a worker or virtual thread, not an event loop");
    }
    String label = api.getSimpleName() + "." + method.getName();
    byte[] body;
    try {
      ArrayNode array = MAPPER.createArrayNode();
      for (Object arg : args) {
        array.add(MAPPER.valueToTree(arg));
      }
      body = MAPPER.writeValueAsBytes(array);
    } catch (IOException | IllegalArgumentException e) {
      throw RpcException.invalidCall(
          "the arguments of " + label + " cannot be written as JSON: " + e.getMessage());
    }
    RequestOptions request =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(router.getHost())
            .setPort(router.getPort() > 0 ? router.getPort() : defaultPort())
            .setURI(path)
            .putHeader(METHOD_HEADER, method.getName())
            .putHeader(INTERFACE_HEADER, api.getName())
            .putHeader("Content-Type", "application/json")
            .setTimeout(timeout.toMillis());
    // The whole exchange starts on the client's context, so each continuation is registered
    // before the step it waits for can complete. Started from the caller's thread, a fast answer
    // (a router's 404) could end before body() was asked for, and body() then never completed:
    // the call hung until its timeout (eclipse-vertx/vert.x#4705).
    CompletableFuture<Answer> exchange = new CompletableFuture<>();
    context.runOnContext(
        v ->
            http.request(request)
                .compose(r -> r.send(Buffer.buffer(body)))
                .compose(
                    (HttpClientResponse r) ->
                        r.body().map(b -> new Answer(r.statusCode(), b.getBytes())))
                .onComplete(
                    (result, failure) -> {
                      if (failure == null) {
                        exchange.complete(result);
                      } else {
                        exchange.completeExceptionally(failure);
                      }
                    }));
    Answer answer;
    try {
      answer = exchange.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DurableObjectException.retryable(label + " to " + target + " interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw DurableObjectException.retryable(
          label + " to " + target + " via " + router + " failed: " + cause, cause);
    }
    JsonNode result = read(label, target, answer);
    if (method.getReturnType() == void.class) {
      return null;
    }
    try {
      return MAPPER
          .readerFor(MAPPER.constructType(method.getGenericReturnType()))
          .readValue(result);
    } catch (IOException e) {
      throw RpcException.invalidCall(
          "the result of "
              + label
              + " is not a "
              + method.getGenericReturnType().getTypeName()
              + ": "
              + e.getMessage());
    }
  }

  private int defaultPort() {
    return router.getScheme().equals("https") ? 443 : 80;
  }

  private record Answer(int status, byte[] body) {}

  private static JsonNode read(String label, String target, Answer answer) {
    JsonNode body;
    try {
      body = MAPPER.readTree(answer.body());
    } catch (IOException e) {
      body = null;
    }
    if (body != null && body.isObject()) {
      if (answer.status() == 200 && body.has("result")) {
        return body.get("result");
      }
      if (body.hasNonNull("threw")) {
        throw RpcException.threw(
            label, body.get("threw").asText(), body.path("message").asText(""));
      }
      if (body.hasNonNull("invalid")) {
        throw RpcException.invalidCall(label + ": " + body.get("invalid").asText());
      }
    }
    String text = new String(answer.body(), StandardCharsets.UTF_8);
    String excerpt = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    String message =
        label
            + " to "
            + target
            + " was answered "
            + answer.status()
            + ", not an RPC answer: "
            + excerpt;
    if (answer.status() == 503) {
      throw DurableObjectException.retryable(message);
    }
    throw DurableObjectException.invalid(message);
  }

  /** Closes the HTTP connections; stubs made by this client fail afterwards. */
  @Override
  public void close() {
    http.close();
  }
}
