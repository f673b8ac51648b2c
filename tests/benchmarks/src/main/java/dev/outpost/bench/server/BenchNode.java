package dev.outpost.bench.server;

import dev.outpost.bench.objects.StoreObject;
import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterOptions;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * An Outpost node for benchmarks, run as a child JVM: what {@code outpost node} runs (RocksDB,
 * {@link ObjectHost}, {@link OutpostServer}), assembled through the same public APIs, bound to
 * 127.0.0.1, plus the {@link ControlLoop} on stdin/stdout so that the benchmark can read its memory
 * after GC. The router is unchanged: the admin channel is this process's stdin.
 *
 * <p>It serves the samples bundle ({@code --bundle}), or with {@code --store-objects} the
 * benchmark's own {@link StoreObject} as namespace {@code store}, registered as an embedded class.
 * SIGTERM (the benchmark stops it by PID) closes server, host, storage and clock in that order.
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

  @Option(names = "--event-loops", defaultValue = "2", description = "Router event loops.")
  int eventLoops;

  @Option(names = "--port", defaultValue = "0", description = "HTTP port; 0 picks a free one.")
  int port;

  private SystemTimeSource time;
  private StorageEngine engine;
  private ObjectHost host;
  private OutpostServer server;
  private boolean closed; // guarded by this

  @Override
  public Integer call() throws Exception {
    if ((bundle == null) == !storeObjects) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "give exactly one of --bundle PATH and --store-objects");
    }
    Files.createDirectories(dataDir);
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(this::close));
    try {
      start();
      ControlLoop.announceReady(server.port());
      ControlLoop.run(host::activeObjects, host::openSockets);
    } finally {
      close();
    }
    return 0;
  }

  private synchronized void start() {
    time = new SystemTimeSource();
    engine = StorageEngines.rocksDb(dataDir.resolve("storage"), syncWrites);
    ObjectHost.Builder builder =
        ObjectHost.builder()
            .options(RuntimeOptions.defaults().withIdleTimeout(Duration.ofMillis(idleTimeoutMs)))
            .time(time)
            .storage(engine);
    host =
        storeObjects
            ? builder.namespace(StoreObject.NAMESPACE, StoreObject.class).build()
            : builder.bundle(bundle).build();
    server =
        OutpostServer.start(
            host,
            RouterOptions.defaults()
                .withPort(port)
                .withEventLoops(eventLoops)
                .withNodeId("bench-node"));
  }

  private synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (server != null) {
      server.close();
    }
    if (host != null) {
      host.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (time != null) {
      time.close();
    }
  }

  /** Runs the node until SIGTERM, {@code quit} or the end of stdin. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchNode()).execute(args));
  }
}
