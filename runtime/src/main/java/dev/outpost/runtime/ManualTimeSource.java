package dev.outpost.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * A clock that moves only when a test calls {@link #advance(Duration)}. Due tasks run on the
 * advancing thread, in time order (ties in scheduling order), each seeing {@link #now()} equal to
 * its due time. Thread-safe.
 */
public final class ManualTimeSource implements TimeSource {

  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private Instant now;
  private long sequence;

  /** Starts the clock at {@code start}. */
  public ManualTimeSource(Instant start) {
    this.now = Objects.requireNonNull(start, "start");
  }

  @Override
  public synchronized Instant now() {
    return now;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(task, "task");
    Task scheduled;
    synchronized (this) {
      Duration effective = delay.isNegative() ? Duration.ZERO : delay;
      scheduled = new Task(now.plus(effective), sequence++, task);
      tasks.add(scheduled);
    }
    return () -> scheduled.cancelled = true;
  }

  /** Runs every task due now (tasks scheduled with zero delay included). */
  public void runDueTasks() {
    advance(Duration.ZERO);
  }

  /** Moves time forward by {@code amount}, running every task that falls due on the way. */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("time cannot go back: " + amount);
    }
    Instant target;
    synchronized (this) {
      target = now.plus(amount);
    }
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due.isAfter(target)) {
          now = target;
          return;
        }
        tasks.poll();
        now = next.due;
      }
      if (!next.cancelled) {
        next.task.run();
      }
    }
  }

  /** How many scheduled tasks have not run or been cancelled. */
  public synchronized int pendingTasks() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  private static final class Task implements Comparable<Task> {
    final Instant due;
    final long sequence;
    final Runnable task;
    volatile boolean cancelled;

    Task(Instant due, long sequence, Runnable task) {
      this.due = due;
      this.sequence = sequence;
      this.task = task;
    }

    @Override
    public int compareTo(Task other) {
      int byTime = due.compareTo(other.due);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
