package dev.outpost.realtime;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on 127.0.0.1 in front of one node, for cutting clients off: {@link #cut()} drops
 * every connection at once (no WebSocket close frame, as when a network goes away), {@link #refuse}
 * closes new connections as they arrive, and {@link #freeze} swallows all bytes both ways while
 * connections stay open (a half-open link that only heartbeats can find).
 */
final class ChaosProxy implements AutoCloseable {

  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean refusing;
  private volatile boolean frozen;

  ChaosProxy(Vertx vertx, int targetPort) throws Exception {
    client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    server =
        vertx.createNetServer(
            new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true));
    server.connectHandler(
        downstream -> {
          if (refusing) {
            downstream.close();
            return;
          }
          downstream.pause();
          client
              .connect(targetPort, "127.0.0.1")
              .onSuccess(
                  upstream -> {
                    sockets.add(downstream);
                    sockets.add(upstream);
                    pipe(downstream, upstream);
                    pipe(upstream, downstream);
                    downstream.resume();
                  })
              .onFailure(e -> downstream.close());
        });
    server.listen().await(10, TimeUnit.SECONDS);
  }

  private void pipe(NetSocket from, NetSocket to) {
    from.handler(
        data -> {
          if (!frozen) {
            to.write(data);
          }
        });
    from.closeHandler(
        v -> {
          sockets.remove(from);
          to.close();
        });
    from.exceptionHandler(e -> from.close());
  }

  int port() {
    return server.actualPort();
  }

  /** Drops every open connection. */
  void cut() {
    for (NetSocket s : sockets) {
      s.close();
    }
  }

  /** Whether new connections are closed as they arrive. */
  void refuse(boolean value) {
    refusing = value;
  }

  /** Whether bytes are swallowed (connections stay open). */
  void freeze(boolean value) {
    frozen = value;
  }

  @Override
  public void close() {
    cut();
    server.close();
    client.close();
  }
}
