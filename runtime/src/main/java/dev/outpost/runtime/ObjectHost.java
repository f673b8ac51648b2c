package dev.outpost.runtime;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.internal.activation.NodeServices;
import dev.outpost.runtime.internal.activation.ObjectCatalog;
import dev.outpost.runtime.internal.alarm.AlarmScheduler;
import dev.outpost.runtime.internal.bundle.BundleLoader;
import dev.outpost.runtime.internal.bundle.BundleRegistry;
import dev.outpost.runtime.internal.bundle.CodeBundle;
import dev.outpost.runtime.internal.bundle.ObjectIds;
import dev.outpost.runtime.internal.bundle.StubCalls;
import dev.outpost.runtime.internal.hibernation.HibernationManager;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.spi.ClientConnection;
import dev.outpost.runtime.spi.StorageEngine;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * One node's object host: the catalog of live objects, their storage, sockets and alarms, behind
 * the {@link ObjectInbox}. Build with {@link #builder()}; {@link #close()} stops timers and turn
 * threads but leaves the storage engine to its owner.
 */
public final class ObjectHost implements ObjectInbox, ObjectMigrations, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ObjectHost.class.getName());

  private final RuntimeOptions options;
  private final TimeSource time;
  private final StorageEngine engine;
  private final BundleRegistry bundles;
  private final Map<String, byte[]> bootJars; // app -> jar bytes of the bundles given at start
  private final ObjectIds ids;
  private final ObjectCatalog catalog;
  private final HibernationManager hibernation;
  private final AlarmScheduler alarms;
  private final dev.outpost.runtime.internal.activation.OperatorActions operators;
  private final ExecutorService turnExecutor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("turn-", 0).factory());
  private final dev.outpost.runtime.internal.metrics.RuntimeMetrics metrics;
  private volatile boolean closed;

  private ObjectHost(Builder b) {
    this.options = b.options;
    this.time = b.time;
    this.engine = b.engine;
    this.hibernation = new HibernationManager(time);
    this.metrics =
        b.meterRegistry
            .map(dev.outpost.runtime.internal.metrics.RuntimeMetrics::on)
            .orElseGet(dev.outpost.runtime.internal.metrics.RuntimeMetrics::none);
    this.ids = new ObjectIds(options.idKey());
    // Timers and stubs deliver into the catalog, which needs them first: they reach it through
    // this host. Neither can deliver before the catalog exists: stubs run only in turns, and no
    // timer is armed before alarms.start below.
    this.alarms = new AlarmScheduler(time, this::deliverAlarm);
    this.bundles =
        new BundleRegistry(
            ids,
            new StubCalls() {
              @Override
              public Response call(ObjectAddress target, Request request) {
                return catalog.call(target, request);
              }

              @Override
              public int maxRpcSize() {
                return options.maxRpcSize();
              }
            },
            b.bundles);
    this.bootJars = Map.copyOf(b.bootJars);
    Optional<ObjectCaller> caller =
        b.callerFactory.map(
            factory -> Objects.requireNonNull(factory.apply(this), "caller factory returned null"));
    this.catalog =
        new ObjectCatalog(
            new NodeServices(
                options,
                time,
                engine,
                turnExecutor,
                hibernation,
                alarms,
                bundles,
                b.guard,
                metrics),
            caller);
    // Subscribe before arming what the engine holds, so an alarm handed over in between is armed
    // too (arming one twice only replaces its timer).
    b.guard.onAlarmsAcquired(
        acquired -> acquired.forEach(alarm -> alarms.committed(alarm.object(), alarm.time())));
    alarms.start(engine);
    this.operators =
        new dev.outpost.runtime.internal.activation.OperatorActions(
            catalog, hibernation, engine, alarms);
    metrics.gauge("outpost.objects.active", "Objects live in memory", catalog::size);
    metrics.gauge(
        "outpost.object.queue.events", "Events queued across live objects", catalog::queuedEvents);
    metrics.gauge(
        "outpost.object.queue.max.events",
        "Events queued at the fullest live object (the limit is outpost.object.max-queued-events)",
        catalog::maxQueuedEvents);
    metrics.gauge(
        "outpost.sockets.open", "Hibernatable sockets held for objects", hibernation::totalCount);
    scheduleWatchdog();
  }

  private boolean deliverAlarm(ObjectAddress object, java.time.Instant scheduled, int retryCount) {
    return catalog.alarm(object, scheduled, retryCount);
  }

  /** Starts a builder. */
  public static Builder builder() {
    return new Builder();
  }

  private void scheduleWatchdog() {
    time.schedule(
        options.watchdogInterval(),
        () -> {
          if (!closed) {
            catalog.checkStuckTurns(time.now());
            scheduleWatchdog();
          }
        });
  }

  @Override
  public Optional<DurableObjectNamespace> namespace(String name) {
    return bundles.forNamespace(name).map(v -> v.namespaces().get(name));
  }

  @Override
  public Set<String> namespaceNames() {
    return bundles.namespaceNames();
  }

  @Override
  public java.util.SortedMap<String, String> parties() {
    return bundles.parties();
  }

  @Override
  public ConnectGuards guards(String namespace) {
    return bundles.forNamespace(namespace).map(v -> v.guards(namespace)).orElse(ConnectGuards.NONE);
  }

  @Override
  public java.util.List<ServedApp> apps() {
    return bundles.apps().values().stream()
        .map(
            v ->
                new ServedApp(
                    v.app(), v.bundle().version(), java.util.List.copyOf(v.bundle().namespaces())))
        .toList();
  }

  /** The version label {@code app} runs at, if this node runs it. */
  public Optional<String> appVersion(String app) {
    return Optional.ofNullable(bundles.apps().get(app)).map(v -> v.bundle().version());
  }

  /**
   * The jar bytes of the bundles this host was built with from files ({@code Builder.bundle}), by
   * app: what the cluster stores as each app's boot version, so that a rollback can return to it.
   */
  Map<String, byte[]> bootJars() {
    return bootJars;
  }

  // ---- code versions

  /** How long a constructor may run in a bundle check. */
  private static final java.time.Duration CHECK_TIMEOUT = java.time.Duration.ofSeconds(10);

  /**
   * Loads the bundle at {@code path} as version {@code version} in its own class loader and checks
   * it: every namespace's class must load and construct (in a sandbox with empty in-memory
   * storage). Nothing changes on this node. Blocks.
   *
   * @throws BundleRejectedException naming each class, exception and message that failed
   */
  public PreparedBundle prepare(Path path, String version) {
    CodeBundle candidate;
    try {
      candidate = BundleLoader.load(path, version);
    } catch (dev.outpost.runtime.internal.bundle.BundleException e) {
      metrics.reload(false);
      throw new BundleRejectedException(
          String.valueOf(path), java.util.List.of(e.getMessage() + causeOf(e.getCause())));
    }
    java.util.List<String> problems = new java.util.ArrayList<>(bundles.conflicts(candidate));
    try {
      if (problems.isEmpty()) {
        problems.addAll(check(candidate));
      }
      if (problems.isEmpty()) {
        return new PreparedBundle(bundles.prepare(candidate));
      }
    } catch (dev.outpost.runtime.internal.bundle.BundleException e) {
      problems.add(e.getMessage() + causeOf(e.getCause())); // a guard's constructor threw
    } catch (IllegalArgumentException e) {
      // The sandbox host of check() reports a guard's constructor failing this way.
      if (!(e.getCause() instanceof dev.outpost.runtime.internal.bundle.BundleException b)) {
        candidate.close();
        throw e;
      }
      problems.add(b.getMessage() + causeOf(b.getCause()));
    }
    metrics.reload(false);
    candidate.close();
    throw new BundleRejectedException(candidate.name() + " " + candidate.version(), problems);
  }

  private static String causeOf(Throwable cause) {
    return cause == null ? "" : " (" + cause.getClass().getName() + ": " + cause.getMessage() + ")";
  }

  private java.util.List<String> check(CodeBundle candidate) {
    ManualTimeSource sandboxTime = new ManualTimeSource(java.time.Instant.EPOCH);
    try (StorageEngine scratch = StorageEngines.inMemory();
        ObjectHost sandbox =
            new Builder()
                .options(options)
                .time(sandboxTime)
                .storage(scratch)
                .bundle(candidate)
                .build()) {
      return dev.outpost.runtime.internal.bundle.BundleCheck.constructEach(
          candidate, ids, sandbox.catalog::activate, CHECK_TIMEOUT);
    }
  }

  /**
   * Makes a prepared bundle its app's current code (adding the app if new; other apps are
   * untouched): each live object of its namespaces switches at its next turn boundary (a turn in
   * progress finishes on the old code), hibernated sockets stay open, and the next event of every
   * such object runs the new class.
   *
   * @throws BundleRejectedException if another app took one of its namespaces or parties since it
   *     was prepared (nothing changes)
   */
  public void activate(PreparedBundle prepared) {
    try {
      bundles.activate(prepared.internal());
    } catch (dev.outpost.runtime.internal.bundle.BundleException e) {
      metrics.reload(false);
      throw new BundleRejectedException(
          prepared.name() + " " + prepared.version(), java.util.List.of(e.getMessage()));
    }
    metrics.reload(true);
    dev.outpost.runtime.internal.storage.ValueCodec.forgetClasses();
    LOG.log(
        Level.INFO, "code version " + prepared.name() + " " + prepared.version() + " is current");
  }

  /**
   * Stops serving {@code app}: its namespaces are refused from now on (404 naming what is served),
   * the client sockets its objects hold are closed with 1001 ("app APP was undeployed"), and each
   * of its live objects fails its next turn (an alarm, say); other apps are untouched. Stored data
   * stays.
   *
   * @return whether this node ran the app
   */
  public boolean undeploy(String app) {
    Objects.requireNonNull(app, "app");
    Set<String> namespaces =
        Optional.ofNullable(bundles.apps().get(app))
            .map(v -> v.bundle().namespaces())
            .orElse(Set.of());
    boolean removed = bundles.remove(app);
    if (removed) {
      for (ObjectAddress owner : hibernation.owners()) {
        if (namespaces.contains(owner.namespace())) {
          closeSockets(owner, 1001, "app " + app + " was undeployed");
        }
      }
      dev.outpost.runtime.internal.storage.ValueCodec.forgetClasses();
      LOG.log(Level.INFO, "app " + app + " is no longer served");
    }
    return removed;
  }

  /** Every app and its version, as {@code samples=1-3fa2b1c9d0,greeter=2-09c1d2e3f4}. */
  @Override
  public String codeVersion() {
    StringBuilder all = new StringBuilder();
    bundles
        .apps()
        .forEach(
            (app, v) ->
                all.append(all.isEmpty() ? "" : ",")
                    .append(app)
                    .append('=')
                    .append(v.bundle().version()));
    return all.toString();
  }

  @Override
  public CompletableFuture<Response> fetch(ObjectAddress address, Request request) {
    return catalog.fetch(checked(address), request, null, java.util.List.of());
  }

  @Override
  public CompletableFuture<Response> call(
      ObjectAddress address, Request request, java.util.List<ObjectAddress> chain) {
    return catalog.fetch(checked(address), request, null, chain);
  }

  @Override
  public CompletableFuture<Response> upgrade(
      ObjectAddress address, Request request, ClientConnection connection) {
    Objects.requireNonNull(connection, "connection");
    return catalog.fetch(checked(address), request, connection, java.util.List.of());
  }

  private ObjectAddress checked(ObjectAddress address) {
    if (bundles.forNamespace(address.namespace()).isEmpty()) {
      throw new IllegalArgumentException(
          "unknown namespace '" + address.namespace() + "'; this node serves " + namespaceNames());
    }
    return address;
  }

  @Override
  public void socketMessage(ClientConnection connection, WebSocketMessage message) {
    Optional<SocketRecord> found = hibernation.find(connection);
    if (found.isEmpty()) {
      return; // closed meanwhile, or never accepted
    }
    SocketRecord record = found.get();
    if (hibernation.tryAutoRespond(record, message)) {
      return;
    }
    if (!catalog.socketMessage(record, message)) {
      LOG.log(Level.WARNING, record.owner() + " is overloaded; closing a socket with 1013");
      if (hibernation.closeByClient(record)) {
        connection.close(1013, "object overloaded; reconnect later");
        catalog.socketClose(record, 1013, "object overloaded", false);
      }
    }
  }

  @Override
  public void socketClosed(ClientConnection connection, int code, String reason, boolean wasClean) {
    hibernation
        .find(connection)
        .filter(hibernation::closeByClient)
        .ifPresent(record -> catalog.socketClose(record, code, reason, wasClean));
  }

  @Override
  public void socketError(ClientConnection connection, Throwable error) {
    hibernation.find(connection).ifPresent(record -> catalog.socketError(record, error));
  }

  // ---- ObjectMigrations

  @Override
  public CompletableFuture<Void> seal(ObjectAddress address) {
    return catalog.seal(address);
  }

  @Override
  public void unseal(ObjectAddress address) {
    catalog.unseal(address);
  }

  @Override
  public void closeSockets(ObjectAddress address, int code, String reason) {
    for (SocketRecord record : hibernation.sockets(address, null)) {
      hibernation.closeByObject(record, code, reason);
    }
  }

  @Override
  public ObjectSnapshot snapshot(ObjectAddress address) {
    java.util.List<ObjectSnapshot.Entry> entries = new java.util.ArrayList<>();
    engine.scan(
        address,
        null,
        null,
        false,
        (key, value) -> {
          entries.add(new ObjectSnapshot.Entry(key, value));
          return true;
        });
    return new ObjectSnapshot(
        entries, engine.alarm(address).map(dev.outpost.runtime.spi.StoredAlarm::time));
  }

  @Override
  public void install(ObjectAddress address, long epoch, ObjectSnapshot snapshot) {
    catalog.evictForTest(address);
    dev.outpost.runtime.spi.WriteBatch batch =
        new dev.outpost.runtime.spi.WriteBatch(epoch).clearAll();
    for (ObjectSnapshot.Entry e : snapshot.entries()) {
      batch.put(e.key(), e.value());
    }
    snapshot.alarm().ifPresent(batch::alarm);
    engine.commit(address, batch);
    alarms.committed(address, snapshot.alarm().orElse(null));
  }

  @Override
  public void fenceMovedOut(ObjectAddress address, long epoch) {
    engine.commit(address, new dev.outpost.runtime.spi.WriteBatch(epoch).clearAll());
    alarms.committed(address, null);
    catalog.unseal(address);
  }

  // ---- operators (done by OperatorActions)

  /**
   * What this node holds for the object: whether it is live, its open sockets, its committed keys
   * and their size, its alarm and epoch. Reads the whole of the object's committed data (a scan of
   * its key range): blocks, never call it on an event loop. Any thread.
   */
  public ObjectDetails details(ObjectAddress address) {
    return operators.details(address);
  }

  /**
   * Deactivates the object: stops taking its events, lets its queued and running turns finish and
   * commit, drops its instance, closes its client sockets with 1012 ({@code reason}; clients
   * reconnect and wake a fresh instance), then takes events again. Its storage and alarm stay.
   * Events that arrive meanwhile fail with {@link NotOwnerException} (routers retry them). Blocks
   * up to {@code timeout}; any thread but a turn's.
   *
   * @return whether an instance was live
   * @throws IllegalStateException if its turns did not finish within {@code timeout} (nothing is
   *     dropped: the instance finishes those turns, then goes; events that arrive until then fail
   *     with {@link NotOwnerException})
   */
  public boolean evict(ObjectAddress address, java.time.Duration timeout, String reason) {
    return operators.evict(address, timeout, reason);
  }

  /**
   * Deletes the object's data on this node: as {@link #evict} (turns finish and commit first, the
   * instance goes, sockets close with 1012 and {@code reason}), then removes every committed key
   * and its alarm in one batch at {@code epoch}, the epoch this node owns it at. The next event
   * wakes a new instance with empty storage. Blocks up to {@code timeout} plus the commit; any
   * thread but a turn's.
   *
   * @return what it held before: its keys and bytes
   * @throws IllegalStateException if its turns did not finish within {@code timeout} (nothing is
   *     deleted: the instance finishes those turns, then goes; events that arrive until then fail
   *     with {@link NotOwnerException})
   * @throws dev.outpost.runtime.spi.StaleEpochException if another owner committed at a higher
   *     epoch (nothing is deleted)
   */
  public ObjectDetails delete(
      ObjectAddress address, long epoch, java.time.Duration timeout, String reason) {
    return operators.delete(address, epoch, timeout, reason);
  }

  /** Evicts the object from memory now if it is idle (its sockets stay open). */
  public boolean evictForTest(ObjectAddress address) {
    return catalog.evictForTest(address);
  }

  /**
   * Waits until no live object has an event queued or running (then their idle timers are armed),
   * so a test can move a manual clock deterministically.
   *
   * @throws IllegalStateException if that takes longer than {@code timeout}
   */
  public void awaitQuiescentForTest(java.time.Duration timeout) throws InterruptedException {
    if (!catalog.awaitQuiescent(timeout)) {
      throw new IllegalStateException("objects still busy after " + timeout);
    }
  }

  /** Whether the object is live in memory. */
  public boolean isActiveForTest(ObjectAddress address) {
    return catalog.isActive(address);
  }

  /** How many objects are live in memory. */
  public int activeObjects() {
    return catalog.size();
  }

  /** How many hibernatable sockets are open. */
  public int openSockets() {
    return hibernation.totalCount();
  }

  /** The options this host runs with. */
  public RuntimeOptions options() {
    return options;
  }

  /** Every app's name and version, for logs: {@code samples 1-3fa2b1c9d0, greeter 2-09c1d2e3f4}. */
  public String bundleDescription() {
    return String.join(", ", apps().stream().map(app -> app.name() + " " + app.version()).toList());
  }

  @Override
  public void close() {
    closed = true;
    turnExecutor.shutdownNow();
  }

  /** Builds an {@link ObjectHost}. */
  public static final class Builder {
    private RuntimeOptions options = RuntimeOptions.defaults();
    private TimeSource time;
    private StorageEngine engine;
    private final java.util.List<CodeBundle> bundles = new java.util.ArrayList<>();
    private final Map<String, byte[]> bootJars = new LinkedHashMap<>();
    private OwnershipGuard guard = OwnershipGuard.SOLE;
    private Optional<Function<ObjectInbox, ObjectCaller>> callerFactory = Optional.empty();
    private Optional<io.micrometer.core.instrument.MeterRegistry> meterRegistry = Optional.empty();
    private final Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> guardSpecs = new LinkedHashMap<>();

    private Builder() {}

    /** The options; defaults to {@link RuntimeOptions#defaults()}. */
    public Builder options(RuntimeOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** The time source; required. */
    public Builder time(TimeSource time) {
      this.time = Objects.requireNonNull(time, "time");
      return this;
    }

    /** The node's storage engine; required. */
    public Builder storage(StorageEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** Who owns what; defaults to {@link OwnershipGuard#SOLE} (a node alone). */
    public Builder guard(OwnershipGuard guard) {
      this.guard = Objects.requireNonNull(guard, "guard");
      return this;
    }

    /**
     * Routes the object-to-object calls (stub {@code fetch}es) of this node's objects to wherever
     * the target lives, as a cluster's router does. {@link #build()} calls {@code factory} exactly
     * once, on the building thread, with the host being built as the local inbox, and stubs call
     * the {@link ObjectCaller} it returns from then on. The host is not yet ready at that point:
     * the factory must only keep the reference (to deliver calls whose target is this node) and
     * must not call it. It must not return null.
     *
     * <p>Without this option every call is delivered to this node's own objects.
     */
    public Builder caller(Function<ObjectInbox, ObjectCaller> factory) {
      this.callerFactory = Optional.of(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Records the host's meters into {@code registry}: turns (count and duration by namespace),
     * queued events and overloads, activations and evictions, storage commits (latency, batch
     * entries and bytes), alarms (fired, retried, abandoned), code reloads, live objects and open
     * sockets; names and labels in router/README.md (<i>Metrics</i>). Durations use the registry's
     * clock. Without this option nothing is recorded. The host never closes the registry.
     */
    public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
      this.meterRegistry = Optional.of(Objects.requireNonNull(registry, "registry"));
      return this;
    }

    private Builder bundle(CodeBundle loaded) {
      this.bundles.add(loaded);
      return this;
    }

    /**
     * Adds the code bundle (jar or classes directory) at {@code path} as one app ({@code
     * bundle.name}); several run side by side. Its version label is its {@code bundle.version} plus
     * a hash of its bytes, as a deployed jar's. Blocks (reads the bundle).
     *
     * @throws IllegalArgumentException if the bundle does not load (says why), or another bundle
     *     given is the same app
     */
    public Builder bundle(Path path) {
      byte[] jar = dev.outpost.runtime.internal.bundle.BundleJars.read(path);
      CodeBundle loaded;
      try {
        loaded = BundleLoader.load(path, dev.outpost.runtime.internal.bundle.BundleJars.label(jar));
      } catch (dev.outpost.runtime.internal.bundle.BundleException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      if (bootJars.containsKey(loaded.name())) {
        loaded.close();
        throw new IllegalArgumentException(
            "two bundles are both app '"
                + loaded.name()
                + "' (bundle.name), the second "
                + path
                + "; give each its own bundle.name");
      }
      bootJars.put(loaded.name(), jar);
      this.bundles.add(loaded);
      return this;
    }

    /** Registers a class already on the class path (embedded use and tests). */
    public Builder namespace(String name, Class<? extends DurableObject> type) {
      if (!ObjectAddress.isValidNamespace(name)) {
        throw new IllegalArgumentException("invalid namespace name '" + name + "'");
      }
      classes.put(name, type);
      return this;
    }

    /** A setting for classes registered with {@link #namespace} ({@code Env.setting}). */
    public Builder setting(String name, String value) {
      settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Guards for classes registered with {@link #namespace}, as a manifest's guard entries: {@code
     * namespace} {@code "*"} for every namespace (the manifest's {@code guard=}), else one
     * namespace ({@code namespace.NAME.guard=}); {@code spec} a comma-separated list of {@code jwt}
     * and class names on the caller's class path (see {@link dev.outpost.api.ConnectGuard}).
     * Checked and constructed by {@link #build()}.
     */
    public Builder connectGuards(String namespace, String spec) {
      guardSpecs.put(Objects.requireNonNull(namespace, "namespace"), Objects.requireNonNull(spec));
      return this;
    }

    /** Builds and starts the host: alarms stored in the engine are armed. */
    public ObjectHost build() {
      Objects.requireNonNull(time, "time source is required");
      Objects.requireNonNull(engine, "storage engine is required");
      if (bundles.isEmpty()) {
        if (classes.isEmpty()) {
          throw new IllegalStateException("no code: give bundle(path) or namespace(name, class)");
        }
        bundles.add(CodeBundle.of("embedded", classes, settings, guardSpecs));
      } else if (!classes.isEmpty() || !guardSpecs.isEmpty()) {
        throw new IllegalStateException(
            "give either bundles or classes (with their guards), not both; a bundle's guards are in"
                + " its manifest");
      }
      try {
        return new ObjectHost(this);
      } catch (dev.outpost.runtime.internal.bundle.BundleException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
  }

  // ---- test support for harnesses outside the runtime (testkit)

  /**
   * Delivers the object's stored alarm now, whatever the clock says, as if it were due; the handler
   * runs as one turn on the object's thread, later. Returns false if the object has no alarm, or if
   * its queue is full or it is moving (then nothing is delivered). Once the handler's turn commits,
   * the alarm is deleted and its timer cancelled, unless the handler set a new one.
   */
  public boolean runAlarmForTest(ObjectAddress address) {
    Optional<dev.outpost.runtime.spi.StoredAlarm> alarm = engine.alarm(address);
    return alarm.isPresent() && catalog.alarm(address, alarm.get().time(), 0);
  }

  /** The keys the object has committed, in the order {@code storage().list()} returns them. */
  public java.util.List<String> storedKeysForTest(ObjectAddress address) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    engine.scan(
        address,
        null,
        null,
        false,
        (key, value) -> {
          keys.add(dev.outpost.runtime.internal.storage.KeyOrder.key(key));
          return true;
        });
    return keys;
  }

  /**
   * The object's committed value of {@code key}, read as its code would read it with {@code
   * storage().get(key, type)}; empty if absent. Writes of a turn still in progress are not seen.
   *
   * @throws IllegalArgumentException if the stored value cannot be read as {@code type}
   */
  public <T> Optional<T> storedValueForTest(ObjectAddress address, String key, Class<T> type) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    return engine
        .get(address, dev.outpost.runtime.internal.storage.KeyOrder.bytes(key))
        .map(
            value ->
                dev.outpost.runtime.internal.storage.ValueCodec.decode(
                    value, type, "value of key '" + key + "'"));
  }
}
