package dev.outpost.testkit;

import dev.outpost.api.DurableObject;
import dev.outpost.runtime.ManualTimeSource;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.spi.StorageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs durable object classes in the test's JVM, the way a node runs them but with no network,
 * in-memory storage and a manual clock: the harness to write an object's unit tests with.
 *
 * <pre>{@code
 * try (ObjectHarness harness = ObjectHarness.of("counter", Counter.class)) {
 *   ObjectUnderTest counter = harness.object("a");
 *   assertThat(counter.post("/", "").bodyText()).isEqualTo("1");
 *   counter.evict();                                    // the instance is gone, storage stays
 *   assertThat(counter.get("/").bodyText()).isEqualTo("1");
 *   assertThat(counter.stored("value", Long.class)).contains(1L);
 * }
 * }</pre>
 *
 * <p><b>What runs.</b> A real {@link ObjectHost}: one turn at a time per object on virtual threads,
 * the output gate, the storage cache, hibernatable sockets, alarms, idle eviction and the turn
 * watchdog, all as on a node. Storage is {@link StorageEngines#inMemory()}, so it lives as long as
 * the harness; evicting an object drops its instance, not its data. Requests go straight to the
 * host ({@link ObjectUnderTest#fetch}); sockets are {@link RecordingSocket}s, which record what the
 * object sends. Several namespaces may run side by side, and their objects may call each other.
 *
 * <p><b>Time.</b> The host's clock is a {@link ManualTimeSource} starting at {@link #DEFAULT_START}
 * (or {@link Builder#start}); it moves only in {@link #advance}. Everything the runtime times runs
 * on it: alarms fire when {@code advance} passes their time, objects idle for {@link
 * RuntimeOptions#idleTimeout()} are evicted, and turns longer than {@link
 * RuntimeOptions#turnTimeout()} of <em>manual</em> time are abandoned. An object that reads the
 * system clock itself ({@code Instant.now()}, a {@code Clock.systemUTC()}) does not see this time.
 *
 * <p><b>Threads.</b> Call the harness from the test's thread, one call at a time. The object's
 * turns run on their own threads, but every method returns only once every object has finished the
 * work it caused (the harness <em>settles</em>: no event queued or running, writes committed,
 * output released), so a test reads results without waiting or polling. Only {@link
 * ObjectUnderTest#fetchAsync} returns earlier. Settling gives up after {@link Builder#timeout} (10
 * s by default) with an {@link AssertionError}.
 */
public final class ObjectHarness implements AutoCloseable {

  /** Where the manual clock starts unless {@link Builder#start} says otherwise. */
  public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

  /**
   * How often {@link #advance} lets work scheduled for one instant run before calling it a loop.
   */
  private static final int MAX_STEPS_AT_ONE_INSTANT = 1_000;

  private final SteppingClock clock;
  private final StorageEngine engine;
  private final ObjectHost host;
  private final Duration timeout;
  private final Optional<String> soleNamespace; // set when the harness runs one namespace
  private boolean closed;

  private ObjectHarness(Builder b) {
    this.clock = new SteppingClock(new ManualTimeSource(b.start));
    this.engine = StorageEngines.inMemory();
    this.timeout = b.timeout;
    this.soleNamespace =
        b.classes.size() == 1
            ? Optional.of(b.classes.keySet().iterator().next())
            : Optional.empty();
    ObjectHost.Builder hostBuilder =
        ObjectHost.builder().options(b.options).time(clock).storage(engine);
    b.classes.forEach(hostBuilder::namespace);
    b.settings.forEach(hostBuilder::setting);
    try {
      this.host = hostBuilder.build();
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /** A harness running {@code type} as namespace {@code namespace}, with default options. */
  public static ObjectHarness of(String namespace, Class<? extends DurableObject> type) {
    return builder().namespace(namespace, type).build();
  }

  /** Starts configuring a harness: namespaces, options, settings, start time. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Object {@code name} of the harness's only namespace.
   *
   * @throws IllegalStateException if the harness runs several namespaces; name one
   */
  public ObjectUnderTest object(String name) {
    return object(
        soleNamespace.orElseThrow(
            () ->
                new IllegalStateException(
                    "this harness runs namespaces "
                        + host.namespaceNames()
                        + "; use object(namespace, name)")),
        name);
  }

  /**
   * Object {@code name} of {@code namespace} (the id {@code idFromName(name)} gives). Nothing is
   * activated until the first event reaches it.
   *
   * @throws IllegalArgumentException if the harness does not run {@code namespace}
   */
  public ObjectUnderTest object(String namespace, String name) {
    Objects.requireNonNull(name, "name");
    var ns =
        host.namespace(Objects.requireNonNull(namespace, "namespace"))
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "unknown namespace '"
                            + namespace
                            + "'; this harness runs "
                            + host.namespaceNames()));
    return new ObjectUnderTest(this, new ObjectAddress(namespace, ns.idFromName(name)), name);
  }

  /** The manual clock's current time. */
  public Instant now() {
    return clock.now();
  }

  /**
   * Moves the clock forward by {@code amount}, one due instant at a time: at each instant where
   * something is scheduled (an alarm, an idle check, a retry), the clock stops there, the due tasks
   * run, and the objects settle before time moves on, so an alarm handler that sets the next alarm
   * within {@code amount} sees it fire too. Returns settled, with {@link #now()} advanced by
   * exactly {@code amount}.
   *
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public void advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("time cannot go back: " + amount);
    }
    Instant target = clock.now().plus(amount);
    settle();
    int stepsAtOneInstant = 0;
    Instant previous = null;
    while (true) {
      Optional<Instant> next = clock.nextDue().filter(at -> !at.isAfter(target));
      if (next.isEmpty()) {
        break;
      }
      stepsAtOneInstant = next.get().equals(previous) ? stepsAtOneInstant + 1 : 0;
      previous = next.get();
      if (stepsAtOneInstant > MAX_STEPS_AT_ONE_INSTANT) {
        throw new AssertionError(
            "time cannot move past "
                + previous
                + ": the objects scheduled work for that same instant "
                + MAX_STEPS_AT_ONE_INSTANT
                + " times in a row (an alarm handler that sets its alarm to now, or to a time"
                + " computed from a clock other than the harness's?)");
      }
      Instant now = clock.now();
      clock
          .manual()
          .advance(next.get().isAfter(now) ? Duration.between(now, next.get()) : Duration.ZERO);
      settle();
    }
    clock.manual().advance(Duration.between(clock.now(), target));
    settle();
  }

  /**
   * Waits until no object has an event queued or running: every turn started so far has ended, its
   * writes are committed and its responses and socket messages have been delivered. The other
   * methods call it; a test needs it only after {@link ObjectUnderTest#fetchAsync}.
   *
   * @throws AssertionError if objects are still busy after the harness's timeout
   */
  public void settle() {
    try {
      host.awaitQuiescentForTest(timeout);
    } catch (IllegalStateException e) {
      throw new AssertionError(
          "objects did not settle within " + timeout + " (a turn blocked, or events keep coming)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for objects to settle", e);
    }
  }

  /** How many objects are live in memory (not evicted). */
  public int activeObjects() {
    settle();
    return host.activeObjects();
  }

  /** How many sockets are open, across every object. */
  public int openSockets() {
    return host.openSockets();
  }

  /**
   * The host itself, for what the harness does not cover (it is the runtime's public API; prefer
   * the harness's methods, which settle).
   */
  public ObjectHost host() {
    return host;
  }

  Duration timeout() {
    return timeout;
  }

  /** Stops the host's timers and turn threads and drops the in-memory storage. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      host.close();
    } finally {
      engine.close();
    }
  }

  /** Configures an {@link ObjectHarness}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private RuntimeOptions options = RuntimeOptions.defaults();
    private Instant start = DEFAULT_START;
    private Duration timeout = Duration.ofSeconds(10);

    private Builder() {}

    /** Runs {@code type} as namespace {@code namespace}; at least one is required. */
    public Builder namespace(String namespace, Class<? extends DurableObject> type) {
      classes.put(
          Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(type, "type"));
      return this;
    }

    /**
     * The runtime's options (idle timeout, limits, ...); defaults to {@link
     * RuntimeOptions#defaults()}.
     */
    public Builder options(RuntimeOptions value) {
      this.options = Objects.requireNonNull(value, "options");
      return this;
    }

    /** A setting the objects read with {@code Env.setting(name)}. */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Where the manual clock starts; defaults to {@link #DEFAULT_START}. */
    public Builder start(Instant value) {
      this.start = Objects.requireNonNull(value, "start");
      return this;
    }

    /**
     * How long a call waits for the objects to settle or a response to arrive, in real time, before
     * failing the test; defaults to 10 s. A safety net, never a delay.
     */
    public Builder timeout(Duration value) {
      if (!Objects.requireNonNull(value, "timeout").isPositive()) {
        throw new IllegalArgumentException("timeout must be positive: " + value);
      }
      this.timeout = value;
      return this;
    }

    /**
     * Builds the harness; its objects activate on their first event.
     *
     * @throws IllegalStateException if no namespace was given
     */
    public ObjectHarness build() {
      if (classes.isEmpty()) {
        throw new IllegalStateException("no object class: call namespace(name, class) first");
      }
      return new ObjectHarness(this);
    }
  }
}
