package dev.outpost.node;

import dev.outpost.api.DurableObject;
import dev.outpost.router.AuthOptions;
import dev.outpost.router.ListenerOptions;
import dev.outpost.router.NodeNetwork;
import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterMetrics;
import dev.outpost.router.RouterOptions;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.ClusterView;
import dev.outpost.runtime.CodeDeployments;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.ObjectLocator;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.StorageEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Outpost node, assembled in the one place that knows the order: storage → (join the cluster →
 * claim the objects whose data is here) → network → object host (with the cluster's ownership guard
 * and, on a cluster node, a caller that reaches objects anywhere) → (take part in code rollouts) →
 * HTTP front → (publish load for placement). Every part records its meters into the node's one
 * registry ({@link RouterMetrics}, served at {@code /_outpost/metrics}). A step that fails closes
 * what the earlier steps opened, in reverse order, and rethrows. The CLI, the test kit and the
 * benchmarks all start nodes through it.
 *
 * <pre>{@code
 * try (OutpostNode node = OutpostNode.builder().dataDir(dir).bundle(jar).start()) {
 *   System.out.println("listening on " + node.port());
 * }
 * }</pre>
 *
 * <p><b>Stopping.</b> {@link #leave()} is the graceful way out of a cluster (hand objects over,
 * close client sockets with 1012); {@link #crash()} vanishes as {@code kill -9} would, though the
 * JVM lives on; {@link #close()} stops without handing over. All three are idempotent together: the
 * first one stops the node, later calls do nothing. The node owns everything it runs on, including
 * a time source or storage engine given to the builder, and closes them.
 *
 * <p><b>Threads.</b> Start and every way of stopping block: call them from a plain thread, never
 * from an event loop or a turn.
 */
public final class OutpostNode implements AutoCloseable {

  /**
   * The admin token to use when none is configured (the CLI's, without {@code
   * OUTPOST_ADMIN_TOKEN}): well known, so a cluster node bound to anything but loopback refuses to
   * start with it.
   */
  public static final String DEVELOPMENT_ADMIN_TOKEN = "outpost-dev-admin-token";

  /** The code version label a node records in the directory's placement records. */
  private static final String BOOT_CODE_VERSION = "1";

  private final Builder config;
  private final TimeSource time;
  private final StorageEngine engine;
  private final Cluster cluster; // null for a node alone
  private final ObjectHost host;
  private final NodeNetwork network;
  private final OutpostServer server;
  private boolean stopped; // guarded by this

  private OutpostNode(
      Builder config,
      TimeSource time,
      StorageEngine engine,
      Cluster cluster,
      ObjectHost host,
      NodeNetwork network,
      OutpostServer server) {
    this.config = config;
    this.time = time;
    this.engine = engine;
    this.cluster = cluster;
    this.host = host;
    this.network = network;
    this.server = server;
  }

  /** Configures a node; every setting has a default but the data directory or storage. */
  public static Builder builder() {
    return new Builder();
  }

  private static OutpostNode open(Builder b) {
    Deque<AutoCloseable> opened = new ArrayDeque<>(); // closed in reverse on failure
    try {
      TimeSource time = b.time != null ? b.time : new SystemTimeSource();
      if (time instanceof AutoCloseable closeable) {
        opened.push(closeable);
      }
      StorageEngine engine = null;
      if (b.replication == null) {
        engine = b.storage != null ? b.storage : openRocksDb(b);
        opened.push(engine);
      }
      Cluster cluster = null;
      if (b.cluster != null) {
        cluster =
            Cluster.join(
                b.cluster,
                time,
                BOOT_CODE_VERSION,
                b.topology,
                Optional.ofNullable(b.replication)
                    .map(
                        r ->
                            new Cluster.Replication(
                                r, b.dataDir.resolve("replication"), b.syncWrites)));
        opened.push(cluster);
        if (b.replication != null) {
          engine = cluster.replicatedStorage().orElseThrow();
          opened.push(engine);
        }
        cluster.claimLocalObjects(engine);
      }
      RouterOptions routerOptions =
          b.cluster != null ? b.routerOptions.withNodeId(b.cluster.nodeId()) : b.routerOptions;
      RouterMetrics metrics = RouterMetrics.create(); // owned by the network once it opened
      opened.push(metrics);
      NodeNetwork network =
          NodeNetwork.open(
              routerOptions,
              Optional.ofNullable(b.cluster)
                  .map(
                      c ->
                          new NodeNetwork.LinkSettings(
                              c.region(), c.linkSecret(), b.topology, b.emulateLatency)),
              b.listener,
              metrics);
      opened.pop();
      opened.push(network);
      if (cluster != null) {
        cluster
            .membership()
            .addListener(
                new ClusterMembership.Listener() {
                  @Override
                  public void nodeJoined(ClusterMembership.NodeInfo node) {
                    network.peerChanged(node.nodeId());
                  }

                  @Override
                  public void nodeLeft(ClusterMembership.NodeInfo node) {
                    network.peerChanged(node.nodeId());
                  }
                });
      }
      ObjectHost host = buildHost(b, time, engine, cluster, network);
      opened.push(host);
      if (cluster != null) {
        cluster.attachCode(new CodeDeployments(host, b.dataDir.resolve("bundles")));
      }
      OutpostServer server =
          OutpostServer.start(
              network,
              host,
              routerOptions,
              b.realtimeOptions,
              Optional.ofNullable(cluster)
                  .map(
                      c -> new OutpostServer.ClusterRouting(c, b.adminToken, b.adminOptions, time)),
              b.authOptions);
      if (cluster != null) {
        cluster.publishStats(
            () -> new ClusterView.NodeStats(host.activeObjects(), host.openSockets()));
      }
      return new OutpostNode(b.copy(), time, engine, cluster, host, network, server);
    } catch (RuntimeException | Error e) {
      while (!opened.isEmpty()) {
        try {
          opened.pop().close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private static StorageEngine openRocksDb(Builder b) {
    if (b.dataDir == null) {
      throw new IllegalStateException(
          "give the node a data directory (dataDir) or a storage engine");
    }
    try {
      Files.createDirectories(b.dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + b.dataDir, e);
    }
    return StorageEngines.rocksDb(b.dataDir.resolve("storage"), b.syncWrites);
  }

  private static ObjectHost buildHost(
      Builder b, TimeSource time, StorageEngine engine, Cluster cluster, NodeNetwork network) {
    ObjectHost.Builder host =
        ObjectHost.builder()
            // A typed call is a message: bounded by the router's message limit, as HTTP bodies are.
            .options(b.runtimeOptions.withMaxRpcSize(b.routerOptions.maxMessageSize()))
            .time(time)
            .storage(engine)
            .meterRegistry(network.metrics().registry());
    if (b.classes.isEmpty()) {
      b.bundles.forEach(host::bundle);
    } else {
      b.classes.forEach(host::namespace);
      b.guardSpecs.forEach(host::connectGuards);
    }
    b.settings.forEach(host::setting);
    if (cluster != null) {
      ObjectLocator locator = cluster.locator();
      host.guard(cluster.guard()).caller(local -> network.dispatch(locator, local));
    }
    return host.build();
  }

  /** The port the HTTP server listens on. */
  public int port() {
    return server.port();
  }

  /** {@code http://host:port} of this node's router ({@code https://} with TLS). */
  public String baseUrl() {
    return config.listener.scheme() + "://" + config.routerOptions.host() + ":" + port();
  }

  /** The object host: live objects, code versions, test hooks such as {@code evictForTest}. */
  public ObjectHost host() {
    return host;
  }

  /** The HTTP front: client sockets, links, its Vert.x instance. */
  public OutpostServer server() {
    return server;
  }

  /** The cluster membership and directory; empty for a node alone. */
  public Optional<Cluster> cluster() {
    return Optional.ofNullable(cluster);
  }

  /** The node's clock. */
  public TimeSource time() {
    return time;
  }

  /** The data directory, if the node was given one. */
  public Optional<Path> dataDir() {
    return Optional.ofNullable(config.dataDir);
  }

  /** A builder holding this node's configuration, to start it again (after a stop) or a variant. */
  public Builder toBuilder() {
    return config.copy();
  }

  /**
   * Leaves gracefully: reports itself not ready ({@code /_outpost/health} answers 503), places
   * nothing new here, hands every object to another live node of its region (or parks it), closes
   * client sockets with 1012 so clients reconnect elsewhere, then stops. A node alone just stops.
   * Blocks.
   *
   * @return what the hand-over did (all zero for a node alone or one already stopped)
   */
  public synchronized Cluster.LeaveReport leave() {
    if (stopped) {
      return new Cluster.LeaveReport(0, 0, 0);
    }
    server.markLeaving(); // health answers 503: readiness probes send new clients elsewhere
    Cluster.LeaveReport report = new Cluster.LeaveReport(0, 0, 0);
    if (cluster != null) {
      report = cluster.handOverAll(host, network.handoverTransport().orElseThrow());
    }
    server.closeClientSockets(1012, "node leaving; reconnect");
    close();
    return report;
  }

  /**
   * Stops as a crash would: the cluster member vanishes without a goodbye (others notice by failure
   * detection), nothing is handed over; storage keeps what reached its write-ahead log.
   */
  public synchronized void crash() {
    if (stopped) {
      return;
    }
    stopped = true;
    if (cluster != null) {
      cluster.crashForTest();
    }
    stopAfterCluster();
  }

  /** Stops without handing objects over: server (closing every connection), host, cluster. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      server.close();
      host.close();
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      closeStorageAndClock();
    }
  }

  private void stopAfterCluster() {
    try {
      server.close();
      host.close();
    } finally {
      closeStorageAndClock();
    }
  }

  private void closeStorageAndClock() {
    try {
      engine.close();
    } finally {
      if (time instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException("cannot stop the node's clock", e);
        }
      }
    }
  }

  /** Whether the node was stopped (by any of leave, crash or close). */
  public synchronized boolean isStopped() {
    return stopped;
  }

  /**
   * Whether {@code host} is a loopback address (127.0.0.0/8, ::1, or a name resolving to one);
   * wildcards (0.0.0.0, ::), other addresses and names that do not resolve are not.
   */
  public static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /**
   * The secrets still at their development defaults, as they are named to an operator ({@code "the
   * admin token"}, {@code "the link secret"}); empty when both are the operator's own.
   */
  public static java.util.List<String> developmentSecrets(String adminToken, String linkSecret) {
    java.util.List<String> defaults = new java.util.ArrayList<>();
    if (adminToken.isBlank() || adminToken.equals(DEVELOPMENT_ADMIN_TOKEN)) {
      defaults.add("the admin token");
    }
    if (linkSecret.equals(ClusterOptions.DEVELOPMENT_LINK_SECRET)) {
      defaults.add("the link secret");
    }
    return defaults;
  }

  /**
   * Refuses a cluster node reachable from other machines (HTTP or cluster address not loopback)
   * while its admin token or link secret is the development default: anyone who can reach its port
   * could deploy code to it or join its links.
   */
  private static void requireSecrets(String adminToken, ClusterOptions cluster, String httpHost) {
    java.util.List<String> defaults = developmentSecrets(adminToken, cluster.linkSecret());
    if (defaults.isEmpty()) {
      return;
    }
    String exposed = !isLoopback(httpHost) ? httpHost : cluster.host();
    if (isLoopback(exposed)) {
      return;
    }
    throw new IllegalStateException(
        "refusing to listen on "
            + exposed
            + ", reachable from other machines, while "
            + String.join(" and ", defaults)
            + (defaults.size() == 1
                ? " is the development default"
                : " are the development defaults")
            + "; set adminToken(...) and ClusterOptions.withLinkSecret(...) to secrets of your own,"
            + " or bind 127.0.0.1");
  }

  /**
   * Configures an {@link OutpostNode}. Code: a {@link #bundle} (jar or classes directory) or
   * classes from the caller's class path ({@link #namespace}). Storage: RocksDB under {@link
   * #dataDir}, or a given engine. Cluster: {@link #cluster} joins one; without it the node serves
   * alone.
   */
  public static final class Builder {
    private TimeSource time; // null: a new SystemTimeSource
    private Path dataDir;
    private StorageEngine storage; // null: RocksDB in dataDir/storage
    private boolean syncWrites;
    private final java.util.List<Path> bundles = new java.util.ArrayList<>();
    private final Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> guardSpecs = new LinkedHashMap<>();
    private AuthOptions authOptions = AuthOptions.defaults();
    private RuntimeOptions runtimeOptions = RuntimeOptions.defaults();
    private RouterOptions routerOptions = RouterOptions.defaults();
    private RealtimeOptions realtimeOptions = RealtimeOptions.defaults();
    private ListenerOptions listener = ListenerOptions.defaults();
    private ClusterOptions cluster; // null: a node alone
    private ReplicationOptions replication; // null: each object's data on its owner only
    private RegionTopology topology = RegionTopology.open();
    private String adminToken;
    private dev.outpost.router.AdminOptions adminOptions =
        dev.outpost.router.AdminOptions.defaults();
    private boolean emulateLatency;

    private Builder() {}

    private Builder copy() {
      Builder b = new Builder();
      b.time = null; // a clock is not reused across starts: each node gets its own
      b.dataDir = dataDir;
      b.storage = null;
      b.syncWrites = syncWrites;
      b.bundles.addAll(bundles);
      b.classes.putAll(classes);
      b.settings.putAll(settings);
      b.guardSpecs.putAll(guardSpecs);
      b.authOptions = authOptions;
      b.runtimeOptions = runtimeOptions;
      b.routerOptions = routerOptions;
      b.realtimeOptions = realtimeOptions;
      b.listener = listener;
      b.cluster = cluster;
      b.replication = replication;
      b.topology = topology;
      b.adminToken = adminToken;
      b.adminOptions = adminOptions;
      b.emulateLatency = emulateLatency;
      return b;
    }

    /**
     * The node's clock; default a new {@link SystemTimeSource}. The node closes it on stop if it is
     * {@link AutoCloseable}. Not carried over by {@link OutpostNode#toBuilder()}.
     */
    public Builder time(TimeSource value) {
      this.time = Objects.requireNonNull(value, "time");
      return this;
    }

    /**
     * The node's directory: RocksDB in {@code storage/}, shipped code versions in {@code bundles/}.
     * Created if missing. Required unless a storage engine is given to a node alone.
     */
    public Builder dataDir(Path value) {
      this.dataDir = Objects.requireNonNull(value, "dataDir").toAbsolutePath();
      return this;
    }

    /**
     * A storage engine instead of RocksDB in the data directory (the in-memory one for tests); the
     * node closes it. Not carried over by {@link OutpostNode#toBuilder()}.
     */
    public Builder storage(StorageEngine value) {
      this.storage = Objects.requireNonNull(value, "storage");
      return this;
    }

    /** Whether RocksDB fsyncs its write-ahead log on every commit; default false. */
    public Builder syncWrites(boolean value) {
      this.syncWrites = value;
      return this;
    }

    /**
     * Adds a code bundle to serve (a jar, or a classes directory with its manifest) as one app
     * ({@code bundle.name}); call once per app. The apps run side by side, each owning its
     * namespaces; {@link #start()} refuses two bundles of one app or one namespace in two apps.
     */
    public Builder bundle(Path value) {
      this.bundles.add(Objects.requireNonNull(value, "bundle"));
      return this;
    }

    /** Serves exactly these bundles (replacing any given before), one app each. */
    public Builder bundles(java.util.List<Path> values) {
      java.util.List<Path> copy = java.util.List.copyOf(values);
      bundles.clear();
      bundles.addAll(copy);
      return this;
    }

    /** Serves {@code type} as {@code namespace}, from the caller's class path (no bundle). */
    public Builder namespace(String namespace, Class<? extends DurableObject> type) {
      classes.put(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(type));
      return this;
    }

    /**
     * Connect guards for classes given with {@link #namespace}, as a manifest's entries ({@code
     * "*"} for every namespace, or a namespace → {@code jwt} and class names, comma-separated; see
     * {@link dev.outpost.api.ConnectGuard}). A bundle's guards are in its manifest.
     */
    public Builder connectGuards(String namespace, String spec) {
      guardSpecs.put(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(spec));
      return this;
    }

    /**
     * How the router runs connect guards: their time limit and the {@code jwt} check's keys;
     * default {@link AuthOptions#defaults()} (5 s, no JWT keys: {@code jwt} guards refuse).
     */
    public Builder authOptions(AuthOptions value) {
      this.authOptions = Objects.requireNonNull(value, "authOptions");
      return this;
    }

    /** A setting objects read from their {@code Env}. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** The object host's options; default {@link RuntimeOptions#defaults()}. */
    public Builder runtimeOptions(RuntimeOptions value) {
      this.runtimeOptions = Objects.requireNonNull(value, "runtimeOptions");
      return this;
    }

    /**
     * The HTTP front's options; default {@link RouterOptions#defaults()} (127.0.0.1, a free port).
     * On a cluster node the node id is the cluster's.
     */
    public Builder routerOptions(RouterOptions value) {
      this.routerOptions = Objects.requireNonNull(value, "routerOptions");
      return this;
    }

    /** The real-time layer's options (heartbeats, resume windows, bounds). */
    public Builder realtimeOptions(RealtimeOptions value) {
      this.realtimeOptions = Objects.requireNonNull(value, "realtimeOptions");
      return this;
    }

    /**
     * How the HTTP port treats connections (TLS, the request-head timeout, the cap per address);
     * default {@link ListenerOptions#defaults()}.
     */
    public Builder listener(ListenerOptions value) {
      this.listener = Objects.requireNonNull(value, "listener");
      return this;
    }

    /**
     * Joins (or starts) the cluster {@code options} describe; needs a data directory and an admin
     * token.
     */
    public Builder cluster(ClusterOptions options) {
      this.cluster = Objects.requireNonNull(options, "cluster");
      return this;
    }

    /**
     * Replicates object storage with Raft across the given peers (this node must be one of them):
     * every commit is acknowledged only once a majority of the object's replica group has it on
     * disk, and a dead node's objects are served again by a node holding a copy. Cluster nodes
     * only; the data lives under {@code dataDir/replication}.
     */
    public Builder replication(ReplicationOptions options) {
      this.replication = Objects.requireNonNull(options, "replication");
      return this;
    }

    /** The world: regions, jurisdictions, latencies; default one open region. */
    public Builder topology(RegionTopology value) {
      this.topology = Objects.requireNonNull(value, "topology");
      return this;
    }

    /** The bearer token of the admin endpoints (cluster nodes). */
    public Builder adminToken(String value) {
      this.adminToken = Objects.requireNonNull(value, "adminToken");
      return this;
    }

    /** The admin API's rate limit and timeouts; default {@code AdminOptions.defaults()}. */
    public Builder adminOptions(dev.outpost.router.AdminOptions value) {
      this.adminOptions = Objects.requireNonNull(value, "adminOptions");
      return this;
    }

    /** Adds the topology's latencies to node links and to clients that declare their region. */
    public Builder emulateLatency(boolean value) {
      this.emulateLatency = value;
      return this;
    }

    /**
     * Starts the node; blocks until it joined the cluster (if any) and listens.
     *
     * @throws IllegalStateException if the configuration is incomplete (says what is missing) or
     *     the port cannot be bound
     * @throws IllegalArgumentException if a bundle does not load, two bundles are the same app, or
     *     two apps claim one namespace (the message names both)
     */
    public OutpostNode start() {
      if (bundles.isEmpty() && classes.isEmpty()) {
        throw new IllegalStateException("give the node a code bundle or at least one namespace");
      }
      if (!bundles.isEmpty() && !guardSpecs.isEmpty()) {
        throw new IllegalStateException(
            "connectGuards is for namespaces given as classes; a bundle's guards are in its"
                + " manifest (guard=, namespace.NAME.guard=)");
      }
      if (!bundles.isEmpty() && !classes.isEmpty()) {
        throw new IllegalStateException("give the node a code bundle or namespaces, not both");
      }
      if (cluster != null && (dataDir == null || adminToken == null)) {
        throw new IllegalStateException("a cluster node needs a data directory and an admin token");
      }
      if (cluster != null) {
        requireSecrets(adminToken, cluster, routerOptions.host());
      }
      if (replication != null && (cluster == null || storage != null)) {
        throw new IllegalStateException(
            "replication needs a cluster node with a data directory, and no storage engine given");
      }
      return open(this);
    }
  }
}
