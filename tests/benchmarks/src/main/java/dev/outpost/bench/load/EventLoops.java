package dev.outpost.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The generator's Vert.x: its own instance with a fixed number of event loops, one context per loop
 * (clients are spread over them round-robin), waits that use Vert.x timers, and the barrier that
 * makes what the loops recorded visible to the calling thread.
 *
 * <p>Every method here blocks the calling thread; never call them on an event loop.
 */
public final class EventLoops {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private EventLoops() {}

  /** A Vert.x instance with {@code loops} event loops and the JDK transport. */
  public static Vertx create(int loops) {
    return Vertx.vertx(
        new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(false));
  }

  /** {@code count} new contexts, on the event loops in turn (one per loop if count == loops). */
  public static List<Context> contexts(Vertx vertx, int count) {
    List<Context> contexts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      contexts.add(vertx.getOrCreateContext());
    }
    return contexts;
  }

  /** Waits {@code nanos} (at least 1 ms) on a Vert.x timer. */
  public static void pause(Vertx vertx, long nanos) {
    long millis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    await(
        vertx.timer(millis, TimeUnit.MILLISECONDS),
        Duration.ofMillis(millis).plus(TIMEOUT),
        "a timer of " + millis + " ms");
  }

  /** Waits until {@code System.nanoTime()} reaches {@code deadlineNanos}. */
  public static void pauseUntil(Vertx vertx, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left > 0) {
      pause(vertx, left);
    }
  }

  /**
   * Runs an empty task on each context and waits for all: everything those event loops did before
   * is then visible to the caller (a happens-before edge through the completed futures).
   */
  public static void barrier(Collection<Context> contexts) {
    List<Future<Void>> done = new ArrayList<>();
    for (Context context : contexts) {
      Promise<Void> promise = Promise.promise();
      context.runOnContext(v -> promise.complete());
      done.add(promise.future());
    }
    await(Future.all(done), TIMEOUT, "the barrier on " + contexts.size() + " event loops");
  }

  /**
   * Waits for {@code future}.
   *
   * @throws IllegalStateException naming {@code what} if it does not complete within {@code
   *     timeout}
   */
  public static <T> T await(Future<T> future, Duration timeout, String what) {
    try {
      return future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not complete within " + timeout, e);
    }
  }

  /** Closes {@code vertx}, waiting at most 10 s. */
  public static void close(Vertx vertx) {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("generator: Vert.x did not close within 10 s: " + e);
    }
  }
}
