package dev.outpost.bench.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Owns every child process (JVMs, and workerd) of one benchmark invocation and its scratch
 * directory (data dirs and logs). {@link #close()} stops, by PID, every child still running and
 * deletes the directory, so an invocation leaves nothing behind even when it fails halfway.
 *
 * <p>The children run on this JVM's class path: the benchmark jar plus {@code target/lib}, or the
 * test class path under Maven. Set {@code -Doutpost.bench.classpath} to override it.
 */
public final class ChildProcesses implements AutoCloseable {

  /** System property overriding the class path of child JVMs. */
  public static final String CLASSPATH_PROPERTY = "outpost.bench.classpath";

  /** System property naming the samples bundle (as set by {@code ./outpost}). */
  public static final String SAMPLES_PROPERTY = "outpost.samples.bundle";

  /** System property: when true, the scratch directory (logs, data) is kept for inspection. */
  public static final String KEEP_PROPERTY = "outpost.bench.keep";

  private final Path workDir;
  private final String classPath;
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private final List<ChildJvm> children = new CopyOnWriteArrayList<>();

  private ChildProcesses(Path workDir, String classPath) {
    this.workDir = workDir;
    this.classPath = classPath;
  }

  /** A new scratch directory under {@code java.io.tmpdir}. */
  public static ChildProcesses create() throws IOException {
    return new ChildProcesses(Files.createTempDirectory("outpost-bench-"), classPath());
  }

  /** The scratch directory; deleted by {@link #close()}. */
  public Path workDir() {
    return workDir;
  }

  /** Starts {@code main} in a child JVM whose stderr goes to {@code <workDir>/<name>.log}. */
  public ChildJvm start(String name, Class<?> main, List<String> jvmOptions, List<String> args)
      throws IOException {
    ChildJvm child =
        ChildJvm.start(
            name,
            main.getName(),
            jvmOptions,
            args,
            classPath,
            workDir.resolve(name + ".log"),
            readers);
    children.add(child);
    return child;
  }

  /**
   * Starts an Outpost node ({@link BenchNode}) on a free port of 127.0.0.1 and waits until it
   * listens. Without {@code --bundle} or {@code --store-objects} in {@code nodeArgs} it serves the
   * samples bundle.
   *
   * @param dataDir the node's data directory (reuse it to restart a node on the same data)
   */
  public ServerProcess startOutpost(
      String name, Path dataDir, List<String> jvmOptions, List<String> nodeArgs)
      throws IOException, InterruptedException {
    return startOutpost("outpost", name, dataDir, jvmOptions, nodeArgs);
  }

  /**
   * As {@link #startOutpost(String, Path, List, List)}, reported as {@code target} (for example
   * {@code outpost@t1k}, a node started with other arguments).
   */
  public ServerProcess startOutpost(
      String target, String name, Path dataDir, List<String> jvmOptions, List<String> nodeArgs)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    if (!nodeArgs.contains("--bundle") && !nodeArgs.contains("--store-objects")) {
      args.addAll(List.of("--bundle", samplesBundle().toString()));
    }
    args.addAll(nodeArgs);
    return ServerProcess.awaitReady(target, start(name, BenchNode.class, jvmOptions, args));
  }

  /**
   * Starts the bare Vert.x baseline ({@link BroadcastServer}) and waits until it listens. Target
   * {@code baseline} broadcasts off the event loop, {@code baseline-inline} on it.
   */
  public ServerProcess startBaseline(
      String target, String name, List<String> jvmOptions, List<String> args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(args);
    switch (target) {
      case "baseline" -> {}
      case "baseline-inline" -> all.add("--inline");
      default ->
          throw new IllegalArgumentException(
              "unknown baseline '" + target + "'; use baseline or baseline-inline");
    }
    return ServerProcess.awaitReady(target, start(name, BroadcastServer.class, jvmOptions, all));
  }

  /**
   * Starts the bare Vert.x counter server ({@link CounterServer}, the {@code counter} workload's
   * ceiling) with its RocksDB store in {@code dataDir}, and waits until it listens.
   */
  public ServerProcess startCounterBaseline(
      String name, Path dataDir, List<String> jvmOptions, List<String> args)
      throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    all.addAll(args);
    return ServerProcess.awaitReady("baseline", start(name, CounterServer.class, jvmOptions, all));
  }

  /**
   * Starts Cloudflare's workerd ({@link WorkerdRuntime}) serving the samples' counter and chat room
   * on a free port of 127.0.0.1, with its Durable Object storage in {@code dataDir} (created if
   * missing), and waits until it answers HTTP; its output goes to {@code <workDir>/<name>.log}.
   *
   * @throws IllegalStateException if workerd is not installed (saying to run {@code npm ci}), exits
   *     or does not answer within 30 s (quoting its log)
   */
  public ServerProcess startWorkerd(String name, Path dataDir)
      throws IOException, InterruptedException {
    WorkerdRuntime runtime = WorkerdRuntime.locate();
    Files.createDirectories(dataDir);
    int port = freePort();
    ChildJvm child =
        ChildJvm.startCommand(
            name, runtime.command(port, dataDir), workDir.resolve(name + ".log"), readers);
    children.add(child);
    return ServerProcess.awaitAnswering("workerd", child, port, Duration.ofSeconds(30));
  }

  /** A port of 127.0.0.1 free at the time of asking (for a child that cannot announce its own). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The class path children run with. */
  public static String classPath() {
    String explicit = System.getProperty(CLASSPATH_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String surefire = System.getProperty("surefire.test.class.path");
    if (surefire != null && !surefire.isBlank()) {
      return surefire;
    }
    return System.getProperty("java.class.path");
  }

  /**
   * The samples code bundle: {@code -Doutpost.samples.bundle}, else the jar (or classes directory)
   * the samples were loaded from on this class path.
   *
   * @throws IllegalStateException if neither is available
   */
  public static Path samplesBundle() {
    String explicit = System.getProperty(SAMPLES_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return Path.of(explicit);
    }
    try {
      Class<?> sample =
          Class.forName(
              "dev.outpost.samples.counter.Counter", false, ChildProcesses.class.getClassLoader());
      return Path.of(sample.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (ClassNotFoundException | URISyntaxException | NullPointerException e) {
      throw new IllegalStateException(
          "cannot find the samples bundle: set -D"
              + SAMPLES_PROPERTY
              + "=/path/to/samples.jar or put the samples jar on the class path",
          e);
    }
  }

  /** Stops every child still running (by PID) and deletes the scratch directory (see keep). */
  @Override
  public void close() {
    List<ChildJvm> all = new ArrayList<>(children);
    java.util.Collections.reverse(all);
    all.forEach(ChildJvm::close);
    readers.shutdownNow();
    if (Boolean.getBoolean(KEEP_PROPERTY)) {
      System.err.println("kept the benchmark's scratch directory (logs, data): " + workDir);
    } else {
      deleteTree(workDir);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
