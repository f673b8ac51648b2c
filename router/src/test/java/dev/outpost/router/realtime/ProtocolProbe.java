package dev.outpost.router.realtime;

import dev.outpost.api.Request;

/** Runs the real-time layer's request parsing from another package's fuzz test. */
public final class ProtocolProbe {
  private ProtocolProbe() {}

  /** Everything {@link Protocol} reads from a connecting request. */
  public static void parse(Request request) {
    Protocol.negotiates(request);
    Protocol.query(request);
    Protocol.resumeOf(request);
  }
}
