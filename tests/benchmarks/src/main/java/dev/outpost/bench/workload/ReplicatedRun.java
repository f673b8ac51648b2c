package dev.outpost.bench.workload;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.bench.server.ServerProcess;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.internal.bundle.ObjectIds;
import dev.outpost.runtime.internal.replication.GroupLayout;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The counter load against a cluster of {@code n} {@code BenchNode} processes that replicate
 * storage with Raft: it waits until every replica group has a leader, then drives the load through
 * the router of the node that leads the counter's group (so the figure is the cost of replication,
 * not of forwarding).
 */
final class ReplicatedRun {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ReplicatedRun() {}

  /** A cluster of {@code BenchNode} processes with replication, restartable node by node. */
  static final class Cluster implements AutoCloseable {
    final ChildProcesses children;
    final CommonOptions common;
    final int[] http;
    final int[] clusterPorts;
    final String peerList;
    final ServerProcess[] nodes;
    final GroupLayout layout;

    final List<String> extraArgs = new ArrayList<>();

    Cluster(ChildProcesses children, CommonOptions common, int n) throws IOException {
      this.children = children;
      this.common = common;
      this.http = new int[n];
      this.clusterPorts = new int[n];
      this.nodes = new ServerProcess[n];
      List<String> peers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        http[i] = freePort();
        clusterPorts[i] = freePort();
        peers.add("r" + (i + 1) + "@local=127.0.0.1:" + freePort());
      }
      this.peerList = String.join(",", peers);
      this.layout =
          GroupLayout.of(
              ReplicationOptions.of(ReplicationOptions.parsePeers(peerList)),
              RegionTopology.open());
    }

    /** Starts node {@code i} (0-based), joining node 0 (or the first live one). */
    void start(int i) throws IOException, InterruptedException {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--node-id", "r" + (i + 1),
                  "--port", Integer.toString(http[i]),
                  "--cluster-port", Integer.toString(clusterPorts[i]),
                  "--replica-peers", peerList,
                  "--event-loops", Integer.toString(common.serverEventLoops)));
      List<String> join = new ArrayList<>();
      for (int k = 0; k < nodes.length; k++) {
        if (k != i && nodes[k] != null) {
          join.add("127.0.0.1:" + clusterPorts[k]);
        }
      }
      if (!join.isEmpty()) {
        args.addAll(List.of("--join", String.join(",", join)));
      }
      args.addAll(extraArgs);
      nodes[i] =
          children.startOutpost(
              "replica-" + (i + 1), dataDir(i), common.serverJvmOptions("-Xms512m -Xmx512m"), args);
    }

    /** Node {@code i}'s data directory. */
    java.nio.file.Path dataDir(int i) {
      return children.workDir().resolve("replica-" + (i + 1));
    }

    /** SIGKILL of node {@code i}. */
    void kill9(int i) {
      ProcessHandle.of(nodes[i].pid()).ifPresent(ProcessHandle::destroyForcibly);
      nodes[i] = null;
    }

    /** The index of a live node other than {@code i}. */
    int other(int i) {
      for (int k = 0; k < nodes.length; k++) {
        if (k != i && nodes[k] != null) {
          return k;
        }
      }
      throw new IllegalStateException("no other live node");
    }

    /** The replica group of counter {@code name}. */
    String groupOf(String name) {
      return layout
          .groupFor(
              "local", new ObjectIds(RuntimeOptions.defaults().idKey()).fromName("counter", name))
          .name();
    }

    /** Waits until {@code group} is led by its preferred node; returns that node's index. */
    int awaitPreferredLeader(String group) throws Exception {
      String leader = awaitLeader(http[other(-1)], group);
      return Integer.parseInt(leader.substring(1)) - 1;
    }

    @Override
    public void close() {
      for (int i = nodes.length - 1; i >= 0; i--) {
        if (nodes[i] != null) {
          nodes[i].close();
        }
      }
    }
  }

  static RunResult run(
      ChildProcesses children, int n, CounterLoad.Settings settings, CommonOptions common)
      throws Exception {
    try (Cluster cluster = new Cluster(children, common, n)) {
      for (int i = 0; i < n; i++) {
        cluster.start(i);
      }
      String object = settings.namePrefix() + "-0";
      awaitStatus(cluster.http[0], "/objects/counter/" + settings.namePrefix() + "-warm-up", 200);
      String group = cluster.groupOf(object);
      int leader = cluster.awaitPreferredLeader(group);
      System.out.printf("replicated counter: %s is in %s, led by r%d%n", object, group, leader + 1);
      RunResult result = CounterLoad.run(cluster.nodes[leader], settings);
      return new RunResult(
          result.workload(),
          "outpost x" + n + " replicated",
          result.scenario(),
          result.seconds(),
          result.throughput(),
          result.unit(),
          result.latency(),
          result.errors(),
          result.extra());
    }
  }

  static void awaitStatus(int port, String path, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) { // bounded: 60 s
      try {
        if (send(port, path, "POST").statusCode() == status) {
          return;
        }
      } catch (IOException e) {
        // not yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the replicated cluster did not place " + path + " in 60 s");
  }

  static String awaitLeader(int port, String group) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) { // bounded: 60 s
      JsonObject map = new JsonObject(send(port, "/_outpost/cluster", "GET").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        JsonObject json = (JsonObject) g;
        if (json.getString("name").equals(group)
            && json.getString("leader") != null
            && json.getString("leader").equals(group.substring(2))) {
          return json.getString("leader");
        }
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("replica group " + group + " has no preferred leader in 60 s");
  }

  static HttpResponse<String> send(int port, String path, String method)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
