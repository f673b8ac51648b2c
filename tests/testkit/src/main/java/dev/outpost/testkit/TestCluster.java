package dev.outpost.testkit;

import dev.outpost.runtime.Cluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * N real cluster nodes ({@link ClusterTestNode}s) in the test's JVM, forming one cluster with a
 * name of its own, so that clusters of concurrent tests never merge. Node {@code i} (counting from
 * 0) has id {@code node-(i+1)} and its data in {@code baseDir/node-(i+1)}; each node joins the
 * running nodes started before it.
 *
 * <pre>{@code
 * try (TestCluster cluster = TestCluster.start(dir, 3, b -> b.namespace("counter", Counter.class))) {
 *   cluster.crash(0);                      // as kill -9: no hand-over
 *   ClusterTestNode back = cluster.restart(0); // same id, ports and data, joins the others
 * }
 * }</pre>
 *
 * <p>Nodes are started one after the other on the calling thread; {@code start} returns when every
 * node has joined and listens, and closes those already started if one fails. Node stops go through
 * the cluster ({@link #crash}, {@link #leave}) so that it knows which nodes run. Not thread-safe:
 * drive it from the test's thread.
 */
public final class TestCluster implements AutoCloseable {

  private final List<ClusterTestNode> nodes = new ArrayList<>();
  private final Set<Integer> stopped = new HashSet<>(); // indexes of nodes crashed or left
  private final String name = "test-" + UUID.randomUUID();
  private final Path baseDir;

  private TestCluster(Path baseDir) {
    this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
  }

  /** Starts {@code count} nodes, each configured further by {@code customize}. */
  public static TestCluster start(
      Path baseDir, int count, Consumer<ClusterTestNode.Builder> customize) {
    return start(baseDir, count, (i, b) -> customize.accept(b));
  }

  /**
   * Starts one node per entry of {@code regions}, node {@code i} in region {@code regions.get(i)},
   * each configured further by {@code customize}.
   */
  public static TestCluster inRegions(
      Path baseDir, List<String> regions, Consumer<ClusterTestNode.Builder> customize) {
    List<String> copy = List.copyOf(regions);
    return start(
        baseDir,
        copy.size(),
        (i, b) -> {
          b.region(copy.get(i));
          customize.accept(b);
        });
  }

  private interface NodeCustomizer {
    void accept(int index, ClusterTestNode.Builder builder);
  }

  private static TestCluster start(Path baseDir, int count, NodeCustomizer customize) {
    if (count < 1) {
      throw new IllegalArgumentException("a cluster needs at least one node, not " + count);
    }
    TestCluster cluster = new TestCluster(baseDir);
    try {
      for (int i = 0; i < count; i++) {
        int index = i;
        cluster.add("node-" + (i + 1), b -> customize.accept(index, b));
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts one more node joining the running nodes; it gets the next index. */
  public ClusterTestNode add(String nodeId, Consumer<ClusterTestNode.Builder> customize) {
    ClusterTestNode.Builder builder =
        ClusterTestNode.builder(nodeId, baseDir.resolve(nodeId)).clusterName(name).join(seeds());
    customize.accept(builder);
    ClusterTestNode node = builder.start();
    nodes.add(node);
    awaitFormed();
    return node;
  }

  /** Join addresses of the running nodes. */
  public List<String> seeds() {
    return IntStream.range(0, nodes.size())
        .filter(i -> !stopped.contains(i))
        .mapToObj(i -> nodes.get(i).clusterAddress())
        .toList();
  }

  /** Node {@code i}, counting from 0 (after a restart, the new node). */
  public ClusterTestNode node(int i) {
    return nodes.get(i);
  }

  /** How many nodes the cluster has, running or stopped. */
  public int size() {
    return nodes.size();
  }

  /** Every node, in index order. */
  public List<ClusterTestNode> nodes() {
    return List.copyOf(nodes);
  }

  /** The node with this id. */
  public ClusterTestNode byId(String nodeId) {
    return nodes.stream()
        .filter(n -> n.nodeId().equals(nodeId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no node " + nodeId + " in " + nodes));
  }

  /** Stops node {@code i} as a crash would: no goodbye, no hand-over; its data stays on disk. */
  public void crash(int i) {
    nodes.get(i).crash();
    stopped.add(i);
  }

  /** Node {@code i} leaves gracefully, handing its objects over; returns what it handed over. */
  public Cluster.LeaveReport leave(int i) {
    Cluster.LeaveReport report = nodes.get(i).leave();
    stopped.add(i);
    return report;
  }

  /**
   * Starts node {@code i} again (closing it first if it still runs) with the same id, ports and
   * data directory, joining the other running nodes; returns the new node, which {@link #node}
   * returns from then on.
   */
  public ClusterTestNode restart(int i) {
    ClusterTestNode old = nodes.get(i);
    old.close();
    stopped.add(i);
    ClusterTestNode again = old.restart(seeds());
    nodes.set(i, again);
    stopped.remove(i);
    awaitFormed();
    return again;
  }

  /** How long {@link #awaitFormed} waits. */
  private static final java.time.Duration FORMING = java.time.Duration.ofSeconds(60);

  /**
   * Waits until every running node's membership lists exactly the running nodes, once each: after a
   * restart, the others must have dropped the old incarnation and admitted the new one (on a loaded
   * machine that can take seconds), or the test would run against a cluster in two parts.
   *
   * @throws AssertionError naming each node's view if that does not happen within 60 s
   */
  public void awaitFormed() {
    List<String> running =
        IntStream.range(0, nodes.size())
            .filter(i -> !stopped.contains(i))
            .mapToObj(i -> nodes.get(i).nodeId())
            .sorted()
            .toList();
    long deadline = System.nanoTime() + FORMING.toNanos();
    while (true) {
      List<String> views = new ArrayList<>();
      boolean formed = true;
      for (int i = 0; i < nodes.size(); i++) {
        if (stopped.contains(i)) {
          continue;
        }
        List<String> seen =
            nodes.get(i).cluster().liveNodes().stream().map(n -> n.nodeId()).sorted().toList();
        formed &= seen.equals(running);
        views.add(nodes.get(i).nodeId() + " sees " + seen);
      }
      if (formed) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the cluster did not form within " + FORMING + ": expected " + running + "; " + views);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for the cluster to form", e);
      }
    }
  }

  /** Replaces node {@code i} with a node the test restarted itself. */
  public void replace(int i, ClusterTestNode node) {
    nodes.set(i, Objects.requireNonNull(node, "node"));
    stopped.remove(i);
  }

  /** Closes every node, the last started first; a failure to close one is logged, not thrown. */
  @Override
  public void close() {
    for (ClusterTestNode node : nodes.reversed()) {
      try {
        node.close();
      } catch (RuntimeException e) {
        System.getLogger(TestCluster.class.getName())
            .log(System.Logger.Level.WARNING, "closing " + node.nodeId() + " failed", e);
      }
    }
  }
}
