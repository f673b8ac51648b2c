package dev.outpost.testkit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Several {@link ClusterTestNode}s in one JVM forming one cluster with a name of its own (so
 * clusters of concurrent tests never merge). Node i is {@code node-i}, data in {@code
 * baseDir/node-i}; every node joins the first.
 */
public final class TestCluster implements AutoCloseable {

  private final List<ClusterTestNode> nodes = new ArrayList<>();
  private final String name = "test-" + UUID.randomUUID();
  private final Path baseDir;

  private TestCluster(Path baseDir) {
    this.baseDir = baseDir;
  }

  /** Starts {@code count} nodes, each configured further by {@code customize}. */
  public static TestCluster start(
      Path baseDir, int count, Consumer<ClusterTestNode.Builder> customize) {
    TestCluster cluster = new TestCluster(baseDir);
    try {
      for (int i = 1; i <= count; i++) {
        cluster.add("node-" + i, customize);
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts one more node joining the cluster. */
  public ClusterTestNode add(String nodeId, Consumer<ClusterTestNode.Builder> customize) {
    ClusterTestNode.Builder builder =
        ClusterTestNode.builder(nodeId, baseDir.resolve(nodeId)).clusterName(name).join(seeds());
    customize.accept(builder);
    ClusterTestNode node = builder.start();
    nodes.add(node);
    return node;
  }

  /** Join addresses of the nodes started so far. */
  public List<String> seeds() {
    return nodes.stream().map(ClusterTestNode::clusterAddress).toList();
  }

  /** Node {@code i}, counting from 0. */
  public ClusterTestNode node(int i) {
    return nodes.get(i);
  }

  /** Replaces node {@code i} (after a restart). */
  public void replace(int i, ClusterTestNode node) {
    nodes.set(i, node);
  }

  /** Every node. */
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
