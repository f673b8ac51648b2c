package dev.outpost.bench.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ceiling: a bare Vert.x WebSocket broadcast server with no runtime on top, with the URLs and
 * message handling of the {@code chat} sample. A WebSocket on {@code /objects/chat/{room}} joins
 * the room; every text message is written to every socket of the room, the sender included; binary
 * messages are ignored; a plain HTTP request there answers 426.
 *
 * <p>Method (docs/benchmarks.md): one Vert.x instance with 2 event loops and one {@link HttpServer}
 * per event loop on the same port, with the options of Outpost's router (1 MiB frames and messages,
 * TCP_NODELAY, JDK transport). Messages are written unconditionally: no drop on {@code
 * writeQueueFull()}, which is not a reliable overload signal across event loops. By default a room
 * broadcasts off the event loop, on a virtual thread, so that writes coalesce as Outpost's do;
 * {@code --inline} writes on the receiving event loop instead (see {@link BroadcastRoom} for why
 * the two differ).
 */
@Command(
    name = "bench-baseline",
    mixinStandardHelpOptions = true,
    description = "The bare Vert.x broadcast server, controlled on stdin/stdout.")
public final class BroadcastServer implements Callable<Integer>, AutoCloseable {

  private static final String PREFIX = "/objects/chat/";
  private static final int MAX_MESSAGE_SIZE = 1024 * 1024;

  @Option(names = "--port", defaultValue = "0", description = "HTTP port; 0 picks a free one.")
  int port;

  @Option(names = "--event-loops", defaultValue = "2", description = "Event loops.")
  int eventLoops;

  @Option(
      names = "--inline",
      description =
          "Write each message to the room on the receiving event loop (see BroadcastRoom).")
  boolean inline;

  private final ConcurrentHashMap<String, BroadcastRoom> rooms = new ConcurrentHashMap<>();
  private final ExecutorService broadcasters = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong sockets = new AtomicLong();
  private Vertx vertx;

  /**
   * Starts listening on 127.0.0.1; returns the bound port. Blocks; not on an event loop.
   *
   * @throws TimeoutException if it cannot listen within 30 s
   */
  public int start() throws TimeoutException {
    // As in OutpostServer: loaded now, the tz rules cannot fail (and kill the acceptor) at EMFILE.
    ZoneRulesProvider.getAvailableZoneIds();
    vertx =
        Vertx.vertx(
            new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(false));
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            // As in OutpostServer: servers asked for -1 share one random port (0 would not).
            .setPort(port == 0 ? -1 : port)
            .setMaxWebSocketFrameSize(MAX_MESSAGE_SIZE)
            .setMaxWebSocketMessageSize(MAX_MESSAGE_SIZE)
            .setTcpNoDelay(true);
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (int i = 0; i < eventLoops; i++) {
      listening.add(newServer(options).listen());
    }
    Future.all(listening).await(30, TimeUnit.SECONDS);
    return listening.get(0).result().actualPort();
  }

  private HttpServer newServer(HttpServerOptions options) {
    return vertx
        .createHttpServer(options)
        .requestHandler(this::http)
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::join);
  }

  private void http(HttpServerRequest request) {
    if (room(request.path()) == null) {
      request.response().setStatusCode(404).end("objects live under " + PREFIX + "{room}\n");
    } else {
      request
          .response()
          .setStatusCode(426)
          .putHeader("Upgrade", "websocket")
          .end("this is a chat room: connect with a WebSocket\n");
    }
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    if (room(handshake.path()) == null) {
      handshake.reject(404);
    } else {
      handshake.accept();
    }
  }

  private void join(ServerWebSocket ws) {
    BroadcastRoom room =
        rooms.computeIfAbsent(
            room(ws.path()), n -> new BroadcastRoom(inline ? null : broadcasters));
    room.join(ws);
    sockets.incrementAndGet();
    ws.textMessageHandler(room::broadcast);
    ws.closeHandler(
        v -> {
          room.leave(ws);
          sockets.decrementAndGet();
        });
  }

  /** The room named by {@code /objects/chat/{room}[/...]}, or null for any other path. */
  static String room(String path) {
    if (path == null || !path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
      return null;
    }
    int end = path.indexOf('/', PREFIX.length());
    return end < 0 ? path.substring(PREFIX.length()) : path.substring(PREFIX.length(), end);
  }

  /** Open WebSockets. */
  public long openSockets() {
    return sockets.get();
  }

  @Override
  public Integer call() throws Exception {
    return ControlLoop.serve(this, this::start, () -> 0, this::openSockets);
  }

  /** Closes every socket and the server; waits at most 10 s. Idempotent. */
  @Override
  public synchronized void close() {
    if (vertx != null) {
      ControlLoop.closeVertx(vertx, "baseline");
      vertx = null;
    }
    broadcasters.shutdownNow();
  }

  /** Runs the server until SIGTERM, {@code quit} or the end of stdin. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BroadcastServer()).execute(args));
  }
}
