package dev.outpost.router;

import dev.outpost.runtime.RegionTopology;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Optional;

/**
 * Adds the emulated one-way latency of the region matrix to traffic, so that a cluster on one
 * laptop behaves like a world-wide one. Applied on node-to-node links (both directions) and between
 * a client and its router when the client declares where it is ({@value #CLIENT_REGION_HEADER}
 * header or {@value #CLIENT_REGION_PARAM} query parameter). Off unless the node is started with
 * latency emulation on.
 *
 * <p>Delays keep order: every delayed action of one stream is scheduled from one Vert.x context
 * with the same delay, and Netty runs timers of equal delay in the order they were set.
 */
public final class LatencyEmulator {

  /** Header a client sets to declare its region. */
  public static final String CLIENT_REGION_HEADER = "X-Outpost-Client-Region";

  /** Query parameter a client sets to declare its region. */
  public static final String CLIENT_REGION_PARAM = "clientRegion";

  /** Emulation switched off: every delay is zero. */
  public static final LatencyEmulator OFF = new LatencyEmulator(null, RegionTopology.open());

  private final Vertx vertx; // null when off
  private final RegionTopology topology;

  private LatencyEmulator(Vertx vertx, RegionTopology topology) {
    this.vertx = vertx;
    this.topology = topology;
  }

  /** Emulation on, with the latencies of {@code topology}. */
  public static LatencyEmulator on(Vertx vertx, RegionTopology topology) {
    return new LatencyEmulator(vertx, topology);
  }

  /** Whether any delay is applied. */
  public boolean isOn() {
    return vertx != null;
  }

  /** The one-way delay between two regions (zero when off or unknown). */
  public Duration oneWay(String from, Optional<String> to) {
    if (vertx == null || to.isEmpty()) {
      return Duration.ZERO;
    }
    return topology.oneWay(from, to.get());
  }

  /** Runs {@code action} on {@code context} after {@code delay}, after earlier delayed actions. */
  public void after(Context context, Duration delay, Runnable action) {
    if (delay.isZero() || vertx == null) {
      action.run();
      return;
    }
    context.runOnContext(v -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> action.run()));
  }
}
