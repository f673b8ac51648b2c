package dev.outpost.testkit;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking waits on Vert.x futures with a safety-net timeout and a message naming the phase. */
public final class TestFutures {

  /** The default safety net. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TestFutures() {}

  /**
   * Waits at most {@link #TIMEOUT} for {@code future}; see {@link #await(Future, Duration,
   * String)}.
   */
  public static <T> T await(Future<T> future, String phase) {
    return await(future, TIMEOUT, phase);
  }

  /**
   * Waits for {@code future} and returns its result. Must not run on an event loop.
   *
   * @throws AssertionError naming {@code phase} if it fails or is not done within {@code timeout}
   */
  public static <T> T await(Future<T> future, Duration timeout, String phase) {
    try {
      return future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(phase + ": not done within " + timeout, e);
    } catch (RuntimeException e) {
      throw new AssertionError(phase + ": failed: " + e, e);
    }
  }
}
