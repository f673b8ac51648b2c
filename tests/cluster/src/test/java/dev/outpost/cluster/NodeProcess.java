package dev.outpost.cluster;

import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@code outpost node} in a process of its own, started the way the launcher starts it, so a
 * test can kill it with SIGKILL. Ends only the process it started, by its handle.
 */
final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final String nodeId;
  final int httpPort;
  final int clusterPort;
  final Path dataDir;
  final Path log;
  final int raftPort;
  private final List<String> extraArgs = new ArrayList<>();
  private final List<String> jvmArgs = new ArrayList<>();
  private String host = "127.0.0.1";
  private List<String> commandPrefix = List.of();
  private Process process;

  NodeProcess(String nodeId, Path dataDir) {
    this(nodeId, dataDir, ClusterTestNode.freePort());
  }

  /** A node whose cluster member listens on {@code clusterPort} (nodes on different addresses). */
  NodeProcess(String nodeId, Path dataDir, int clusterPort) {
    this.nodeId = nodeId;
    this.httpPort = ClusterTestNode.freePort();
    this.clusterPort = clusterPort;
    this.raftPort = ClusterTestNode.freePort();
    this.dataDir = dataDir;
    this.log = dataDir.resolveSibling(nodeId + ".log");
  }

  /** Passes {@code args} to every later start of the node (e.g. {@code --replica-peers ...}). */
  NodeProcess withArgs(String... args) {
    extraArgs.addAll(List.of(args));
    return this;
  }

  /** Passes {@code args} to the JVM of every later start (e.g. {@code -Djdk.net.hosts.file=F}). */
  NodeProcess withJvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  /**
   * Runs the node as {@code commandPrefix java ...} (e.g. {@code ip netns exec NS}, which execs
   * java, so the process handle is still the node's own) with every server bound to {@code host}
   * instead of 127.0.0.1; this test's requests go to {@code host} too. Call before {@link
   * #replicaPeer} and {@link #start}.
   */
  NodeProcess inNetwork(String host, List<String> commandPrefix) {
    this.host = host;
    this.commandPrefix = List.copyOf(commandPrefix);
    return this;
  }

  /** {@code nodeId@region=host:raftPort}, this node's entry in {@code --replica-peers}. */
  String replicaPeer(String region) {
    return nodeId + "@" + region + "=" + host + ":" + raftPort;
  }

  String clusterAddress() {
    return host + ":" + clusterPort;
  }

  /** The process id of the running node (the java process itself). */
  long pid() {
    return process.pid();
  }

  /**
   * Starts the process and waits (up to 60 s: a node started while others are under load on 2 cores
   * has taken over 30 s) until it answers health checks.
   */
  void start(String clusterName, List<String> join) throws Exception {
    start(clusterName, join, Duration.ofSeconds(60));
  }

  /** Starts the process and waits up to {@code healthTimeout} until it answers health checks. */
  void start(String clusterName, List<String> join, Duration healthTimeout) throws Exception {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 23) { // as the launcher: no sun.misc.Unsafe warnings
      command.add("--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(
        List.of(
            "--add-modules",
            "java.se",
            "--add-exports",
            "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens",
            "java.base/java.lang=ALL-UNNAMED",
            "--add-opens",
            "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens",
            "java.management/sun.management=ALL-UNNAMED",
            "--add-opens",
            "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "-Xmx256m",
            "-Dhazelcast.phone.home.enabled=false",
            "-Djava.util.logging.config.file=" + System.getProperty("outpost.logging.config"),
            "-Doutpost.samples.bundle=" + System.getProperty("outpost.samples.bundle")));
    command.addAll(jvmArgs);
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("outpost.deploy.classpath"),
            "dev.outpost.cli.OutpostCli",
            "node",
            "--node-id",
            nodeId,
            "--host",
            host,
            "--http-port",
            Integer.toString(httpPort),
            "--cluster-port",
            Integer.toString(clusterPort),
            "--cluster-name",
            clusterName,
            "--data-dir",
            dataDir.toString()));
    if (!join.isEmpty()) {
      command.add("--join");
      command.add(String.join(",", join));
    }
    command.addAll(extraArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (!host.startsWith("127.")) {
      // Off loopback a node refuses the development secrets (secure by default): give it the
      // test's own, the same for every node of the test.
      builder.environment().put("OUTPOST_ADMIN_TOKEN", ClusterTestNode.ADMIN_TOKEN);
      builder.environment().put("OUTPOST_LINK_SECRET", "test-link-secret-for-namespaced-nodes");
    }
    process = builder.start();
    String state =
        Eventually.waitUntil(
            healthTimeout,
            Duration.ofMillis(100),
            () -> !process.isAlive() ? "exited" : healthy() ? "healthy" : "starting",
            seen -> !seen.equals("starting"),
            nodeId + " to be healthy; see " + log);
    if (state.equals("exited")) {
      throw new IllegalStateException(
          nodeId + " exited with " + process.waitFor() + "; see " + log);
    }
  }

  private boolean healthy() {
    try {
      return get("/_outpost/health").statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(path, Duration.ofSeconds(20));
  }

  /** GETs with an answer due within {@code timeout} (an unanswered request throws). */
  HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
            .timeout(timeout)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return post(path, Duration.ofSeconds(20));
  }

  /** POSTs with an answer due within {@code timeout} (an unanswered request throws). */
  HttpResponse<String> post(String path, Duration timeout)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * SIGTERM, as a service manager stops the node, and waits up to {@code timeout} for it to exit.
   *
   * @return the exit code
   * @throws IllegalStateException if it still runs after {@code timeout} (then it is killed)
   */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException(
          nodeId + " still ran " + timeout + " after SIGTERM (killed); see " + log);
    }
    return process.exitValue();
  }

  /** {@code host:httpPort}, where this node's router listens. */
  String httpAddress() {
    return host + ":" + httpPort;
  }

  /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGSTOP ({@code pause = true}) or SIGCONT: the process freezes as in a long GC or a hang. */
  void signalPause(boolean pause) throws Exception {
    Process kill =
        new ProcessBuilder("kill", pause ? "-STOP" : "-CONT", Long.toString(process.pid()))
            .redirectErrorStream(true)
            .start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill " + (pause ? "-STOP" : "-CONT") + " failed");
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      try {
        signalPause(false); // a stopped process cannot handle SIGTERM
      } catch (Exception e) {
        // gone meanwhile
      }
      process.destroy(); // SIGTERM: graceful leave
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
