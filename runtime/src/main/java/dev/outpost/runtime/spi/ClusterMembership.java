package dev.outpost.runtime.spi;

import java.util.List;
import java.util.Optional;

/**
 * The live nodes of the cluster, as the failure detector sees them. Thread-safe.
 *
 * <p>Implementations: {@code HazelcastMembership} (members and their attributes) and a fixed
 * single-node view.
 */
public interface ClusterMembership {

  /** This node. */
  NodeInfo self();

  /** Every live node, this one included: an unmodifiable snapshot, as of the last change. */
  List<NodeInfo> liveNodes();

  /** A live node by id. */
  default Optional<NodeInfo> node(String nodeId) {
    return liveNodes().stream().filter(n -> n.nodeId().equals(nodeId)).findFirst();
  }

  /** Registers a listener for nodes leaving or joining. */
  void addListener(Listener listener);

  /** Told about membership changes, on a membership thread; must not block. */
  interface Listener {
    /** A node joined. */
    default void nodeJoined(NodeInfo node) {}

    /** A node left, gracefully or not. */
    default void nodeLeft(NodeInfo node) {}
  }

  /**
   * One node: where to reach it.
   *
   * @param nodeId unique node id
   * @param region the node's region
   * @param host the interface its HTTP server listens on
   * @param httpPort its HTTP port (clients, and node-to-node links)
   */
  record NodeInfo(String nodeId, String region, String host, int httpPort) {}
}
