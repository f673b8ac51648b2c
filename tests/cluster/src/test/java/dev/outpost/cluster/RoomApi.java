package dev.outpost.cluster;

import dev.outpost.api.Rpc;
import java.util.List;

/** The typed API of {@link RpcRoom}, called across nodes by {@code TypedCallsIT}. */
@Rpc
public interface RoomApi {

  /** Adds {@code user}; returns how many members there are. */
  int join(String user);

  /** The members, in joining order. */
  List<String> members();

  /** Joins {@code user} to room {@code other} by a typed call from this room; its answer. */
  int joinVia(String other, String user);

  /** Throws {@code IllegalStateException(why)} after joining {@code user}. */
  void fail(String user, String why);

  /** Calls {@code fail} on room {@code other} and lets its exception escape. */
  void failVia(String other, String user, String why);

  /**
   * Where the call ran, as {@code name@node}, then {@code ->} and the next room's answer along
   * {@code path}: {@code a.trace([b, a])} is the cycle a → b → a.
   */
  String trace(List<String> path);
}
