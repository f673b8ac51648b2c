package dev.outpost.testkit;

import dev.outpost.api.Rpc;
import java.util.List;

/** Calls along a path of rooms: {@code a.relay([b, a])} is a → b → a, a re-entrant cycle. */
@Rpc
public interface RelayApi {

  /** This room's name, then {@code ->} and the next room's answer; the last adds its members. */
  String relay(List<String> path);
}
