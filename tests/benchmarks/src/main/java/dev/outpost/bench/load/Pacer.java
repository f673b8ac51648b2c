package dev.outpost.bench.load;

/**
 * Open-loop schedule: the intended send time of operation {@code i} is {@code start + i / rate}.
 * The generator asks it on every tick which operations are due and stamps each with its intended
 * time, so a stalled server or generator shows up as latency instead of as fewer samples (no
 * coordinated omission).
 *
 * <p>Not thread-safe: one pacer per event loop.
 */
public final class Pacer {

  /** Callback for one due operation. */
  @FunctionalInterface
  public interface Send {
    /** Sends one operation whose intended send time is {@code intendedNanos}. */
    void send(long intendedNanos);
  }

  private final long startNanos;
  private final long endNanos;
  private final double intervalNanos;
  private final int maxPerTick;
  private long issued;

  /**
   * @param startNanos {@code System.nanoTime()} of the first intended send
   * @param endNanos no operation is intended at or after this time
   * @param ratePerSecond operations per second, above zero
   * @param maxPerTick most operations issued per {@link #tick} call; a backlog carries over
   */
  public Pacer(long startNanos, long endNanos, double ratePerSecond, int maxPerTick) {
    if (ratePerSecond <= 0) {
      throw new IllegalArgumentException("rate must be above 0, was " + ratePerSecond);
    }
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.intervalNanos = 1e9 / ratePerSecond;
    this.maxPerTick = maxPerTick;
  }

  /**
   * Issues the operations due by {@code nowNanos}, at most {@code maxPerTick}, oldest first.
   *
   * @return how many were issued
   */
  public int tick(long nowNanos, Send send) {
    int sent = 0;
    while (sent < maxPerTick) {
      long intended = startNanos + (long) (issued * intervalNanos);
      if (intended > nowNanos || intended >= endNanos) {
        break;
      }
      issued++;
      sent++;
      send.send(intended);
    }
    return sent;
  }

  /** Whether every operation before the end time has been issued. */
  public boolean finished() {
    return startNanos + (long) (issued * intervalNanos) >= endNanos;
  }
}
