package dev.outpost.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What hand-over needs from a node's object host. The leaving side seals, snapshots and fences; the
 * receiving side installs. Calls that touch storage block: never call them on an event loop.
 */
public interface ObjectMigrations {

  /**
   * Stops taking events for the object (they fail with {@link NotOwnerException}, so routers look
   * again), lets queued and running turns finish and commit, and evicts it. Completes when done.
   */
  CompletableFuture<Void> seal(ObjectAddress address);

  /** Takes events for the object again (after a hand-over that failed). */
  void unseal(ObjectAddress address);

  /** Closes every socket of the object from the server side with {@code code}. */
  void closeSockets(ObjectAddress address, int code, String reason);

  /** What the object has stored, for shipping. Call after {@link #seal} completed. */
  ObjectSnapshot snapshot(ObjectAddress address);

  /**
   * Installs a shipped object on this node at {@code epoch}: replaces anything stored for it and
   * arms its alarm. Called on the receiving node before the directory names it the owner.
   */
  void install(ObjectAddress address, long epoch, ObjectSnapshot snapshot);

  /**
   * After the object moved away at {@code epoch}: deletes this node's copy with that epoch, so that
   * a stale activation here can never commit again, and unseals.
   */
  void fenceMovedOut(ObjectAddress address, long epoch);

  /** The label of the code version this node runs. */
  String codeVersion();

  /** How long {@link #seal} may take before the hand-over gives up on the object. */
  default Duration sealTimeout() {
    return Duration.ofSeconds(30);
  }
}
