package dev.outpost.bench.load;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one run measured: the headline throughput, the latency percentiles, the error count and
 * workload-specific figures. Printed as one line, and written into the run's JSON file.
 *
 * @param workload {@code chat}, {@code counter}, {@code idle} or {@code activate}
 * @param target the server measured: {@code outpost} or {@code baseline}
 * @param scenario the shape of the load, for example {@code 1x50 closed w=1}
 * @param seconds length of the measurement window
 * @param throughput the headline rate, in {@code unit}
 * @param unit what {@code throughput} counts, for example {@code delivered/s}
 * @param latency latency of the measured operations
 * @param errors failed operations, refused connections, protocol violations, lost messages
 * @param extra further figures (numbers or strings), in insertion order
 */
public record RunResult(
    String workload,
    String target,
    String scenario,
    double seconds,
    double throughput,
    String unit,
    Percentiles latency,
    long errors,
    Map<String, Object> extra) {

  /** Copies {@code extra}, keeping its order. */
  public RunResult {
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(unit, "unit");
    Objects.requireNonNull(latency, "latency");
    extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** This result under another target name, with {@code more} figures after its own. */
  public RunResult relabelled(String newTarget, Map<String, Object> more) {
    Map<String, Object> all = new LinkedHashMap<>(extra);
    all.putAll(more);
    return new RunResult(
        workload, newTarget, scenario, seconds, throughput, unit, latency, errors, all);
  }

  /** A number from {@link #extra}, or {@code fallback} if it is missing. */
  public double extraNumber(String key, double fallback) {
    return extra.get(key) instanceof Number n ? n.doubleValue() : fallback;
  }

  /** The one-line summary printed after each run. */
  public String toLine() {
    StringBuilder line =
        new StringBuilder()
            .append(workload)
            .append(' ')
            .append(target)
            .append(" [")
            .append(scenario)
            .append("] ")
            .append(unit)
            .append('=')
            .append(format(throughput))
            .append(" p50=")
            .append(format(latency.p50Us()))
            .append("us p99=")
            .append(format(latency.p99Us()))
            .append("us p99.9=")
            .append(format(latency.p999Us()))
            .append("us errors=")
            .append(errors);
    extra.forEach(
        (key, value) ->
            line.append(' ')
                .append(key)
                .append('=')
                .append(value instanceof Number n ? format(n.doubleValue()) : value));
    return line.toString();
  }

  /** As JSON. */
  public JsonObject toJson() {
    JsonObject extras = new JsonObject();
    extra.forEach(extras::put);
    return new JsonObject()
        .put("workload", workload)
        .put("target", target)
        .put("scenario", scenario)
        .put("seconds", seconds)
        .put("throughput", Math.round(throughput * 10) / 10.0)
        .put("unit", unit)
        .put("latency", latency.toJson())
        .put("errors", errors)
        .put("extra", extras);
  }

  /** Thousands separators; two decimals below 10, none from 100 on. */
  public static String format(double value) {
    double abs = Math.abs(value);
    if (abs >= 100 || value == Math.rint(value)) {
      return String.format(Locale.ROOT, "%,d", Math.round(value));
    }
    return String.format(Locale.ROOT, abs >= 10 ? "%.1f" : "%.2f", value);
  }
}
