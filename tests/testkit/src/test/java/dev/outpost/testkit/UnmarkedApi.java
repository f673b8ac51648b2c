package dev.outpost.testkit;

/**
 * A public interface {@link RpcRoom} implements without {@code @Rpc}, as an object implements a
 * library's callback: typed calls must not reach it.
 */
public interface UnmarkedApi {

  /** Would clear the room if anyone could call it. */
  void wipe();
}
