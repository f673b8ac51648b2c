package dev.outpost.bench.workload;

import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two {@code BenchNode} processes in one cluster on 127.0.0.1 (node {@code a}, and node {@code b}
 * joined to it), without replication: the setting of {@code forward}. It places objects, says which
 * node owns one (the admin API), and reads how many requests a node forwarded (its metrics).
 *
 * <p>Threads: the run's main thread; every call blocks, bounded by a timeout.
 */
final class TwoNodeCluster implements AutoCloseable {

  /** The nodes' names, in start order. */
  static final List<String> NODES = List.of("a", "b");

  private static final String ADMIN_TOKEN = "bench-admin-token"; // BenchNode's, loopback only
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, ServerProcess> nodes = new LinkedHashMap<>();

  private TwoNodeCluster() {}

  /**
   * Starts node {@code a}, then node {@code b} joining it, and waits until each router lists both.
   *
   * @throws IllegalStateException if they do not form one cluster within 60 s
   */
  static TwoNodeCluster start(ChildProcesses children, CommonOptions common)
      throws IOException, InterruptedException {
    TwoNodeCluster cluster = new TwoNodeCluster();
    try {
      String join = null;
      for (String name : NODES) {
        int clusterPort = freePort();
        List<String> args =
            new ArrayList<>(
                List.of(
                    "--node-id", name,
                    "--port", Integer.toString(freePort()),
                    "--cluster-port", Integer.toString(clusterPort),
                    "--event-loops", Integer.toString(common.serverEventLoops)));
        if (join != null) {
          args.addAll(List.of("--join", join));
        }
        cluster.nodes.put(
            name,
            children.startOutpost(
                "node-" + name,
                children.workDir().resolve("node-" + name),
                common.serverJvmOptions("-Xms1g -Xmx1g"),
                args));
        join = "127.0.0.1:" + clusterPort;
      }
      for (String name : NODES) {
        cluster.awaitRouters(name);
      }
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The node processes by name, in start order. */
  Map<String, ServerProcess> nodes() {
    return nodes;
  }

  ServerProcess node(String name) {
    return nodes.get(name);
  }

  /** The node that is not {@code name}. */
  String other(String name) {
    return NODES.get(0).equals(name) ? NODES.get(1) : NODES.get(0);
  }

  /**
   * Places each object {@code namespace/name} (one GET through node {@code via} each, which also
   * activates it) and returns the node that owns them all.
   *
   * @throws IllegalStateException if a GET fails or the objects landed on different nodes
   */
  String place(String via, String namespace, List<String> names) throws Exception {
    for (String name : names) {
      HttpResponse<String> reply = send(via, "/objects/" + namespace + "/" + name, false);
      if (reply.statusCode() >= 500) {
        throw new IllegalStateException(
            "placing " + namespace + "/" + name + " through node " + via + ": " + reply.body());
      }
    }
    String owner = null;
    for (String name : names) {
      String placed = owner(namespace, name);
      if (owner != null && !owner.equals(placed)) {
        throw new IllegalStateException(
            namespace
                + " objects "
                + names
                + " landed on different nodes ("
                + owner
                + " and "
                + placed
                + "); a run needs one owner: use fewer objects or rooms");
      }
      owner = placed;
    }
    return owner;
  }

  /** The node that owns {@code namespace/name}, from the admin API. */
  String owner(String namespace, String name) throws Exception {
    HttpResponse<String> reply =
        send(
            NODES.get(0),
            "/_outpost/admin/objects/"
                + namespace
                + "/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8),
            true);
    if (reply.statusCode() != 200) {
      throw new IllegalStateException(
          "asking who owns " + namespace + "/" + name + ": " + reply.statusCode() + " " + reply);
    }
    String owner = new JsonObject(reply.body()).getString("owner");
    if (owner == null || !nodes.containsKey(owner)) {
      throw new IllegalStateException(namespace + "/" + name + " has no owner: " + reply.body());
    }
    return owner;
  }

  /**
   * Exchanges of {@code kind} ({@code request}, {@code upgrade}, {@code call}) node {@code name}
   * forwarded to their owner and got answered, from {@code outpost_forwarded_requests_total}.
   */
  long forwarded(String name, String kind) throws Exception {
    HttpResponse<String> reply = send(name, "/_outpost/metrics", false);
    long total = 0;
    for (String line : reply.body().lines().toList()) {
      if (line.startsWith("outpost_forwarded_requests_total{")
          && line.contains("kind=\"" + kind + "\"")
          && line.contains("outcome=\"ok\"")) {
        total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  private void awaitRouters(String name) throws InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String seen = "no answer";
    while (System.nanoTime() < deadline) { // bounded: 60 s
      try {
        HttpResponse<String> reply = send(name, "/_outpost/routers", false);
        seen = reply.statusCode() + " " + reply.body();
        if (reply.statusCode() == 200
            && new JsonObject(reply.body()).getJsonArray("routers").size() == NODES.size()) {
          return;
        }
      } catch (IOException e) {
        seen = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "node "
            + name
            + " did not see both routers within "
            + READY_TIMEOUT
            + " (last answer: "
            + seen
            + "); "
            + nodes.get(name).logTail());
  }

  private HttpResponse<String> send(String name, String path, boolean admin)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(name).port() + path))
            .timeout(Duration.ofSeconds(10))
            .GET();
    if (admin) {
      request.header("Authorization", "Bearer " + ADMIN_TOKEN);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Stops both nodes, b first. */
  @Override
  public void close() {
    List<ServerProcess> all = new ArrayList<>(nodes.values());
    for (int i = all.size() - 1; i >= 0; i--) {
      all.get(i).close();
    }
  }
}
