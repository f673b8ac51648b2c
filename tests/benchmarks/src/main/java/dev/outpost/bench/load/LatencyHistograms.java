package dev.outpost.bench.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latency samples in nanoseconds, written without atomics: each writing thread (an event loop of
 * the generator) records into its own {@link Histogram}, and {@link #merged()} adds them up once
 * the writers have stopped.
 *
 * <p>Concurrency: {@link #current()} may be called from any thread, and the histogram it returns
 * must only be used by that thread. {@link #merged()} reads every histogram without locking, so the
 * caller must first establish a happens-before edge with every writer, for example by running a
 * task on each writer's event loop and awaiting it (see {@code VertxBarrier}).
 */
public final class LatencyHistograms {

  /** Largest latency recorded; larger samples are clamped to it (and show as the max). */
  public static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(120);

  private final ConcurrentHashMap<Thread, Histogram> byThread = new ConcurrentHashMap<>();

  /** The calling thread's histogram; cache it in state owned by that thread. */
  public Histogram current() {
    return byThread.computeIfAbsent(Thread.currentThread(), t -> newHistogram());
  }

  /** Records {@code nanos} (clamped to 1 ns..{@link #HIGHEST_NANOS}) into {@code histogram}. */
  public static void record(Histogram histogram, long nanos) {
    histogram.recordValue(Math.max(1, Math.min(nanos, HIGHEST_NANOS)));
  }

  /** Every thread's samples added up; see the class comment for when this may be called. */
  public Histogram merged() {
    Histogram total = newHistogram();
    byThread.values().forEach(total::add);
    return total;
  }

  /** An empty histogram with the range and precision used throughout the benchmarks. */
  public static Histogram newHistogram() {
    return new Histogram(1, HIGHEST_NANOS, 3);
  }
}
