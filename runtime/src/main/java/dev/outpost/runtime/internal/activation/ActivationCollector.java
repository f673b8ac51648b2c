package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Evicts one activation once it has been idle for {@code idleTimeout} (Orleans' {@code
 * ActivationCollector}, here one per activation): it owns the activation's idle timer and the time
 * its last drain loop ended. Its sockets stay with the {@code HibernationManager}.
 *
 * <p><b>Threads.</b> {@link #touch} and {@link #arm} are called by the drain loop while it holds
 * the activation's lock, which also guards this collector's fields. The idle check runs on the time
 * source's timer thread and takes that lock itself; it evicts only if no event is queued or
 * running, and otherwise leaves re-arming to the drain loop that is running.
 */
final class ActivationCollector {

  private final ObjectActivation activation;
  private final ReentrantLock lock; // the activation's lock
  private final TimeSource time;
  private final Duration idleTimeout;
  private boolean armed; // a check is scheduled
  private Instant lastActive; // when the last drain loop ended

  ActivationCollector(
      ObjectActivation activation, ReentrantLock lock, TimeSource time, Duration idleTimeout) {
    this.activation = activation;
    this.lock = lock;
    this.time = time;
    this.idleTimeout = idleTimeout;
    this.lastActive = time.now();
  }

  /** Notes that the activation was just active. Under the activation's lock. */
  void touch() {
    lastActive = time.now();
  }

  /** Schedules an idle check, unless one is scheduled. Under the activation's lock. */
  void arm() {
    if (!armed) {
      armed = true;
      time.schedule(idleTimeout, this::check);
    }
  }

  private void check() {
    boolean evicted = false;
    lock.lock();
    try {
      armed = false;
      if (activation.busyOrEvictedLocked()) {
        return; // the drain loop re-arms the timer when it ends
      }
      Duration idle = Duration.between(lastActive, time.now());
      Duration left = idleTimeout.minus(idle);
      if (left.isPositive()) {
        armed = true;
        time.schedule(left, this::check);
      } else {
        evicted = activation.evictLocked();
      }
    } finally {
      lock.unlock();
    }
    if (evicted) {
      activation.leaveCatalog();
    }
  }
}
