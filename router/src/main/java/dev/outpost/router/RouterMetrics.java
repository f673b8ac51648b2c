package dev.outpost.router;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One node's metrics: a Prometheus registry (Micrometer) that the object host, the JVM and process
 * binders and the router's own meters record into, and the text {@code GET /_outpost/metrics}
 * serves. Every name, type and label is listed in router/README.md (<i>Metrics</i>).
 *
 * <p>The router's own meters: answers to objects' HTTP requests by status, client connections by
 * transport ({@code websocket}, {@code sse}, {@code polling}) with the messages and bytes they
 * deliver, closes by reason, forwarded requests and node link round trips by peer, and replication
 * lag (refreshed at each scrape from what the cluster reports). Labels are bounded: transports,
 * close reasons, peer node ids, replica groups; never object ids or names.
 *
 * <p><b>Threads.</b> Recording methods are thread-safe and never block (event loops and turn
 * threads call them). {@link #scrape} reads gauges, some of which ask Raft for its state: call it
 * off the event loop. One instance per node: nodes in one JVM each have their own.
 */
public final class RouterMetrics implements AutoCloseable {

  /** The transports a client connection uses, as the {@code transport} label spells them. */
  public enum Transport {
    WEBSOCKET,
    SSE,
    POLLING;

    /** The label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The transport a session's {@code X-Outpost-Transport} names ({@code poll} is polling). */
    public static Transport ofHeader(String value) {
      if (value == null) {
        return WEBSOCKET;
      }
      return switch (value) {
        case "sse" -> SSE;
        case "poll", "polling" -> POLLING;
        default -> WEBSOCKET;
      };
    }
  }

  /** Every value of the {@code reason} label of closes. */
  private static final List<String> CLOSE_REASONS =
      List.of(
          "slow_consumer",
          "rate_limited",
          "heartbeat_timeout",
          "overloaded",
          "too_big",
          "normal",
          "other");

  /** Why a client connection closed, as the {@code reason} label spells it, by close code. */
  static String closeReason(int code) {
    return switch (code) {
      case 4008 -> "slow_consumer";
      case 4029 -> "rate_limited";
      case 4010 -> "heartbeat_timeout";
      case 1013 -> "overloaded";
      case 1009 -> "too_big";
      case 1000, 1001, 1005, 1012 -> "normal";
      default -> "other";
    };
  }

  /** One replication row: a follower's lag in a group this node leads. */
  public record FollowerLag(String group, String follower, long entries) {}

  private final PrometheusMeterRegistry registry;
  private final List<AutoCloseable> binders;
  private final Map<Transport, TransportMeters> transports = new ConcurrentHashMap<>();
  private final Map<String, Counter> forwarded = new ConcurrentHashMap<>();
  private final Map<String, Timer> roundTrips = new ConcurrentHashMap<>();
  private final Map<String, Counter> closes = new ConcurrentHashMap<>();
  private final Map<Integer, Counter> responses = new ConcurrentHashMap<>();
  private final MultiGauge replicationLag;
  private final MultiGauge groupsLed;
  private volatile Supplier<List<FollowerLag>> replication = List::of;

  private record TransportMeters(
      AtomicLong open, Counter opened, Counter messagesIn, Counter bytesIn) {}

  private RouterMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmGcMetrics gc = new JvmGcMetrics();
    JvmHeapPressureMetrics pressure = new JvmHeapPressureMetrics();
    this.binders = List.of(gc, pressure);
    gc.bindTo(registry);
    pressure.bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    for (Transport t : Transport.values()) {
      transports.put(t, transportMeters(t));
      CLOSE_REASONS.forEach(reason -> closeCounter(t, reason));
    }
    for (String kind : List.of("request", "call", "upgrade")) {
      forwardedCounter(kind, true);
      forwardedCounter(kind, false);
    }
    this.replicationLag =
        MultiGauge.builder("outpost.replication.follower.lag.entries")
            .description(
                "Raft log entries a follower is behind the leader's applied index, for each"
                    + " group this node leads")
            .register(registry);
    this.groupsLed =
        MultiGauge.builder("outpost.replication.groups.led")
            .description("Replica groups this node leads (1 per group; absent without replication)")
            .register(registry);
  }

  /** A node's metrics, with the JVM and process binders bound. */
  public static RouterMetrics create() {
    return new RouterMetrics();
  }

  private TransportMeters transportMeters(Transport t) {
    Tags tags = Tags.of("transport", t.label());
    AtomicLong open = new AtomicLong();
    Gauge.builder("outpost.connections", open, AtomicLong::get)
        .description("Client connections open to objects on this node")
        .tags(tags)
        .register(registry);
    return new TransportMeters(
        open,
        Counter.builder("outpost.connections.opened")
            .description("Client connections accepted by objects on this node")
            .tags(tags)
            .register(registry),
        Counter.builder("outpost.messages.received")
            .description("Messages from clients delivered to objects")
            .tags(tags)
            .register(registry),
        Counter.builder("outpost.received")
            .baseUnit("bytes")
            .description("Payload bytes of messages from clients")
            .tags(tags)
            .register(registry));
  }

  /** The registry everything of this node records into. */
  public MeterRegistry registry() {
    return registry;
  }

  // ---- client connections

  /** An object accepted a client connection over {@code transport}. */
  public void connectionOpened(Transport transport) {
    TransportMeters m = transports.get(transport);
    m.open.incrementAndGet();
    m.opened.increment();
  }

  /** A connection accepted over {@code transport} closed with {@code code}. */
  public void connectionClosed(Transport transport, int code) {
    transports.get(transport).open.decrementAndGet();
    closeCounter(transport, closeReason(code)).increment();
  }

  private Counter closeCounter(Transport transport, String reason) {
    return closes.computeIfAbsent(
        transport.label() + "|" + reason,
        key ->
            Counter.builder("outpost.connection.closes")
                .description(
                    "Client connections closed, by reason (slow_consumer: 4008, rate_limited:"
                        + " 4029, heartbeat_timeout: 4010, overloaded: 1013, too_big: 1009,"
                        + " normal: 1000/1001/1005/1012)")
                .tags("transport", transport.label(), "reason", reason)
                .register(registry));
  }

  /** A client's message of {@code bytes} bytes reached an object. */
  public void received(Transport transport, long bytes) {
    TransportMeters m = transports.get(transport);
    m.messagesIn.increment();
    m.bytesIn.increment(bytes);
  }

  // ---- HTTP

  /**
   * The router answered an object's HTTP request (not an upgrade, event stream or the router's own
   * pages) with {@code status} (100-599; others count as 0).
   */
  public void httpResponse(int status) {
    int code = status >= 100 && status <= 599 ? status : 0;
    responses
        .computeIfAbsent(
            code,
            key ->
                Counter.builder("outpost.http.responses")
                    .description("Answers to HTTP requests for objects, by status code")
                    .tag("code", Integer.toString(key))
                    .register(registry))
        .increment();
  }

  // ---- node links

  /**
   * A request ({@code kind}: {@code request}, {@code call}, {@code upgrade}) left for its owner
   * {@code peer} over the node link at {@code startNanos} ({@link #monotonicNanos()}) and was
   * answered now (or failed: {@code ok} false).
   */
  public void forwarded(String kind, String peer, long startNanos, boolean ok) {
    forwardedCounter(kind, ok).increment();
    if (ok) {
      roundTrips
          .computeIfAbsent(
              peer,
              key ->
                  Timer.builder("outpost.link.round.trip")
                      .description(
                          "Forwarded exchanges over a node link, from sending to the owner's"
                              + " answer")
                      .tag("peer", peer)
                      .publishPercentileHistogram()
                      .minimumExpectedValue(Duration.ofNanos(100_000))
                      .maximumExpectedValue(Duration.ofSeconds(60))
                      .register(registry))
          .record(monotonicNanos() - startNanos, TimeUnit.NANOSECONDS);
    }
  }

  private Counter forwardedCounter(String kind, boolean ok) {
    return forwarded.computeIfAbsent(
        kind + "|" + ok,
        key ->
            Counter.builder("outpost.forwarded.requests")
                .description("Requests, calls and upgrades forwarded to their owner node")
                .tags("kind", kind, "outcome", ok ? "ok" : "failed")
                .register(registry));
  }

  /** The registry's monotonic clock, in nanoseconds. */
  public long monotonicNanos() {
    return registry.config().clock().monotonicTime();
  }

  // ---- replication

  /** Where {@link #scrape} reads the replication rows from (a replicated cluster node). */
  public void replication(Supplier<List<FollowerLag>> rows) {
    this.replication = rows;
  }

  // ---- exposition

  /**
   * The registry in Prometheus text format 0.0.4, or OpenMetrics 1.0 when {@code accept} asks for
   * it, with the content type to send ({@link #contentType}). Refreshes replication rows first.
   */
  public String scrape(String accept) {
    List<FollowerLag> rows = replication.get();
    replicationLag.register(
        rows.stream()
            .map(
                r ->
                    MultiGauge.Row.of(
                        Tags.of("group", r.group(), "follower", r.follower()), r.entries()))
            .toList(),
        true);
    groupsLed.register(
        rows.stream()
            .map(FollowerLag::group)
            .distinct()
            .map(g -> MultiGauge.Row.of(Tags.of("group", g), 1))
            .toList(),
        true);
    return registry.scrape(contentType(accept));
  }

  /** The content type of a scrape for {@code accept}: OpenMetrics if asked, else text 0.0.4. */
  public static String contentType(String accept) {
    return accept != null && accept.contains("application/openmetrics-text")
        ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
        : "text/plain; version=0.0.4; charset=utf-8";
  }

  /** Unbinds the JVM binders and closes the registry. */
  @Override
  public void close() {
    for (AutoCloseable binder : binders) {
      try {
        binder.close();
      } catch (Exception e) {
        System.getLogger(RouterMetrics.class.getName())
            .log(System.Logger.Level.DEBUG, "closing a metrics binder failed", e);
      }
    }
    registry.close();
  }
}
