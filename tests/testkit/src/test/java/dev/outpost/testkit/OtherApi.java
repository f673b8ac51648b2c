package dev.outpost.testkit;

import dev.outpost.api.Rpc;

/** An interface {@link RpcRoom} does not implement. */
@Rpc
public interface OtherApi {

  /** Never answered by a room. */
  String echo(String text);
}
