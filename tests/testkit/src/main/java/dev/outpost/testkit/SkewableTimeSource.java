package dev.outpost.testkit;

import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.TimeSource;
import java.time.Duration;
import java.time.Instant;

/**
 * The system clock plus an offset a test can move forward, to make one node behave as if its
 * process had been paused (GC, SIGSTOP, a frozen VM) while the rest of the cluster went on: jump
 * its clock past its lease and it must stop committing and replying. Scheduling uses real time.
 */
public final class SkewableTimeSource implements TimeSource, AutoCloseable {

  private final SystemTimeSource system = new SystemTimeSource();
  private volatile Duration offset = Duration.ZERO;

  @Override
  public Instant now() {
    return system.now().plus(offset);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    return system.schedule(delay, task);
  }

  /** Moves this node's clock forward by {@code amount}, as a pause of that length would. */
  public void jump(Duration amount) {
    offset = offset.plus(amount);
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return system.isClosed();
  }

  @Override
  public void close() {
    system.close();
  }
}
