package dev.outpost.router.realtime;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.TimeSource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What the router hooks in for the real-time layer: the {@link SessionInbox} wrapped around the
 * node's inbox, the Server-Sent Events bridge for the object URLs, and the JS client at {@value
 * #CLIENT_PATH}. Owns the clock the sessions use ({@link SystemTimeSource} unless a test gives one)
 * and stops it on {@link #close()}.
 */
public final class RealtimeGateway implements AutoCloseable {

  /** Where the JS client is served. */
  public static final String CLIENT_PATH = "/_outpost/client.js";

  /** Where the JS client is served as an ES module with named exports. */
  public static final String MODULE_PATH = "/_outpost/client.mjs";

  /** Where the JS client's TypeScript declarations are served. */
  public static final String TYPES_PATH = "/_outpost/client.d.ts";

  /** A served client file: its class-path resource and media type (RFC 9239 for JavaScript). */
  private record ClientFile(String resource, String contentType) {}

  private static final String JAVASCRIPT = "text/javascript; charset=utf-8";
  private static final Map<String, ClientFile> CLIENT_FILES =
      Map.of(
          CLIENT_PATH, new ClientFile("outpost/client/outpost-client.js", JAVASCRIPT),
          MODULE_PATH, new ClientFile("outpost/client/outpost-client.mjs", JAVASCRIPT),
          TYPES_PATH,
              new ClientFile("outpost/client/outpost-client.d.ts", "text/plain; charset=utf-8"));

  private final RealtimeOptions options;
  private final TimeSource time;
  private final AutoCloseable ownedClock; // null when the clock was given
  private final Map<String, byte[]> clientFiles = new ConcurrentHashMap<>(); // loaded on first use

  /** A gateway with its own {@link SystemTimeSource}. */
  public RealtimeGateway(RealtimeOptions options) {
    SystemTimeSource clock = new SystemTimeSource();
    this.options = options;
    this.time = clock;
    this.ownedClock = clock;
  }

  /** A gateway on a clock the caller owns. */
  public RealtimeGateway(RealtimeOptions options, TimeSource time) {
    this.options = options;
    this.time = time;
    this.ownedClock = null;
  }

  /** The settings. */
  public RealtimeOptions options() {
    return options;
  }

  /**
   * The session layer in front of {@code inbox}; give it to every transport and the link ingress.
   */
  public SessionInbox wrap(ObjectInbox inbox) {
    return new SessionInbox(inbox, time, options);
  }

  /** Whether a request asks for an event stream of an object ({@code GET}, {@code Accept}). */
  public static boolean isEventStream(HttpServerRequest request) {
    String accept = request.getHeader("Accept");
    return request.method() == HttpMethod.GET
        && accept != null
        && accept.contains("text/event-stream")
        && request.getParam(OutpostV1.Query.OP) == null;
  }

  /**
   * Serves an event stream for the object that {@code request} (already converted) addresses.
   *
   * @param dispatch sends a request to the object's owner, wherever it is
   * @param writeAsHttp writes an answer that is not a welcome (the object refused) as HTTP
   * @param fail writes a failure to reach the owner as HTTP
   */
  public void serveEventStream(
      RoutingContext ctx,
      Request request,
      Function<Request, CompletableFuture<Response>> dispatch,
      BiConsumer<HttpServerResponse, Response> writeAsHttp,
      BiConsumer<HttpServerResponse, Throwable> fail) {
    new EventStreamBridge(
            ctx.vertx(), ctx.response(), request, dispatch, writeAsHttp, fail, options)
        .start();
  }

  /**
   * Serves the JS client: {@value #CLIENT_PATH} (a classic script, a CommonJS module, and a
   * side-effect ES module import), {@value #MODULE_PATH} (an ES module with named exports, wrapping
   * the former) and {@value #TYPES_PATH} (its TypeScript declarations). 404 for another path.
   */
  public void serveClient(RoutingContext ctx) {
    ClientFile file = CLIENT_FILES.get(ctx.normalizedPath());
    if (file == null) {
      ctx.response().setStatusCode(404).end("no such client file\n");
      return;
    }
    byte[] code =
        clientFiles.computeIfAbsent(
            file.resource(),
            resource -> {
              try (InputStream in =
                  RealtimeGateway.class.getClassLoader().getResourceAsStream(resource)) {
                return in == null ? null : in.readAllBytes();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    if (code == null) {
      ctx.response().setStatusCode(404).end(file.resource() + " is missing from the router jar\n");
      return;
    }
    ctx.response()
        .putHeader("Content-Type", file.contentType())
        .putHeader("Cache-Control", "no-cache")
        .putHeader("Access-Control-Allow-Origin", "*")
        .end(Buffer.buffer(code));
  }

  @Override
  public void close() {
    if (ownedClock != null) {
      try {
        ownedClock.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
