package dev.outpost.cluster;

import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.internal.bundle.ObjectIds;
import dev.outpost.runtime.internal.replication.GroupLayout;
import dev.outpost.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Node processes ({@code node-1} to {@code node-N}, region {@code local}; three unless asked) that
 * replicate every object's storage with Raft, three copies, and the replica-group lookups the
 * replication tests make through {@code GET /_outpost/cluster}. {@link #close} ends only these
 * processes.
 */
final class ReplicatedCluster implements AutoCloseable {

  static final int SNAPSHOT_INTERVAL = 20;

  /** The cluster name, unique per instance. */
  final String name;

  /** The nodes, in start order; none started before {@link #start}. */
  final List<NodeProcess> nodes;

  private final GroupLayout layout;

  ReplicatedCluster(Path dir, String namePrefix) {
    this(dir, namePrefix, 3, NodeProcess::new);
  }

  /** Three nodes made by {@code newNode(nodeId, dataDir)}, e.g. to run them in a namespace. */
  ReplicatedCluster(Path dir, String namePrefix, BiFunction<String, Path, NodeProcess> newNode) {
    this(dir, namePrefix, 3, newNode);
  }

  /**
   * {@code size} nodes, three copies of every object; each node also gets {@code args}. Snapshots
   * are taken every {@value #SNAPSHOT_INTERVAL} entries, so that tests under load see the log
   * compacted and lagging members rebuilt from snapshots.
   */
  ReplicatedCluster(Path dir, String namePrefix, int size, String... args) {
    this(dir, namePrefix, size, NodeProcess::new, args);
  }

  private ReplicatedCluster(
      Path dir,
      String namePrefix,
      int size,
      BiFunction<String, Path, NodeProcess> newNode,
      String... args) {
    this.name = namePrefix + "-" + UUID.randomUUID();
    List<NodeProcess> cluster = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      cluster.add(newNode.apply("node-" + i, dir.resolve("node-" + i)));
    }
    String peers = String.join(",", cluster.stream().map(n -> n.replicaPeer("local")).toList());
    for (NodeProcess node : cluster) {
      node.withArgs("--replica-peers", peers);
      node.withArgs("--snapshot-interval", Integer.toString(SNAPSHOT_INTERVAL));
      node.withArgs(args);
    }
    this.layout =
        GroupLayout.of(
            ReplicationOptions.of(ReplicationOptions.parsePeers(peers)), RegionTopology.open());
    this.nodes = List.copyOf(cluster);
  }

  /**
   * Starts the three nodes, waits until every replica group has elected a leader, then until every
   * group is led by its preferred node (leaders are handed back every 5 s): a settled cluster.
   */
  void start() throws Exception {
    nodes.get(0).start(name, List.of());
    // The others at once: a cluster that takes long to form has leaders waiting for members that
    // are not there yet.
    List<java.util.concurrent.Future<?>> starting = new ArrayList<>();
    try (var starter = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (NodeProcess node : nodes.subList(1, nodes.size())) {
        starting.add(
            starter.submit(
                () -> {
                  node.start(name, List.of(nodes.get(0).clusterAddress()));
                  return null;
                }));
      }
      for (var start : starting) {
        try {
          start.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        }
      }
    }
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () -> status(nodes.get(0), "/objects/counter/warm-up") == 200,
        "every replica group to elect a leader (cold keys wait for all of them)");
    try {
      Eventually.waitUntil(
          Duration.ofSeconds(30),
          () ->
              layout.groups().stream()
                  .allMatch(
                      g -> leaderOf(g.name(), nodes.get(0)).equals(g.preferredLeader().nodeId())),
          "every replica group to be led by its preferred node");
    } catch (AssertionError e) {
      for (NodeProcess node : nodes) {
        System.out.println(node.nodeId + " sees " + node.get("/_outpost/cluster").body());
      }
      throw e;
    }
  }

  /** The replica groups, as every node computes them. */
  List<GroupLayout.Group> groups() {
    return layout.groups();
  }

  /**
   * What keeps the replica groups from being settled, as {@code nodes} see them now (each asked
   * with {@code requestTimeout}); empty when every group has a leader that every node agrees on,
   * and that leader knows every follower to be at most {@code caughtUpLag} entries behind.
   */
  String unsettled(List<NodeProcess> nodes, long caughtUpLag, Duration requestTimeout) {
    Map<String, String> leaders = new TreeMap<>();
    for (NodeProcess node : nodes) {
      JsonObject map;
      try {
        map = new JsonObject(node.get("/_outpost/cluster", requestTimeout).body());
      } catch (Exception e) {
        return node.nodeId + " does not answer: " + e;
      }
      for (Object o : map.getJsonArray("replicaGroups")) {
        JsonObject g = (JsonObject) o;
        String group = g.getString("name");
        String leader = g.getString("leader");
        if (leader == null) {
          return node.nodeId + " sees no leader of " + group;
        }
        String other = leaders.putIfAbsent(group, leader);
        if (other != null && !other.equals(leader)) {
          return group
              + " led by "
              + other
              + " and by "
              + leader
              + " (as "
              + node.nodeId
              + " sees)";
        }
        if (leader.equals(node.nodeId)) {
          JsonObject lag = g.getJsonObject("followerLagEntries");
          int followers = g.getJsonArray("members").size() - 1;
          if (lag.size() < followers) {
            return group + ": its leader " + leader + " knows " + lag + " of its followers";
          }
          for (String follower : lag.fieldNames()) {
            if (lag.getLong(follower) > caughtUpLag) {
              return group + ": " + follower + " is behind by " + lag.getLong(follower);
            }
          }
        }
      }
    }
    if (leaders.size() < groups().size()) {
      return "groups seen: " + leaders.keySet();
    }
    return "";
  }

  /** The replica group that holds counter {@code counter}. */
  String groupOf(String counter) {
    return layout
        .groupFor(
            "local", new ObjectIds(RuntimeOptions.defaults().idKey()).fromName("counter", counter))
        .name();
  }

  /**
   * The node that runs {@code counter}: the Raft leader of its replica group, read from the cluster
   * map of the first node.
   */
  NodeProcess runnerOf(String counter) {
    String group = groupOf(counter);
    String leader =
        Eventually.waitUntil(
            Duration.ofSeconds(20),
            Duration.ofMillis(100),
            () -> leaderOf(group, nodes.get(0)),
            l -> !l.isEmpty(),
            "replica group " + group + " to have a leader");
    return nodes.stream().filter(n -> n.nodeId.equals(leader)).findFirst().orElseThrow();
  }

  /**
   * The members of {@code group} in the Raft configuration of its copy on {@code via} (they change
   * when a lost copy is replaced); empty if {@code via} does not answer.
   */
  static List<String> membersOf(String group, NodeProcess via) {
    try {
      var map = new JsonObject(via.get("/_outpost/cluster").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        var json = (JsonObject) g;
        if (json.getString("name").equals(group)) {
          return json.getJsonArray("members").stream().map(Object::toString).sorted().toList();
        }
      }
      return List.of();
    } catch (Exception e) {
      return List.of();
    }
  }

  /** The leader of {@code group} as {@code via} sees it; empty if none or {@code via} is down. */
  static String leaderOf(String group, NodeProcess via) {
    try {
      var map = new JsonObject(via.get("/_outpost/cluster").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        var json = (JsonObject) g;
        if (json.getString("name").equals(group) && json.getString("leader") != null) {
          return json.getString("leader");
        }
      }
      return "";
    } catch (Exception e) {
      return "";
    }
  }

  /**
   * Whether {@code node} is no more than {@code maxLag} entries behind in every replica group that
   * {@code via} leads (false if {@code via} does not answer).
   */
  static boolean caughtUp(String node, NodeProcess via, long maxLag) {
    try {
      var map = new JsonObject(via.get("/_outpost/cluster").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        var lag = ((JsonObject) g).getJsonObject("followerLagEntries");
        if (lag.containsKey(node) && lag.getLong(node) > maxLag) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** {@code caughtUp(node, via, 2)}. */
  static boolean caughtUp(String node, NodeProcess via) {
    return caughtUp(node, via, 2);
  }

  static int status(NodeProcess via, String path) {
    try {
      return via.post(path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Ends the node processes this cluster started, last first. */
  @Override
  public void close() throws InterruptedException {
    for (NodeProcess node : nodes.reversed()) {
      node.close();
    }
  }
}
