package dev.outpost.runtime;

import java.time.Duration;
import java.time.Instant;

/**
 * The runtime's only source of time and delay. Production uses {@link SystemTimeSource}; tests use
 * {@link ManualTimeSource} and move time by hand, so eviction, alarms and timeouts are tested
 * without waiting.
 *
 * <p>Thread-safe. Scheduled tasks must be short and must not block: they hand work to an object's
 * turn queue rather than doing it.
 */
public interface TimeSource {

  /** The current wall-clock time. */
  Instant now();

  /**
   * Runs {@code task} once, {@code delay} from now (at once if the delay is zero or negative).
   *
   * @return a handle that cancels the task if it has not started
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** A scheduled task that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the task if it has not started; harmless if it already ran. */
    void cancel();
  }
}
