package dev.outpost.bench.server;

import dev.outpost.bench.objects.StoreObject;
import dev.outpost.node.OutpostNode;
import dev.outpost.router.RouterOptions;
import dev.outpost.router.WebSocketCompressionOptions;
import dev.outpost.runtime.RuntimeOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * An Outpost node for benchmarks, run as a child JVM: what {@code outpost node} runs (RocksDB, the
 * object host and the router), assembled by the same {@link OutpostNode}, bound to 127.0.0.1, plus
 * the {@link ControlLoop} on stdin/stdout so that the benchmark can read its memory after GC. The
 * router is unchanged: the admin channel is this process's stdin.
 *
 * <p>It serves the samples bundle ({@code --bundle}), or with {@code --store-objects} the
 * benchmark's own {@link StoreObject} as namespace {@code store}, registered as an embedded class.
 * SIGTERM (the benchmark stops it by PID) closes the node: server, host, storage and clock.
 */
@Command(
    name = "bench-node",
    mixinStandardHelpOptions = true,
    description = "An Outpost node for benchmarks, controlled on stdin/stdout.")
public final class BenchNode implements Callable<Integer> {

  @Option(names = "--data-dir", required = true, description = "The node's data directory.")
  Path dataDir;

  @Option(names = "--bundle", description = "Code bundle (jar or classes directory) to serve.")
  Path bundle;

  @Option(
      names = "--store-objects",
      description = "Serve the benchmark's StoreObject as namespace 'store' instead of a bundle.")
  boolean storeObjects;

  @Option(names = "--sync-writes", description = "fsync the write-ahead log on every commit.")
  boolean syncWrites;

  @Option(
      names = "--idle-timeout-ms",
      defaultValue = "10000",
      description = "Evict an object after this long without events (default ${DEFAULT-VALUE}).")
  long idleTimeoutMs;

  @Option(
      names = "--no-trim-websockets",
      description =
          "Keep Vert.x's full per-socket state (ListenerOptions.trimWebSockets off), to measure"
              + " what trimming saves.")
  boolean noTrimWebSockets;

  @Option(names = "--event-loops", defaultValue = "2", description = "Router event loops.")
  int eventLoops;

  @Option(names = "--port", defaultValue = "0", description = "HTTP port; 0 picks a free one.")
  int port;

  @Option(names = "--node-id", defaultValue = "bench-node", description = "Node id.")
  String nodeId;

  @Option(
      names = "--cluster-port",
      defaultValue = "0",
      description = "Hazelcast member port; 0 (default) runs the node alone. Needs --port.")
  int clusterPort;

  @Option(names = "--join", split = ",", description = "HOST:PORT of members to join.")
  java.util.List<String> join = new java.util.ArrayList<>();

  @Option(
      names = "--replica-peers",
      description = "Replicate storage with Raft across NODE@REGION=HOST:RAFTPORT,...")
  String replicaPeers;

  @Option(
      names = "--replace-lost-after-ms",
      defaultValue = "300000",
      description = "With --replica-peers: when a lost copy is rebuilt elsewhere.")
  long replaceLostAfterMs;

  @Option(
      names = "--ws-deflate",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Accept permessage-deflate from clients (default); --no-ws-deflate refuses it.")
  boolean wsDeflate;

  @Option(
      names = "--ws-deflate-threshold",
      defaultValue = "1024",
      description =
          "Outgoing WebSocket messages under this many bytes go uncompressed; 0 compresses all"
              + " (default ${DEFAULT-VALUE}).")
  int wsDeflateThreshold;

  private OutpostNode node; // guarded by this

  @Override
  public Integer call() throws Exception {
    if ((bundle == null) == !storeObjects) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "give exactly one of --bundle PATH and --store-objects");
    }
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(this::close));
    try {
      OutpostNode started = start();
      ControlLoop.announceReady(started.port());
      ControlLoop.run(started.host()::activeObjects, started.host()::openSockets);
    } finally {
      close();
    }
    return 0;
  }

  private synchronized OutpostNode start() {
    OutpostNode.Builder builder =
        OutpostNode.builder()
            .dataDir(dataDir)
            .syncWrites(syncWrites)
            .runtimeOptions(
                RuntimeOptions.defaults().withIdleTimeout(Duration.ofMillis(idleTimeoutMs)))
            .routerOptions(
                RouterOptions.defaults()
                    .withPort(port)
                    .withEventLoops(eventLoops)
                    .withNodeId("bench-node")
                    .withCompression(compression()));
    // The generator measures throughput, not the per-connection inbound rate limit (1,000
    // messages/s by default since plain sockets get it too): a fast machine's chat clients exceed
    // it and were closed with 4029 mid-run.
    builder.realtimeOptions(
        dev.outpost.router.realtime.RealtimeOptions.defaults().toBuilder()
            .inbound(10_000_000, 10_000_000)
            .build());
    // Every generated client comes from 127.0.0.1: the cap per address (1,000 by default) would
    // refuse all but the first thousand of the idle and chat workloads' sockets.
    builder.listener(
        dev.outpost.router.ListenerOptions.defaults()
            .withMaxConnectionsPerAddress(0)
            .withTrimWebSockets(!noTrimWebSockets));
    if (clusterPort > 0) {
      builder
          .routerOptions(
              RouterOptions.defaults()
                  .withPort(port)
                  .withEventLoops(eventLoops)
                  .withNodeId(nodeId)
                  .withCompression(compression()))
          .cluster(
              dev.outpost.runtime.ClusterOptions.of(
                      nodeId, "local", "127.0.0.1", port, clusterPort, join)
                  .withClusterName("bench"))
          .adminToken("bench-admin-token");
      if (replicaPeers != null) {
        builder.replication(
            dev.outpost.runtime.ReplicationOptions.of(
                    dev.outpost.runtime.ReplicationOptions.parsePeers(replicaPeers))
                .withReplaceLostAfter(java.time.Duration.ofMillis(replaceLostAfterMs)));
      }
    }
    if (storeObjects) {
      builder.namespace(StoreObject.NAMESPACE, StoreObject.class);
    } else {
      builder.bundle(bundle);
    }
    node = builder.start();
    return node;
  }

  private WebSocketCompressionOptions compression() {
    return new WebSocketCompressionOptions(wsDeflate, wsDeflateThreshold);
  }

  private synchronized void close() {
    if (node != null) {
      node.close(); // idempotent
    }
  }

  /** Runs the node until SIGTERM, {@code quit} or the end of stdin. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchNode()).execute(args));
  }
}
