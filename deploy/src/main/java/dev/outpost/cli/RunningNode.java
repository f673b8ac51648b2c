package dev.outpost.cli;

import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ClusterView;
import dev.outpost.runtime.CodeDeployments;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;

/** A started node: storage, object host and HTTP front, stopped in reverse order by close(). */
public final class RunningNode implements AutoCloseable {

  private final SystemTimeSource time;
  private final StorageEngine engine;
  private final Cluster cluster; // null for a node alone
  private final ObjectHost host;
  private final OutpostServer server;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean handOverOnExit = true;

  /** Whether closing hands this node's objects over first (the default) or just stops. */
  void handOverOnExit(boolean value) {
    this.handOverOnExit = value;
  }

  private RunningNode(
      SystemTimeSource time,
      StorageEngine engine,
      Cluster cluster,
      ObjectHost host,
      OutpostServer server) {
    this.time = time;
    this.engine = engine;
    this.cluster = cluster;
    this.host = host;
    this.server = server;
  }

  static RunningNode start(NodeSpec spec) throws Exception {
    Files.createDirectories(spec.dataDir());
    SystemTimeSource time = new SystemTimeSource();
    StorageEngine engine =
        StorageEngines.rocksDb(spec.dataDir().resolve("storage"), spec.syncWrites());
    ObjectHost host = null;
    Cluster cluster = null;
    try {
      ObjectHost.Builder builder =
          ObjectHost.builder()
              .options(RuntimeOptions.defaults().withIdleTimeout(spec.idleTimeout()))
              .time(time)
              .storage(engine)
              .bundle(spec.bundle());
      RouterOptions routerOptions =
          RouterOptions.defaults()
              .withPort(spec.httpPort())
              .withMaxMessageSize(spec.maxMessageSize())
              .withNodeId(spec.nodeId());
      OutpostServer server;
      if (spec.cluster() == null) {
        host = builder.build();
        server = OutpostServer.start(host, routerOptions);
      } else {
        cluster = Cluster.join(spec.cluster(), time, "1", spec.topology());
        cluster.claimLocalObjects(engine);
        var routed =
            new java.util.concurrent.atomic.AtomicReference<dev.outpost.runtime.ObjectCaller>();
        host =
            builder
                .guard(cluster.guard())
                .caller(
                    local ->
                        (to, request, chain) ->
                            routed.get() != null
                                ? routed.get().call(to, request, chain)
                                : local.call(to, request, chain))
                .build();
        cluster.attachCode(new CodeDeployments(host, spec.dataDir().resolve("bundles")));
        server =
            OutpostServer.start(
                host,
                routerOptions,
                new OutpostServer.ClusterRouting(
                    cluster,
                    host,
                    spec.cluster().linkSecret(),
                    spec.adminToken(),
                    spec.emulateLatency()));
        routed.set(server.objectCaller());
        ObjectHost served = host;
        cluster.publishStats(
            () -> new ClusterView.NodeStats(served.activeObjects(), served.openSockets()));
      }
      return new RunningNode(time, engine, cluster, host, server);
    } catch (Exception | Error e) {
      if (host != null) {
        host.close();
      }
      if (cluster != null) {
        cluster.close();
      }
      engine.close();
      time.close();
      throw e;
    }
  }

  /** Loads and checks the bundle at {@code path} on this node, then switches to it. */
  void reload(java.nio.file.Path path, String version) {
    host.activate(host.prepare(path, version));
  }

  int port() {
    return server.port();
  }

  String bundleDescription() {
    return host.bundleDescription();
  }

  /** Blocks until SIGTERM or Ctrl-C; the shutdown hook closes the node. */
  void awaitShutdownSignal() throws InterruptedException {
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .unstarted(
                    () -> {
                      close();
                      stopped.countDown();
                    }));
    stopped.await();
  }

  /**
   * Stops the node. A cluster node leaves gracefully first: it hands its objects to other nodes of
   * its region (or parks them), then closes its client sockets with 1012 so clients reconnect
   * elsewhere.
   */
  @Override
  public synchronized void close() {
    if (time.isClosed()) {
      return;
    }
    if (cluster != null && handOverOnExit) {
      Cluster.LeaveReport report = cluster.handOverAll(host, server.handoverTransport());
      System.out.printf(
          "outpost: left the cluster: %d objects handed over, %d parked, %d skipped%n",
          report.moved(), report.parked(), report.skipped());
    }
    server.closeClientSockets(1012, "node leaving; reconnect");
    server.close();
    host.close();
    if (cluster != null) {
      cluster.close();
    }
    engine.close();
    time.close();
  }
}
