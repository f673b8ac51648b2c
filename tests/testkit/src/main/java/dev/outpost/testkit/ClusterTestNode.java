package dev.outpost.testkit;

import dev.outpost.api.DurableObject;
import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.spi.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real cluster node inside the test's JVM: RocksDB in a directory the test owns, an embedded
 * Hazelcast member on 127.0.0.1, the object host with the cluster's ownership guard, and a router
 * that forwards over node links. What {@code outpost node --join ...} runs, minus the command line;
 * its clock is a {@link SkewableTimeSource} so a test can simulate a paused process.
 *
 * <p>Three ways to stop: {@link #leave()} (graceful: hands objects over, closes client sockets with
 * 1012), {@link #crash()} (no goodbye: the member is terminated, as on kill -9, though the JVM
 * lives on), and {@link #close()} (quick cleanup for tests, no hand-over).
 */
public final class ClusterTestNode implements AutoCloseable {

  /** The admin token test nodes accept. */
  public static final String ADMIN_TOKEN = "test-admin-token";

  private final Builder config;
  private final SkewableTimeSource time;
  private final StorageEngine engine;
  private final Cluster cluster;
  private final ObjectHost host;
  private final OutpostServer server;
  private boolean stopped;

  private ClusterTestNode(
      Builder config,
      SkewableTimeSource time,
      StorageEngine engine,
      Cluster cluster,
      ObjectHost host,
      OutpostServer server) {
    this.config = config;
    this.time = time;
    this.engine = engine;
    this.cluster = cluster;
    this.host = host;
    this.server = server;
  }

  /** Configures node {@code nodeId} storing its data in {@code dataDir}. */
  public static Builder builder(String nodeId, Path dataDir) {
    return new Builder(nodeId, dataDir);
  }

  /** A free TCP port on 127.0.0.1. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static ClusterTestNode open(Builder b) {
    try {
      Files.createDirectories(b.dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SkewableTimeSource time = new SkewableTimeSource();
    StorageEngine engine = StorageEngines.rocksDb(b.dataDir.resolve("storage"), false);
    Cluster cluster = null;
    ObjectHost host = null;
    try {
      ClusterOptions options =
          ClusterOptions.of(b.nodeId, b.region, "127.0.0.1", b.httpPort, b.clusterPort, b.join)
              .withClusterName(b.clusterName);
      cluster = Cluster.join(options, time, "1", b.topology);
      cluster.claimLocalObjects(engine);
      ObjectHost.Builder hostBuilder =
          ObjectHost.builder()
              .options(b.runtimeOptions)
              .time(time)
              .storage(engine)
              .guard(cluster.guard());
      if (b.classes.isEmpty()) {
        hostBuilder.bundle(b.bundle != null ? b.bundle : TestNode.samplesBundle());
      } else {
        b.classes.forEach(hostBuilder::namespace);
        hostBuilder.setting("node", b.nodeId);
      }
      var routed =
          new java.util.concurrent.atomic.AtomicReference<dev.outpost.runtime.ObjectCaller>();
      hostBuilder.caller(
          local ->
              (to, request, chain) ->
                  routed.get() != null
                      ? routed.get().call(to, request, chain)
                      : local.call(to, request, chain));
      host = hostBuilder.build();
      cluster.attachCode(
          new dev.outpost.runtime.CodeDeployments(host, b.dataDir.resolve("bundles")));
      OutpostServer server =
          OutpostServer.start(
              host,
              RouterOptions.defaults().withPort(b.httpPort).withNodeId(b.nodeId),
              new OutpostServer.ClusterRouting(
                  cluster, host, options.linkSecret(), ADMIN_TOKEN, b.emulateLatency));
      routed.set(server.objectCaller());
      ObjectHost served = host;
      cluster.publishStats(
          () ->
              new dev.outpost.runtime.ClusterView.NodeStats(
                  served.activeObjects(), served.openSockets()));
      return new ClusterTestNode(b, time, engine, cluster, host, server);
    } catch (RuntimeException | Error e) {
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

  /** The node id. */
  public String nodeId() {
    return config.nodeId;
  }

  /** The HTTP port (clients and node links). */
  public int port() {
    return config.httpPort;
  }

  /** {@code 127.0.0.1:clusterPort}, to pass as another node's join address. */
  public String clusterAddress() {
    return "127.0.0.1:" + config.clusterPort;
  }

  /** The object host. */
  public ObjectHost host() {
    return host;
  }

  /** The router's server. */
  public OutpostServer server() {
    return server;
  }

  /** The cluster membership and directory. */
  public Cluster cluster() {
    return cluster;
  }

  /** The node's clock. */
  public SkewableTimeSource time() {
    return time;
  }

  /** The address of object {@code name} in {@code namespace}. */
  public ObjectAddress address(String namespace, String name) {
    return new ObjectAddress(namespace, host.namespace(namespace).orElseThrow().idFromName(name));
  }

  /** Which node owns the object, per the directory. */
  public String ownerOf(String namespace, String name) {
    return cluster
        .directory()
        .lookup(address(namespace, name))
        .orElseThrow(() -> new AssertionError(namespace + "/" + name + " has no placement"))
        .owner();
  }

  /** Leaves gracefully: hands objects over, closes client sockets with 1012, stops. */
  public synchronized Cluster.LeaveReport leave() {
    Cluster.LeaveReport report = cluster.handOverAll(host, server.handoverTransport());
    server.closeClientSockets(1012, "node leaving; reconnect");
    close();
    return report;
  }

  /** Stops as a crash would: the member vanishes without a goodbye. */
  public synchronized void crash() {
    if (stopped) {
      return;
    }
    stopped = true;
    cluster.crashForTest();
    server.close();
    host.close();
    engine.close();
    time.close();
  }

  /** A new node with the same id, ports and data directory (after {@link #crash} or close). */
  public ClusterTestNode restart(List<String> join) {
    close();
    Builder again = config.copy();
    again.join = List.copyOf(join);
    return open(again);
  }

  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    server.close();
    host.close();
    cluster.close();
    engine.close();
    time.close();
  }

  /** Configures a {@link ClusterTestNode}. */
  public static final class Builder {
    private final String nodeId;
    private final Path dataDir;
    private String region = "local";
    private String clusterName = "test";
    private List<String> join = List.of();
    private int httpPort = freePort();
    private int clusterPort = freePort();
    private Path bundle;
    private final Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    private RuntimeOptions runtimeOptions = RuntimeOptions.defaults();
    private dev.outpost.runtime.RegionTopology topology = dev.outpost.runtime.RegionTopology.open();
    private boolean emulateLatency;

    private Builder(String nodeId, Path dataDir) {
      this.nodeId = nodeId;
      this.dataDir = dataDir;
    }

    private Builder copy() {
      Builder b = new Builder(nodeId, dataDir);
      b.region = region;
      b.clusterName = clusterName;
      b.join = join;
      b.httpPort = httpPort;
      b.clusterPort = clusterPort;
      b.bundle = bundle;
      b.classes.putAll(classes);
      b.runtimeOptions = runtimeOptions;
      b.topology = topology;
      b.emulateLatency = emulateLatency;
      return b;
    }

    public Builder region(String value) {
      this.region = value;
      return this;
    }

    public Builder clusterName(String value) {
      this.clusterName = value;
      return this;
    }

    public Builder join(List<String> members) {
      this.join = new ArrayList<>(members);
      return this;
    }

    public Builder bundle(Path value) {
      this.bundle = value;
      return this;
    }

    /** Runs {@code type} for {@code namespace} from the test's class path (shared statics). */
    public Builder namespace(String namespace, Class<? extends DurableObject> type) {
      classes.put(namespace, type);
      return this;
    }

    public Builder runtimeOptions(RuntimeOptions value) {
      this.runtimeOptions = value;
      return this;
    }

    /** The emulated world (regions, jurisdictions, latencies). */
    public Builder topology(dev.outpost.runtime.RegionTopology value) {
      this.topology = value;
      return this;
    }

    /** Adds the topology's latencies to links and declared clients. */
    public Builder emulateLatency(boolean value) {
      this.emulateLatency = value;
      return this;
    }

    /** Starts the node; blocks until it joined the cluster and listens. */
    public ClusterTestNode start() {
      return open(this);
    }
  }
}
