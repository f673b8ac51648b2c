package dev.outpost.router;

import dev.outpost.runtime.ObjectInbox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.time.zone.ZoneRulesProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node's HTTP front: one Vert.x instance and one HTTP server per event loop on the same port
 * (Vert.x spreads connections across them), all routing through {@link ObjectRouter}.
 */
public final class OutpostServer implements AutoCloseable {

  private final Vertx vertx;
  private final List<HttpServer> servers;
  private final int port;

  private OutpostServer(Vertx vertx, List<HttpServer> servers, int port) {
    this.vertx = vertx;
    this.servers = servers;
    this.port = port;
  }

  /** Starts serving {@code inbox}; blocks until the port is bound. Do not call on an event loop. */
  public static OutpostServer start(ObjectInbox inbox, RouterOptions options) {
    // Load the time-zone rules now: at the open-file limit, loading them later fails and kills
    // Netty's acceptor thread (STACK.md).
    ZoneRulesProvider.getAvailableZoneIds();
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(options.eventLoops())
                .setPreferNativeTransport(false));
    try {
      HttpServerOptions http =
          new HttpServerOptions()
              .setHost(options.host())
              .setPort(options.port())
              .setMaxWebSocketFrameSize(options.maxMessageSize())
              .setMaxWebSocketMessageSize(options.maxMessageSize())
              .setTcpNoDelay(true);
      Router router = new ObjectRouter(inbox, options).create(vertx);
      HttpServer first = vertx.createHttpServer(http).requestHandler(router);
      int port = first.listen().await(30, TimeUnit.SECONDS).actualPort();
      List<HttpServer> servers = new ArrayList<>(List.of(first));
      http.setPort(port);
      List<Future<HttpServer>> more = new ArrayList<>();
      for (int i = 1; i < options.eventLoops(); i++) {
        HttpServer server = vertx.createHttpServer(http).requestHandler(router);
        servers.add(server);
        more.add(server.listen());
      }
      Future.all(more).await(30, TimeUnit.SECONDS);
      return new OutpostServer(vertx, servers, port);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** The Vert.x instance, for clients that should share its event loops. */
  public Vertx vertx() {
    return vertx;
  }

  /** Stops listening and closes every connection; waits at most 10 s. */
  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.getLogger(OutpostServer.class.getName())
          .log(System.Logger.Level.WARNING, "Vert.x did not close within 10 s", e);
    }
  }
}
