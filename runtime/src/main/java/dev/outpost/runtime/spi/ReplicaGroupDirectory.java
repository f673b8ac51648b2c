package dev.outpost.runtime.spi;

import java.util.Optional;

/**
 * Where each replica group's Raft leader is, for routers of nodes that hold no copy of the group,
 * and whether the group's leader has listed its objects in the placement directory since the
 * cluster (re)started. A cache of what Raft decides, never the decider: a stale entry only costs a
 * "not owner" hop. Implementations are thread-safe; calls may block briefly.
 */
public interface ReplicaGroupDirectory {

  /**
   * The leader of a group in a term.
   *
   * @param node the leader's node id
   * @param term its Raft term; a higher term replaces a lower one
   * @param indexed whether it has registered the group's objects in the directory
   */
  record GroupLeader(String node, long term, boolean indexed) {}

  /** Records {@code leader} for {@code group} unless a higher term is recorded already. */
  void publishLeader(String group, GroupLeader leader);

  /** The latest recorded leader of {@code group}. */
  Optional<GroupLeader> leader(String group);
}
