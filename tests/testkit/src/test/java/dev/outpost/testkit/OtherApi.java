package dev.outpost.testkit;

/** An interface {@link RpcRoom} does not implement. */
public interface OtherApi {

  /** Never answered by a room. */
  String echo(String text);
}
