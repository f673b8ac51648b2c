package dev.outpost.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real clock: {@link Instant#now()} and one daemon scheduler thread. The only place in the
 * runtime that reads the system clock or waits for time to pass.
 */
public final class SystemTimeSource implements TimeSource, AutoCloseable {

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> Thread.ofPlatform().daemon().name("outpost-timer").unstarted(runnable));

  @Override
  public Instant now() {
    return Instant.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    long nanos = Math.max(0, delay.toNanos());
    ScheduledFuture<?> future =
        scheduler.schedule(
            () -> {
              try {
                task.run();
              } catch (RuntimeException | Error e) {
                System.getLogger(SystemTimeSource.class.getName())
                    .log(System.Logger.Level.ERROR, "scheduled task failed", e);
              }
            },
            nanos,
            TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return scheduler.isShutdown();
  }

  /** Stops the scheduler thread; pending tasks never run. */
  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
