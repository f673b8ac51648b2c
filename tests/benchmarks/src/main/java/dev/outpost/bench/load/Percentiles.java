package dev.outpost.bench.load;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

/**
 * Summary of a latency histogram, in microseconds.
 *
 * @param count samples
 * @param p50Us median
 * @param p99Us 99th percentile
 * @param p999Us 99.9th percentile
 * @param maxUs largest sample
 */
public record Percentiles(long count, double p50Us, double p99Us, double p999Us, double maxUs) {

  /** No samples. */
  public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);

  /** Summarises a histogram recorded in nanoseconds. */
  public static Percentiles of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      return NONE;
    }
    return new Percentiles(
        nanos.getTotalCount(),
        nanos.getValueAtPercentile(50) / 1000.0,
        nanos.getValueAtPercentile(99) / 1000.0,
        nanos.getValueAtPercentile(99.9) / 1000.0,
        nanos.getMaxValue() / 1000.0);
  }

  /** As JSON, values rounded to 0.1 µs. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("count", count)
        .put("p50_us", round(p50Us))
        .put("p99_us", round(p99Us))
        .put("p999_us", round(p999Us))
        .put("max_us", round(maxUs));
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
