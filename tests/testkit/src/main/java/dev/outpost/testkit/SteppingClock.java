package dev.outpost.testkit;

import dev.outpost.runtime.ManualTimeSource;
import dev.outpost.runtime.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The {@link ManualTimeSource} an {@link ObjectHarness} gives its host, plus a record of when each
 * scheduled task is due, so that the harness can move time one due instant at a time and let the
 * objects finish what each instant started (an alarm that sets the next alarm) before moving on.
 * Thread-safe.
 */
final class SteppingClock implements TimeSource {

  private final ManualTimeSource time;
  private final PriorityQueue<Due> due = new PriorityQueue<>();
  private long sequence;

  SteppingClock(ManualTimeSource time) {
    this.time = time;
  }

  ManualTimeSource manual() {
    return time;
  }

  @Override
  public Instant now() {
    return time.now();
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Due entry;
    synchronized (this) {
      entry = new Due(time.now().plus(delay.isNegative() ? Duration.ZERO : delay), sequence++);
      due.add(entry);
    }
    Cancellable handle =
        time.schedule(
            delay,
            () -> {
              entry.done = true;
              task.run();
            });
    return () -> {
      entry.done = true;
      handle.cancel();
    };
  }

  /** When the earliest task that has neither run nor been cancelled is due. */
  synchronized Optional<Instant> nextDue() {
    while (!due.isEmpty() && due.peek().done) {
      due.poll();
    }
    return due.isEmpty() ? Optional.empty() : Optional.of(due.peek().at);
  }

  private static final class Due implements Comparable<Due> {
    final Instant at;
    final long sequence;
    volatile boolean done; // ran or cancelled

    Due(Instant at, long sequence) {
      this.at = at;
      this.sequence = sequence;
    }

    @Override
    public int compareTo(Due other) {
      int byTime = at.compareTo(other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
