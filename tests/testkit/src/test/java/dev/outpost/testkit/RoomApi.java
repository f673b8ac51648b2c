package dev.outpost.testkit;

import dev.outpost.api.Rpc;
import java.util.List;

/** The typed API of {@link RpcRoom}. */
@Rpc
public interface RoomApi {

  /** Adds {@code user}; returns how many members there are. */
  int join(String user);

  /** The members, in joining order. */
  List<String> members();

  /** The room's name, members and their name lengths. */
  RpcRoom.Summary summary();

  /** Joins {@code user}, then throws {@code IllegalStateException(why)}. */
  void joinThenFail(String user, String why);

  /** Returns {@code text}. */
  String echo(String text);

  /** Joins {@code user} to room {@code other}, by a typed call from this room. */
  int joinVia(String other, String user);
}
