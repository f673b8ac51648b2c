package dev.outpost.runtime.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The object host's meters, named by Prometheus conventions once a Prometheus registry renders them
 * ({@code outpost.turns} → {@code outpost_turns_total}, a timer in {@code _seconds}).
 *
 * <p><b>Labels.</b> Only bounded ones: {@code namespace} (a namespace some app serves; the catalog
 * never activates another), {@code outcome} ({@code ok}, {@code failed}) and {@code result} of a
 * reload ({@code activated}, {@code rejected}). Object ids and names are never labels.
 *
 * <p><b>Time.</b> Durations are measured with the registry's clock ({@link #monotonicNanos()}), so
 * a test gives a registry on a mock clock; the runtime's {@code TimeSource} stays the clock of
 * behaviour (timeouts, alarms), not of measurement.
 *
 * <p><b>Threads.</b> Every method is thread-safe and never blocks: turn threads, timer threads and
 * the scrape's thread call it concurrently. Per-namespace meters are created on first use and
 * cached.
 */
public final class RuntimeMetrics {

  /** Histogram buckets of turn durations and commit latencies: 100 µs to 30 s. */
  private static final Duration MIN_EXPECTED = Duration.ofNanos(100_000);

  private static final Duration MAX_EXPECTED = Duration.ofSeconds(30);

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Meters> byNamespace = new ConcurrentHashMap<>();
  private final Timer commitLatency;
  private final DistributionSummary commitEntries;
  private final DistributionSummary commitBytes;
  private final Counter commitFailures;
  private final Counter reloadsActivated;
  private final Counter reloadsRejected;

  /** One namespace's meters. */
  private record Meters(
      Counter turnsOk,
      Counter turnsFailed,
      Timer turnDuration,
      Counter overloaded,
      Counter activations,
      Counter evictions,
      Counter alarmsFired,
      Counter alarmsRetried,
      Counter alarmsAbandoned) {}

  private RuntimeMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.commitLatency =
        Timer.builder("outpost.storage.commit")
            .description("Storage commits of object batches (one per group commit), by duration")
            .publishPercentileHistogram()
            .minimumExpectedValue(MIN_EXPECTED)
            .maximumExpectedValue(MAX_EXPECTED)
            .register(registry);
    this.commitEntries =
        DistributionSummary.builder("outpost.storage.commit.batch.entries")
            .description("Writes and deletes per committed batch")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue(65_536.0)
            .register(registry);
    this.commitBytes =
        DistributionSummary.builder("outpost.storage.commit.batch")
            .baseUnit("bytes")
            .description("Key and value bytes per committed batch")
            .publishPercentileHistogram()
            .minimumExpectedValue(1.0)
            .maximumExpectedValue(64.0 * 1024 * 1024)
            .register(registry);
    this.commitFailures =
        Counter.builder("outpost.storage.commit.failures")
            .description("Commits refused or failed (the object was reset, its output dropped)")
            .register(registry);
    this.reloadsActivated = reloads("activated");
    this.reloadsRejected = reloads("rejected");
  }

  private Counter reloads(String result) {
    return Counter.builder("outpost.code.reloads")
        .description("Code versions made current on this node, or refused")
        .tag("result", result)
        .register(registry);
  }

  /** Meters recorded into {@code registry}. */
  public static RuntimeMetrics on(MeterRegistry registry) {
    return new RuntimeMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /** Meters that record nothing (a registry without backends): a host built without a registry. */
  public static RuntimeMetrics none() {
    return new RuntimeMetrics(new CompositeMeterRegistry());
  }

  /** The registry's monotonic clock, in nanoseconds: the start of a measured duration. */
  public long monotonicNanos() {
    return registry.config().clock().monotonicTime();
  }

  private Meters meters(String namespace) {
    return byNamespace.computeIfAbsent(namespace, this::create);
  }

  private Meters create(String ns) {
    return new Meters(
        turns(ns, "ok"),
        turns(ns, "failed"),
        Timer.builder("outpost.turn.duration")
            .description("Turns by wall-clock duration, from dequeue to the end of user code")
            .tag("namespace", ns)
            .publishPercentileHistogram()
            .minimumExpectedValue(MIN_EXPECTED)
            .maximumExpectedValue(MAX_EXPECTED)
            .register(registry),
        counter("outpost.overloaded", ns, "Events refused because the object's queue was full"),
        counter("outpost.activations", ns, "Object instances constructed"),
        counter("outpost.evictions", ns, "Activations evicted from memory"),
        counter("outpost.alarms.fired", ns, "Alarm handlers run"),
        counter("outpost.alarms.retried", ns, "Failed alarm handlers scheduled to run again"),
        counter("outpost.alarms.abandoned", ns, "Alarms dropped after their last retry failed"));
  }

  private Counter turns(String ns, String outcome) {
    return Counter.builder("outpost.turns")
        .description("Turns run (request, message, close, error, alarm, activation)")
        .tag("namespace", ns)
        .tag("outcome", outcome)
        .register(registry);
  }

  private Counter counter(String name, String ns, String description) {
    return Counter.builder(name).description(description).tag("namespace", ns).register(registry);
  }

  /** A turn of {@code namespace} ended after running since {@code startNanos}. */
  public void turnEnded(String namespace, long startNanos, boolean ok) {
    Meters m = meters(namespace);
    (ok ? m.turnsOk : m.turnsFailed).increment();
    m.turnDuration.record(monotonicNanos() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** An event for an object of {@code namespace} was refused: its queue was full. */
  public void overloaded(String namespace) {
    meters(namespace).overloaded.increment();
  }

  /** An instance of {@code namespace} was constructed (first event, after a reset or new code). */
  public void activated(String namespace) {
    meters(namespace).activations.increment();
  }

  /** An activation of {@code namespace} was evicted (idle, hand-over, not owner, or by a test). */
  public void evicted(String namespace) {
    meters(namespace).evictions.increment();
  }

  /** An alarm handler of {@code namespace} is about to run. */
  public void alarmFired(String namespace) {
    meters(namespace).alarmsFired.increment();
  }

  /** A failed alarm handler of {@code namespace} will run again. */
  public void alarmRetried(String namespace) {
    meters(namespace).alarmsRetried.increment();
  }

  /** A failed alarm of {@code namespace} was dropped after its last retry. */
  public void alarmAbandoned(String namespace) {
    meters(namespace).alarmsAbandoned.increment();
  }

  /**
   * A batch of {@code entries} writes and {@code bytes} bytes committed since {@code startNanos}.
   */
  public void committed(long startNanos, int entries, long bytes) {
    commitLatency.record(monotonicNanos() - startNanos, TimeUnit.NANOSECONDS);
    commitEntries.record(entries);
    commitBytes.record(bytes);
  }

  /** A commit was refused or failed. */
  public void commitFailed() {
    commitFailures.increment();
  }

  /** A code version was made current ({@code activated}) or refused ({@code rejected}). */
  public void reload(boolean activated) {
    (activated ? reloadsActivated : reloadsRejected).increment();
  }

  /** Registers a gauge read from {@code value} at each scrape. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).strongReference(true).register(registry);
  }
}
