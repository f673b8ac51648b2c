package dev.outpost.cli;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The CLI's side of a started node: an {@link OutpostNode} built from a {@link NodeSpec}, stopped
 * on SIGTERM or Ctrl-C by leaving the cluster gracefully (or just closing, when asked).
 */
final class RunningNode implements AutoCloseable {

  private final OutpostNode node;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean handOverOnExit = true;

  private RunningNode(OutpostNode node) {
    this.node = node;
  }

  static RunningNode start(NodeSpec spec) {
    return start(spec, dev.outpost.router.AuthOptions.defaults());
  }

  /** As {@link #start(NodeSpec)}, with the connect guards' time limit and JWT keys. */
  static RunningNode start(NodeSpec spec, dev.outpost.router.AuthOptions auth) {
    OutpostNode.Builder builder =
        OutpostNode.builder()
            .authOptions(auth)
            .dataDir(spec.dataDir())
            .syncWrites(spec.syncWrites())
            .bundles(spec.bundles())
            .runtimeOptions(RuntimeOptions.defaults().withIdleTimeout(spec.idleTimeout()))
            .routerOptions(
                RouterOptions.defaults()
                    .withHost(spec.host())
                    .withPort(spec.httpPort())
                    .withMaxMessageSize(spec.maxMessageSize())
                    .withNodeId(spec.nodeId())
                    .withAllowedOrigins(spec.allowedOrigins())
                    .withCompression(spec.compression()))
            .listener(spec.listener());
    if (spec.cluster() != null) {
      builder
          .cluster(spec.cluster())
          .topology(spec.topology())
          .adminToken(spec.adminToken())
          .emulateLatency(spec.emulateLatency());
      if (spec.replication() != null) {
        builder.replication(spec.replication());
      }
    }
    return new RunningNode(builder.start());
  }

  /** Whether closing hands this node's objects over first (the default) or just stops. */
  void handOverOnExit(boolean value) {
    this.handOverOnExit = value;
  }

  /** Loads and checks the bundle at {@code path} on this node, then switches to it. */
  void reload(Path path, String version) {
    node.host().activate(node.host().prepare(path, version));
  }

  int port() {
    return node.port();
  }

  /** {@code http://host:port}, or {@code https://} with TLS. */
  String baseUrl() {
    return node.baseUrl();
  }

  String bundleDescription() {
    return node.host().bundleDescription();
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
  public void close() {
    if (node.isStopped()) {
      return;
    }
    if (node.cluster().isPresent() && handOverOnExit) {
      Cluster.LeaveReport report = node.leave();
      System.out.printf(
          "outpost: left the cluster: %d objects handed over, %d parked, %d skipped%n",
          report.moved(), report.parked(), report.skipped());
    } else {
      node.server().markLeaving(); // health 503 while the sockets close
      node.server().closeClientSockets(1012, "node leaving; reconnect");
      node.close();
    }
  }
}
