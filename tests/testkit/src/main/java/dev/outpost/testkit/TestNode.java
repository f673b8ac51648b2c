package dev.outpost.testkit;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.node.OutpostNode;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.SystemTimeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A real Outpost node inside the test's JVM: RocksDB in a directory the test owns, an {@link
 * ObjectHost} running a code bundle on the {@link SystemTimeSource}, and its router on a free
 * loopback port, assembled by {@link OutpostNode}. What {@code outpost node} runs, minus the
 * command line.
 *
 * <p><b>Lifecycle.</b> {@link #start} opens everything or, if a step fails, closes what it opened
 * and rethrows. {@link #close()} stops in reverse order (server, host, storage, clock) and is
 * idempotent. {@link #restart()} closes this node and starts a new one on the same data directory
 * and configuration, which is how a test checks durability across a process restart: RocksDB is
 * closed and reopened, so only what reached its write-ahead log survives.
 *
 * <p><b>Threads.</b> Start, restart and close block; call them from the test thread, never from an
 * event loop.
 */
public final class TestNode implements AutoCloseable {

  /** System property naming the samples bundle jar; the integration tests' pom sets it. */
  public static final String SAMPLES_BUNDLE_PROPERTY = "outpost.samples.bundle";

  private final Config config;
  private final OutpostNode node;
  private boolean closed; // guarded by this

  private TestNode(Config config, OutpostNode node) {
    this.config = config;
    this.node = node;
  }

  /** A node with the samples bundle and default options, storing its data in {@code dataDir}. */
  public static TestNode start(Path dataDir) {
    return builder(dataDir).start();
  }

  /** Configures a node storing its data in {@code dataDir} (created if missing). */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * The samples bundle jar named by {@value #SAMPLES_BUNDLE_PROPERTY}.
   *
   * @throws IllegalStateException if the property is unset or the jar is missing, saying how to fix
   *     it
   */
  public static Path samplesBundle() {
    String value = System.getProperty(SAMPLES_BUNDLE_PROPERTY);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + SAMPLES_BUNDLE_PROPERTY
              + " is not set; run the tests through Maven (tests/integration sets it) or pass"
              + " -D"
              + SAMPLES_BUNDLE_PROPERTY
              + "=/path/to/samples.jar");
    }
    Path path = Path.of(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(
          "samples bundle "
              + path
              + " does not exist; build it first: mvn -o install -DskipTests -pl"
              + " durable-objects,samples");
    }
    return path;
  }

  private static TestNode open(Config config) {
    return new TestNode(
        config,
        OutpostNode.builder()
            .dataDir(config.dataDir())
            .syncWrites(config.syncWrites())
            .bundle(config.bundle())
            .runtimeOptions(config.runtimeOptions())
            .routerOptions(config.routerOptions())
            .start());
  }

  /** The port the HTTP server listens on (127.0.0.1 unless the router options say otherwise). */
  public int port() {
    return node.port();
  }

  /** The interface the HTTP server is bound to. */
  public String hostName() {
    return config.routerOptions().host();
  }

  /** {@code http://host:port}. */
  public String baseUrl() {
    return "http://" + hostName() + ":" + port();
  }

  /** The node's object host, for {@code evictForTest}, {@code isActiveForTest} and counters. */
  public ObjectHost host() {
    return node.host();
  }

  /** The directory holding this node's data. */
  public Path dataDir() {
    return config.dataDir();
  }

  /** The runtime options this node runs with. */
  public RuntimeOptions runtimeOptions() {
    return config.runtimeOptions();
  }

  /** The router options this node runs with (the port as configured, maybe 0). */
  public RouterOptions routerOptions() {
    return config.routerOptions();
  }

  /**
   * The address of the object named {@code name} in {@code namespace}, as the router derives it
   * from {@code /objects/{namespace}/{name}}.
   *
   * @throws IllegalArgumentException if the bundle has no such namespace
   */
  public ObjectAddress address(String namespace, String name) {
    DurableObjectNamespace ns =
        node.host()
            .namespace(namespace)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no namespace '"
                            + namespace
                            + "' on this node; it serves "
                            + node.host().namespaceNames()));
    return new ObjectAddress(namespace, ns.idFromName(name));
  }

  /**
   * Closes this node and starts a new one with the same configuration on the same data directory.
   * The new node listens on a new port unless the router options fix one.
   */
  public TestNode restart() {
    close();
    return open(config);
  }

  /** Whether {@link #close()} was called. */
  public synchronized boolean isClosed() {
    return closed;
  }

  /** Stops the server (closing every connection), the host, the storage engine and the clock. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    node.close();
  }

  @Override
  public String toString() {
    return "TestNode("
        + config.routerOptions().nodeId()
        + " on "
        + baseUrl()
        + ", data in "
        + config.dataDir()
        + ")";
  }

  private record Config(
      Path dataDir,
      Path bundle,
      RuntimeOptions runtimeOptions,
      RouterOptions routerOptions,
      boolean syncWrites) {}

  /** Configures a {@link TestNode}; every setting has a default. */
  public static final class Builder {
    private final Path dataDir;
    private Path bundle; // null: the samples bundle
    private RuntimeOptions runtimeOptions = RuntimeOptions.defaults();
    private RouterOptions routerOptions = RouterOptions.defaults();
    private boolean syncWrites;

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath();
    }

    /** The code bundle (jar or classes directory); defaults to {@link #samplesBundle()}. */
    public Builder bundle(Path value) {
      this.bundle = Objects.requireNonNull(value, "bundle");
      return this;
    }

    /** The object host's options; defaults to {@link RuntimeOptions#defaults()}. */
    public Builder runtimeOptions(RuntimeOptions value) {
      this.runtimeOptions = Objects.requireNonNull(value, "runtimeOptions");
      return this;
    }

    /**
     * The HTTP front's options; defaults to {@link RouterOptions#defaults()} (loopback, port 0).
     */
    public Builder routerOptions(RouterOptions value) {
      this.routerOptions = Objects.requireNonNull(value, "routerOptions");
      return this;
    }

    /** Whether RocksDB fsyncs its write-ahead log on every commit; default false. */
    public Builder syncWrites(boolean value) {
      this.syncWrites = value;
      return this;
    }

    /** Starts the node; blocks until its port is bound. */
    public TestNode start() {
      return open(
          new Config(
              dataDir,
              bundle != null ? bundle : samplesBundle(),
              runtimeOptions,
              routerOptions,
              syncWrites));
    }
  }
}
