package dev.outpost.router;

/**
 * Whether a node's router takes new clients, as {@code GET /_outpost/health} reports it to load
 * balancers and readiness probes: 200 while {@code SERVING}, 503 once {@code LEAVING} (the node is
 * handing its objects over and will stop). A node is not listening at all before it has joined its
 * cluster, so "joining" needs no state of its own.
 *
 * <p>SERVING → LEAVING; nothing else (a node that left is stopped, and a restart is a new server).
 */
enum ServingState {
  SERVING,
  LEAVING;

  /** Whether moving from this state to {@code next} is legal. */
  boolean canMoveTo(ServingState next) {
    return this == SERVING && next == LEAVING;
  }
}
