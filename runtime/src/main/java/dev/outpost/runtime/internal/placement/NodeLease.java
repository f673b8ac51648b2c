package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.TimeSource;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * This node's lease, renewed every {@code renewInterval} and valid for {@code ttl - margin} after
 * the start of the last renewal that succeeded, by this node's own clock. The node serves (commits,
 * replies) only while it is valid: a node that paused (GC, SIGSTOP, a frozen VM) or lost the
 * cluster stops by itself, strictly before {@code ttl} has passed since anyone saw it renew.
 * Thread-safe.
 */
public final class NodeLease {

  private static final System.Logger LOG = System.getLogger(NodeLease.class.getName());

  private final TimeSource time;
  private final Executor blocking;
  private final Predicate<Duration> renew;
  private final Duration ttl;
  private final Duration margin;
  private final Duration renewInterval;
  private volatile Instant validUntil = Instant.MIN;
  private volatile boolean stopped;
  private volatile boolean suspended; // tests: renewals are skipped, as if the process hung

  /**
   * @param renew renews the lease in the cluster for the given TTL; false or an exception means it
   *     failed. Runs on {@code blocking}.
   */
  public NodeLease(
      TimeSource time,
      Executor blocking,
      Predicate<Duration> renew,
      Duration ttl,
      Duration margin,
      Duration renewInterval) {
    this.time = time;
    this.blocking = blocking;
    this.renew = renew;
    this.ttl = ttl;
    this.margin = margin;
    this.renewInterval = renewInterval;
  }

  /** Renews once now (blocking), then keeps renewing in the background. */
  public void start() {
    renewOnce();
    schedule();
  }

  private void schedule() {
    if (!stopped) {
      time.schedule(
          renewInterval,
          () -> {
            if (stopped) {
              return;
            }
            try {
              blocking.execute(this::renewAndReschedule);
            } catch (java.util.concurrent.RejectedExecutionException e) {
              stopped = true; // the node is shutting down
            }
          });
    }
  }

  private void renewAndReschedule() {
    renewOnce();
    schedule();
  }

  private void renewOnce() {
    if (suspended) {
      return;
    }
    Instant started = time.now();
    try {
      if (renew.test(ttl)) {
        validUntil = started.plus(ttl).minus(margin);
        return;
      }
      LOG.log(Level.WARNING, "lease renewal refused; serving stops at " + validUntil);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "lease renewal failed; serving stops at " + validUntil, e);
    }
  }

  /** Whether the node may serve now. */
  public boolean isValid() {
    return time.now().isBefore(validUntil);
  }

  /** Skips renewals until resumed, as a hung process would (tests). */
  public void suspendForTest(boolean suspend) {
    this.suspended = suspend;
  }

  /** Stops renewing; the lease lapses by itself. */
  public void stop() {
    stopped = true;
  }
}
