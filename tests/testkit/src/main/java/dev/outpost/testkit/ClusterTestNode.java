package dev.outpost.testkit;

import dev.outpost.api.DurableObject;
import dev.outpost.node.OutpostNode;
import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.Cluster;
import dev.outpost.runtime.ClusterOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
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

  /** How long {@link #adminPost} waits: a deploy loads and swaps the code on every node. */
  public static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(120);

  private final Builder config;
  private final SkewableTimeSource time;
  private final OutpostNode node;

  private ClusterTestNode(Builder config, SkewableTimeSource time, OutpostNode node) {
    this.config = config;
    this.time = time;
    this.node = node;
  }

  /** Configures node {@code nodeId} storing its data in {@code dataDir}. */
  public static Builder builder(String nodeId, Path dataDir) {
    return new Builder(nodeId, dataDir);
  }

  private static final java.util.Set<Integer> HANDED_OUT =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free TCP port on 127.0.0.1, never the same twice in this JVM, and below Linux's ephemeral
   * range (32768-60999): a port the kernel picks for {@code bind(0)} or for an outgoing connection
   * may be handed out again or taken by a client socket before the node that was given it listens
   * (seen: one node's HTTP and Raft ports were the same).
   */
  public static int freePort() {
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = random.nextInt(20_000, 32_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        // in use: try another
      }
    }
    throw new UncheckedIOException(
        new IOException("no free port on 127.0.0.1 between 20000 and 32000 after 1000 tries"));
  }

  private static ClusterTestNode open(Builder b) {
    SkewableTimeSource time = new SkewableTimeSource();
    OutpostNode.Builder node =
        OutpostNode.builder()
            .time(time)
            .dataDir(b.dataDir)
            .runtimeOptions(b.runtimeOptions)
            .routerOptions(
                RouterOptions.defaults().withPort(b.httpPort).withAllowedOrigins(b.allowedOrigins))
            .cluster(
                ClusterOptions.of(
                        b.nodeId, b.region, "127.0.0.1", b.httpPort, b.clusterPort, b.join)
                    .withClusterName(b.clusterName))
            .topology(b.topology)
            .adminToken(ADMIN_TOKEN)
            .adminOptions(b.adminOptions)
            .emulateLatency(b.emulateLatency)
            .authOptions(b.authOptions);
    if (b.replication != null) {
      node.replication(b.replication);
    }
    if (b.classes.isEmpty()) {
      node.bundles(b.bundles.isEmpty() ? List.of(TestNode.samplesBundle()) : b.bundles);
    } else {
      b.classes.forEach(node::namespace);
      node.setting("node", b.nodeId);
    }
    return new ClusterTestNode(b, time, node.start()); // the node owns and closes the clock
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
    return node.host();
  }

  /** The router's server. */
  public OutpostServer server() {
    return node.server();
  }

  /** The cluster membership and directory. */
  public Cluster cluster() {
    return node.cluster().orElseThrow();
  }

  /** The node's clock. */
  public SkewableTimeSource time() {
    return time;
  }

  /**
   * POSTs {@code body} (may be empty) to the admin route {@code path} of this node with {@link
   * #ADMIN_TOKEN} and reads the whole answer, on a client of {@code vertx} opened for the call.
   *
   * @throws AssertionError if no answer came within {@link #ADMIN_TIMEOUT}
   */
  public HttpResult adminPost(Vertx vertx, String path, byte[] body) {
    return TestHttpClient.exchange(
        vertx,
        port(),
        HttpMethod.POST,
        path,
        Buffer.buffer(body),
        Map.of("Authorization", "Bearer " + ADMIN_TOKEN),
        ADMIN_TIMEOUT);
  }

  /** The address of object {@code name} in {@code namespace}. */
  public ObjectAddress address(String namespace, String name) {
    return new ObjectAddress(
        namespace, node.host().namespace(namespace).orElseThrow().idFromName(name));
  }

  /** Which node owns the object, per the directory. */
  public String ownerOf(String namespace, String name) {
    return cluster()
        .directory()
        .lookup(address(namespace, name))
        .orElseThrow(() -> new AssertionError(namespace + "/" + name + " has no placement"))
        .owner();
  }

  /** Leaves gracefully: hands objects over, closes client sockets with 1012, stops. */
  public Cluster.LeaveReport leave() {
    return node.leave();
  }

  /** Stops as a crash would: the member vanishes without a goodbye. */
  public void crash() {
    node.crash();
  }

  /** A new node with the same id, ports and data directory (after {@link #crash} or close). */
  public ClusterTestNode restart(List<String> join) {
    close();
    Builder again = config.copy();
    again.join = List.copyOf(join);
    return open(again);
  }

  @Override
  public void close() {
    node.close();
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
    private List<Path> bundles = List.of(); // empty: the samples bundle
    private final Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    private RuntimeOptions runtimeOptions = RuntimeOptions.defaults();
    private dev.outpost.runtime.RegionTopology topology = dev.outpost.runtime.RegionTopology.open();
    private boolean emulateLatency;
    private dev.outpost.runtime.ReplicationOptions replication;
    private List<String> allowedOrigins = List.of();
    private dev.outpost.router.AdminOptions adminOptions =
        dev.outpost.router.AdminOptions.defaults();
    private dev.outpost.router.AuthOptions authOptions = dev.outpost.router.AuthOptions.defaults();

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
      b.bundles = bundles;
      b.classes.putAll(classes);
      b.runtimeOptions = runtimeOptions;
      b.topology = topology;
      b.emulateLatency = emulateLatency;
      b.replication = replication;
      b.allowedOrigins = allowedOrigins;
      b.adminOptions = adminOptions;
      b.authOptions = authOptions;
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

    /** Serves this bundle only (instead of the samples). */
    public Builder bundle(Path value) {
      this.bundles = List.of(value);
      return this;
    }

    /** Serves these bundles side by side, one app each (instead of the samples). */
    public Builder bundles(List<Path> values) {
      this.bundles = List.copyOf(values);
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

    /** Replicates storage with Raft across {@code options}' peers (this node among them). */
    public Builder replication(dev.outpost.runtime.ReplicationOptions options) {
      this.replication = options;
      return this;
    }

    /** Origins whose pages may call this node across origins ({@link RouterOptions}). */
    public Builder allowedOrigins(List<String> origins) {
      this.allowedOrigins = List.copyOf(origins);
      return this;
    }

    /** The admin API's rate limit and timeouts ({@link dev.outpost.router.AdminOptions}). */
    public Builder adminOptions(dev.outpost.router.AdminOptions value) {
      this.adminOptions = value;
      return this;
    }

    /** How the router runs connect guards: time limit, JWT keys ({@code AuthOptions}). */
    public Builder authOptions(dev.outpost.router.AuthOptions value) {
      this.authOptions = java.util.Objects.requireNonNull(value, "authOptions");
      return this;
    }

    /** Starts the node; blocks until it joined the cluster and listens. */
    public ClusterTestNode start() {
      return open(this);
    }
  }
}
