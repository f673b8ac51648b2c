package dev.outpost.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits, in real time, for something another thread or process will make true: a cluster member to
 * be seen, an object to move, a client to reconnect. For integration tests, where no barrier can be
 * armed; a unit test on manual time never needs it.
 *
 * <p>The probe runs on the calling thread, first at once, then every {@code pollEvery}, until
 * {@code done} accepts its value or {@code timeout} has passed. A probe that throws counts as "not
 * yet" (a node not listening yet refuses connections); its last exception is attached to the
 * failure. The timeout is a safety net (give it 10 s or more), never the expected wait.
 *
 * <p>The failure is an {@link AssertionError} that names what was awaited, how long, and the last
 * value (or exception) seen: {@code "timed out after PT10S waiting for: n2 to see 3 members; last
 * seen: 2"}.
 */
public final class Eventually {

  /** The poll interval of the shorter forms. */
  public static final Duration POLL_EVERY = Duration.ofMillis(50);

  private Eventually() {}

  /**
   * Polls {@code probe} until {@code done} accepts its value, and returns that value.
   *
   * @param what what is awaited, for the failure message ("n2 to own counter/a")
   * @throws AssertionError if {@code timeout} passes first
   */
  public static <T> T waitUntil(
      Duration timeout, Duration pollEvery, Supplier<T> probe, Predicate<T> done, String what) {
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(done, "done");
    Objects.requireNonNull(what, "what");
    if (!timeout.isPositive() || !pollEvery.isPositive()) {
      throw new IllegalArgumentException(
          "timeout and pollEvery must be positive: " + timeout + ", " + pollEvery);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Exception lastFailure = null;
    boolean seen = false;
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) {
          return value;
        }
        last = value;
        seen = true;
        lastFailure = null;
      } catch (Exception e) { // checked ones too: some clients throw them sneakily
        lastFailure = e;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        String lastSeen =
            lastFailure != null
                ? "the probe threw " + lastFailure
                : seen ? String.valueOf(last) : "nothing";
        AssertionError failure =
            new AssertionError(
                "timed out after "
                    + timeout
                    + " waiting for: "
                    + what
                    + "; last seen: "
                    + lastSeen);
        if (lastFailure != null) {
          failure.initCause(lastFailure);
        }
        throw failure;
      }
      pause(Math.min(left, pollEvery.toNanos()));
    }
  }

  /** {@link #waitUntil(Duration, Duration, Supplier, Predicate, String)}, polling every 50 ms. */
  public static <T> T waitUntil(
      Duration timeout, Supplier<T> probe, Predicate<T> done, String what) {
    return waitUntil(timeout, POLL_EVERY, probe, done, what);
  }

  /** Polls {@code condition} every 50 ms until it is true. */
  public static void waitUntil(Duration timeout, BooleanSupplier condition, String what) {
    Objects.requireNonNull(condition, "condition");
    waitUntil(timeout, POLL_EVERY, condition::getAsBoolean, Boolean::booleanValue, what);
  }

  private static void pause(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos)); // the poll interval: the one sleep of this helper
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling", e);
    }
  }
}
