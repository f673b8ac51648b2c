package dev.outpost.cli;

import dev.outpost.runtime.BundleRejectedException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outpost dev --watch DIR}: one node serving a classes directory, reloaded whenever it
 * changes (recompile and the next event of every object runs the new classes; sockets stay open).
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Run a node on a classes directory or a jar, reloaded whenever it changes.")
final class DevCommand implements Callable<Integer> {

  @Option(
      names = "--watch",
      required = true,
      paramLabel = "DIR|JAR",
      description =
          "The bundle: a classes directory with META-INF/outpost/bundle.properties (e.g."
              + " target/classes), or a bundle jar; reloaded whenever it changes.")
  Path watch;

  @Option(names = "--http-port", defaultValue = "8080", description = "Port for clients.")
  int httpPort;

  @Option(names = "--cluster-port", defaultValue = "5701", description = "Cluster member port.")
  int clusterPort;

  @Option(
      names = "--data-dir",
      defaultValue = ".outpost-data/dev",
      description = "Directory for the node's data.")
  Path dataDir;

  @Option(
      names = "--allow-origin",
      split = ",",
      paramLabel = "ORIGIN",
      description =
          "Origin (scheme://host[:port]) whose pages may call the node across origins (CORS);"
              + " * allows any. Default: none.")
  java.util.List<String> allowedOrigins = new java.util.ArrayList<>();

  /** Changes closer together than this are one reload. */
  private static final Duration QUIET = Duration.ofMillis(300);

  @picocli.CommandLine.Mixin AuthFlags auth;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec commandSpec;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(watch) && !Files.isRegularFile(watch)) {
      throw new CliException(
          "--watch "
              + watch
              + ": no such directory or jar; build your project first (mvn package makes"
              + " target/classes and target/NAME.jar)");
    }
    dev.outpost.router.AuthOptions authOptions = auth.options(commandSpec, System.getenv());
    NodeAddresses.requireFree("127.0.0.1", httpPort, "HTTP", "--http-port", "--http-port");
    NodeAddresses.requireFree(
        "127.0.0.1", clusterPort, "cluster", "--cluster-port", "--cluster-port");
    NodeSpec spec =
        new NodeSpec(
            "dev-1",
            "local",
            "127.0.0.1",
            httpPort,
            clusterPort,
            dataDir,
            java.util.List.of(watch),
            false,
            1024 * 1024,
            Duration.ofSeconds(10),
            dev.outpost.runtime.ClusterOptions.of(
                    "dev-1", "local", "127.0.0.1", httpPort, clusterPort, java.util.List.of())
                .withClusterName("outpost-dev-" + httpPort),
            dev.outpost.runtime.RegionTopology.open(),
            false,
            NodeSpec.defaultAdminToken(),
            null,
            allowedOrigins,
            dev.outpost.router.ListenerOptions.defaults(),
            dev.outpost.router.WebSocketCompressionOptions.defaults());
    try (RunningNode node = RunningNode.start(spec, authOptions);
        WatchService watcher = FileSystems.getDefault().newWatchService()) {
      node.handOverOnExit(false);
      System.out.printf(
          "outpost dev: serving %s on http://127.0.0.1:%d, reloading on change%n",
          watch, node.port());
      boolean jar = Files.isRegularFile(watch);
      Path watched = jar ? watch.toAbsolutePath().getParent() : watch;
      register(watcher, watched, jar);
      int generation = 0;
      while (true) { // runs until Ctrl-C
        WatchKey key = watcher.take();
        boolean changed = concerns(key, jar);
        WatchKey more;
        while ((more = watcher.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          changed |= concerns(more, jar);
        }
        if (!changed) {
          continue;
        }
        register(watcher, watched, jar); // new subdirectories
        generation++;
        try {
          String version = "dev-" + generation;
          node.reload(watch, version);
          System.out.println("outpost dev: reloaded as " + version);
        } catch (BundleRejectedException e) {
          System.out.println("outpost dev: kept the running version: " + e.getMessage());
        }
      }
    }
  }

  /** Takes the key's events; whether one is about the bundle (any file of a directory bundle). */
  private boolean concerns(WatchKey key, boolean jar) {
    boolean changed = false;
    for (var event : key.pollEvents()) {
      changed |= !jar || watch.getFileName().equals(event.context());
    }
    key.reset();
    return changed;
  }

  private static void register(WatchService watcher, Path root, boolean jar) throws IOException {
    if (jar) {
      root.register(
          watcher,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
