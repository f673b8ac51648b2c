package dev.outpost.runtime;

import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.util.List;
import java.util.Map;

/** What a router may show about the cluster: nodes, their regions and load, the topology. */
public interface ClusterView {

  /** This node. */
  NodeInfo self();

  /** Every live node. */
  List<NodeInfo> liveNodes();

  /** The figures each node published last, by node id. */
  Map<String, NodeStats> stats();

  /** The emulated world. */
  RegionTopology topology();

  /**
   * Figures one node publishes every few seconds.
   *
   * @param objects live objects in memory
   * @param sockets open hibernatable sockets
   */
  record NodeStats(int objects, int sockets) {}
}
