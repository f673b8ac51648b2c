package dev.outpost.runtime.internal.activation;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.internal.storage.ObjectStorage;
import dev.outpost.runtime.internal.storage.StorageCache;
import dev.outpost.runtime.spi.WriteBatch;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One live object on this node: its turn queue, instance, storage cache and output gate.
 *
 * <p><b>Turns.</b> Events wait in a bounded queue. One <em>drain loop</em> at a time, on a virtual
 * thread, takes them in order and runs each as a turn; so turns never overlap (the input gate is
 * the queue itself). A turn's writes go to its own layer and its sends to its own list; when the
 * turn ends well both move behind the {@link OutputGate}. When the queue is empty, or after {@code
 * maxTurnsPerCommit} turns, the loop commits the pending writes of all those turns as one atomic
 * batch (group commit) and then releases their outputs in order. Outputs of turns that wrote
 * nothing while nothing is pending leave at once.
 *
 * <p><b>Failure.</b> A turn that throws loses its writes and outputs, its caller gets an error, and
 * the instance is dropped (RESET); the next event constructs a new one. A failed commit drops every
 * held output, forgets the cached state and resets. A turn running past {@code turnTimeout} is
 * abandoned by the watchdog: its thread is interrupted and ignored from then on, its caller gets an
 * error, and a new drain loop carries on with a new instance.
 *
 * <p><b>Eviction.</b> When the object has been idle for {@code idleTimeout} the activation leaves
 * the catalog (EVICTED); its sockets stay with the {@code HibernationManager}.
 *
 * <p><b>Concurrency.</b> {@code lock} guards the queue, the state, {@code draining}, {@code
 * currentTurn} and the idle timer. The instance, cache and gate belong to the thread running the
 * drain loop. Hand-offs between drain loops go through the executor, which orders them.
 */
public final class ObjectActivation {

  private static final System.Logger LOG = System.getLogger(ObjectActivation.class.getName());

  /** Result of offering an event. */
  public enum Offer {
    ACCEPTED,
    OVERLOADED,
    EVICTED,
    SEALED
  }

  private final ObjectAddress address;
  private final NodeServices node;
  private final Runnable onEvicted;
  private final StorageCache cache;
  private final OutputGate gate = new OutputGate();
  private final ObjectStateImpl state;

  private final ReentrantLock lock = new ReentrantLock();
  private final java.util.concurrent.locks.Condition quiescent = lock.newCondition();
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private ActivationState lifecycle = ActivationState.ACTIVATING;
  private boolean draining; // a drain loop is scheduled or running
  private TurnContext currentTurn; // the turn in user code, null between turns
  private boolean idleTimerArmed;
  private java.util.concurrent.CompletableFuture<Void> sealed; // non-null once sealing began
  private Instant lastActive;

  private DurableObject instance; // null until constructed and after a reset; drain thread only
  private long epoch; // 0 until ownership is acquired; drain thread only
  private Object instanceVersion; // the code version instance was built from; drain thread only

  ObjectActivation(ObjectAddress address, NodeServices node, Runnable onEvicted) {
    this.address = address;
    this.node = node;
    this.onEvicted = onEvicted;
    this.cache = new StorageCache(address, node.engine());
    this.state =
        new ObjectStateImpl(
            this,
            new ObjectStorage(cache, node.options(), this::requireTurn),
            node.hibernation(),
            node.options().maxAttachmentSize());
    this.lastActive = node.time().now();
  }

  public ObjectAddress address() {
    return address;
  }

  StorageCache cache() {
    return cache;
  }

  OutputGate gate() {
    return gate;
  }

  /** The lifecycle state, for tests and metrics. */
  public ActivationState lifecycle() {
    lock.lock();
    try {
      return lifecycle;
    } finally {
      lock.unlock();
    }
  }

  /** Queues an event; starts a drain loop if none runs. */
  Offer offer(Event event) {
    lock.lock();
    try {
      if (lifecycle == ActivationState.EVICTED) {
        return Offer.EVICTED;
      }
      if (sealed != null) {
        return Offer.SEALED;
      }
      if (event instanceof Event.Fetch call
          && call.chain().contains(address)
          && currentTurn != null
          && currentTurn.blockedInCall) {
        TurnContext parent = currentTurn;
        node.turnExecutor().execute(() -> runReentrant(call, parent));
        return Offer.ACCEPTED;
      }
      if (queue.size() >= node.options().maxQueuedEvents()) {
        return Offer.OVERLOADED;
      }
      queue.add(event);
      if (!draining) {
        draining = true;
        node.turnExecutor().execute(this::drain);
      }
      return Offer.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  private void drain() {
    int turnsSinceCommit = 0;
    while (true) {
      Event event;
      lock.lock();
      try {
        event = queue.poll();
      } finally {
        lock.unlock();
      }
      if (event == null || turnsSinceCommit >= node.options().maxTurnsPerCommit()) {
        flush();
        turnsSinceCommit = 0;
        if (event == null) {
          lock.lock();
          try {
            if (!queue.isEmpty()) {
              continue;
            }
            draining = false;
            lastActive = node.time().now();
            quiescent.signalAll();
            if (sealed == null) {
              armIdleTimer();
              return;
            }
          } finally {
            lock.unlock();
          }
          finishSeal();
          return;
        }
      }
      if (!runTurn(event)) {
        return; // abandoned by the watchdog, which started another drain loop
      }
      turnsSinceCommit++;
      if (!cache.hasUnconfirmedWrites()) {
        releaseHeld();
      }
    }
  }

  /** Runs one turn; false if the watchdog abandoned it meanwhile. */
  private boolean runTurn(Event event) {
    TurnContext turn = new TurnContext(this, event, Thread.currentThread(), node.time().now());
    lock.lock();
    try {
      currentTurn = turn;
    } finally {
      lock.unlock();
    }
    Throwable failure = null;
    turn.enter();
    try {
      dispatch(ensureInstance(), turn);
    } catch (Throwable t) {
      failure = t;
    } finally {
      turn.exit();
    }
    lock.lock();
    try {
      if (turn.abandoned) {
        return false;
      }
      currentTurn = null;
    } finally {
      lock.unlock();
    }
    if (failure == null && !turn.resetRequested) {
      turn.handOverSoFar();
    } else {
      fail(turn, failure != null ? failure : new IllegalStateException("object reset"));
    }
    return true;
  }

  /**
   * Runs a call that comes back to this object through the call chain its running turn is waiting
   * on (A → B → A). The waiting turn is blocked, so the instance is still used by one thread at a
   * time. The call's writes are committed and its response released before it returns to the chain;
   * if it throws, only the call fails.
   */
  private void runReentrant(Event.Fetch call, TurnContext parent) {
    TurnContext turn = new TurnContext(this, call, Thread.currentThread(), node.time().now());
    turn.enter();
    try {
      Response response = instance.fetch(call.request());
      if (response == null) {
        throw new IllegalStateException("fetch returned null; return a Response");
      }
      turn.output(new ResponseOutput(call, response, java.util.List.of(), node));
      turn.handOverSoFar();
      RuntimeException failure = flush();
      if (failure != null) {
        LOG.log(Level.WARNING, "re-entrant call into " + address + " could not commit", failure);
      }
    } catch (Exception e) {
      call.result()
          .completeExceptionally(
              new DurableObjectException(
                  "the object threw " + e.getClass().getSimpleName() + " in a re-entrant call",
                  e,
                  true,
                  false,
                  false));
    } finally {
      turn.exit();
    }
  }

  private DurableObject ensureInstance() throws Exception {
    if (epoch == 0) {
      epoch = node.guard().acquire(address);
    }
    Object version = node.factory().version();
    if (instance != null && instanceVersion != version) {
      instance = null; // new code: this turn boundary is where the object switches
      lock.lock();
      try {
        lifecycle = ActivationState.RESET;
      } finally {
        lock.unlock();
      }
    }
    if (instance == null) {
      if (lifecycle() == ActivationState.RESET) {
        moveTo(ActivationState.ACTIVATING);
      }
      instance = node.factory().create(address, state, version);
      instanceVersion = version;
      moveTo(ActivationState.ACTIVE);
    }
    return instance;
  }

  private void dispatch(DurableObject object, TurnContext turn) throws Exception {
    switch (turn.event) {
      case Event.Fetch fetch -> {
        Response response = object.fetch(fetch.request());
        if (response == null) {
          throw new IllegalStateException("fetch returned null; return a Response");
        }
        if (response.isWebSocketAccept() && turn.accepted.isEmpty()) {
          throw new IllegalStateException(
              "fetch returned 101 without accepting the socket; return"
                  + " state.acceptWebSocket(request)");
        }
        turn.output(new ResponseOutput(fetch, response, turn.accepted, node));
      }
      case Event.SocketMessage m -> object.webSocketMessage(m.socket().handle(), m.message());
      case Event.SocketClose c ->
          object.webSocketClose(c.socket().handle(), c.code(), c.reason(), c.wasClean());
      case Event.SocketError e -> object.webSocketError(e.socket().handle(), e.error());
      case Event.Alarm alarm -> runAlarm(object, alarm, turn);
      case Event.Activate activate ->
          turn.output(
              new HeldOutput() {
                @Override
                public void release() {
                  activate.done().complete(null);
                }

                @Override
                public void drop(Throwable cause) {
                  activate.done().completeExceptionally(cause);
                }
              });
    }
  }

  private void runAlarm(DurableObject object, Event.Alarm alarm, TurnContext turn)
      throws Exception {
    if (!alarm.scheduled().equals(cache.committedAlarm().orElse(null))
        || cache.pending().alarmChanged()) {
      return; // replaced or deleted since it was scheduled
    }
    object.alarm(new AlarmInfo(alarm.retryCount()));
    if (turn.layers.get(0).alarmChanged()) {
      return; // the handler set a new alarm or deleted it
    }
    turn.layers.get(0).setAlarm(null, true);
  }

  /** Drops the failed turn's effects, reports the failure and resets the instance. */
  private void fail(TurnContext turn, Throwable failure) {
    if (failure instanceof dev.outpost.runtime.NotOwnerException notOwner) {
      refuseAll(turn, notOwner);
      return;
    }
    String errorId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    LOG.log(
        Level.WARNING,
        "turn of " + address + " failed (error id " + errorId + "); resetting the object",
        failure);
    for (SocketRecord r : turn.accepted) {
      node.hibernation().discard(r);
    }
    switch (turn.event) {
      case Event.Fetch fetch ->
          fetch
              .result()
              .completeExceptionally(
                  failure instanceof DurableObjectException known
                      ? known
                      : new DurableObjectException(
                          "the object threw "
                              + failure.getClass().getSimpleName()
                              + " (error id "
                              + errorId
                              + ")",
                          failure,
                          true,
                          false,
                          false));
      case Event.Alarm alarm -> retryAlarm(alarm);
      case Event.Activate activate -> activate.done().completeExceptionally(failure);
      default -> {}
    }
    resetInstance();
  }

  /** This node does not own the object: every queued event goes back, and the activation goes. */
  private void refuseAll(TurnContext turn, dev.outpost.runtime.NotOwnerException notOwner) {
    java.util.List<Event> refused = new java.util.ArrayList<>();
    refused.add(turn.event);
    boolean evicted;
    lock.lock();
    try {
      refused.addAll(queue);
      queue.clear();
      evicted = evictLocked();
    } finally {
      lock.unlock();
    }
    for (SocketRecord r : turn.accepted) {
      node.hibernation().discard(r);
    }
    for (Event event : refused) {
      if (event instanceof Event.Fetch fetch) {
        fetch.result().completeExceptionally(notOwner);
      } else if (event instanceof Event.SocketMessage m) {
        node.hibernation().closeByObject(m.socket(), 1012, "object moved; reconnect");
      }
    }
    if (evicted) {
      onEvicted.run();
    }
  }

  private void retryAlarm(Event.Alarm alarm) {
    int retries = alarm.retryCount() + 1;
    if (retries <= node.options().alarmMaxRetries()) {
      Duration delay = node.options().alarmRetryStart().multipliedBy(1L << alarm.retryCount());
      node.alarms().retry(address, alarm.scheduled(), retries, delay);
    } else if (alarm.scheduled().equals(cache.committedAlarm().orElse(null))
        && !cache.pending().alarmChanged()) {
      LOG.log(Level.WARNING, "alarm of " + address + " failed " + retries + " times; dropped");
      cache.pending().setAlarm(null, false);
    }
  }

  private void resetInstance() {
    instance = null;
    lock.lock();
    try {
      if (lifecycle.canMoveTo(ActivationState.RESET)) {
        lifecycle = ActivationState.RESET;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Commits the pending writes, then releases what waited for them. On failure drops it all, resets
   * the object and returns the failure; returns null on success.
   */
  private RuntimeException flush() {
    if (!cache.hasPendingWrites()) {
      return releaseHeld();
    }
    WriteBatch batch = cache.takeBatch(epoch);
    try {
      if (!node.guard().leaseValid()) {
        throw new LeaseLostException(address);
      }
      node.engine().commit(address, batch);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "commit of " + address + " failed; dropping its output, resetting", e);
      cache.reset();
      gate.dropAll(e);
      resetInstance();
      return e;
    }
    cache.committed();
    if (batch.alarmChanged() || batch.isClearAll()) {
      node.alarms().committed(address, cache.committedAlarm().orElse(null));
    }
    return releaseHeld();
  }

  /** Lets held output leave, unless this node lost its lease: then it is dropped. */
  private RuntimeException releaseHeld() {
    if (gate.isEmpty()) {
      return null;
    }
    if (!node.guard().leaseValid()) {
      LeaseLostException lost = new LeaseLostException(address);
      LOG.log(Level.WARNING, lost.getMessage());
      cache.reset();
      gate.dropAll(lost);
      resetInstance();
      return lost;
    }
    gate.releaseAll();
    return null;
  }

  /** {@code storage.sync()} from inside a turn: everything so far becomes durable and leaves. */
  void syncFromTurn(TurnContext turn) {
    checkLive(turn);
    turn.handOverSoFar();
    RuntimeException failure = flush();
    if (failure != null) {
      throw new StorageFailure(failure);
    }
  }

  /** The turn running on this thread for this object, or an error naming the misuse. */
  TurnContext requireTurn() {
    TurnContext turn = TurnContext.current();
    if (turn == null || turn.activation != this) {
      throw new IllegalStateException(
          address + ": state and storage can only be used from the object's own turns");
    }
    checkLive(turn);
    return turn;
  }

  void checkLive(TurnContext turn) {
    if (turn.abandoned) {
      throw new IllegalStateException(
          address + ": this turn ran past its budget and was abandoned; the object was reset");
    }
  }

  /** Marks the running turn's object for reset when the turn ends (blockConcurrencyWhile). */
  void resetAfter(TurnContext turn) {
    turn.resetRequested = true;
  }

  /** Abandons the running turn if it has run longer than the budget. Called by the watchdog. */
  void checkStuck(Instant now) {
    TurnContext stuck;
    lock.lock();
    try {
      stuck = currentTurn;
      Duration budget = node.options().turnTimeout();
      if (stuck == null || Duration.between(stuck.startedAt, now).compareTo(budget) < 0) {
        return;
      }
      stuck.abandoned = true;
      currentTurn = null;
    } finally {
      lock.unlock();
    }
    stuck.thread.interrupt();
    fail(
        stuck,
        new TurnTimeoutException(
            address
                + ": a turn ran longer than its budget of "
                + node.options().turnTimeout().toSeconds()
                + " s (outpost.object.turn-timeout) and was abandoned"));
    node.turnExecutor().execute(this::drain);
  }

  private void armIdleTimer() {
    if (!idleTimerArmed) {
      idleTimerArmed = true;
      node.time().schedule(node.options().idleTimeout(), this::idleCheck);
    }
  }

  private void idleCheck() {
    boolean evicted = false;
    lock.lock();
    try {
      idleTimerArmed = false;
      if (lifecycle == ActivationState.EVICTED || draining || !queue.isEmpty()) {
        return; // the drain loop re-arms the timer when it ends
      }
      Duration idle = Duration.between(lastActive, node.time().now());
      Duration left = node.options().idleTimeout().minus(idle);
      if (left.isPositive()) {
        idleTimerArmed = true;
        node.time().schedule(left, this::idleCheck);
      } else {
        evicted = evictLocked();
      }
    } finally {
      lock.unlock();
    }
    if (evicted) {
      onEvicted.run();
    }
  }

  /**
   * Waits until no event is queued or running, and the idle timer is armed. For tests, which move a
   * manual clock only once the object has settled.
   *
   * @return false if {@code timeout} passed first
   */
  boolean awaitQuiescent(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (draining || !queue.isEmpty()) {
        if (nanos <= 0) {
          return false;
        }
        nanos = quiescent.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes no new events, lets the queued ones run and commit, then evicts. Completes when evicted.
   */
  java.util.concurrent.CompletableFuture<Void> seal() {
    boolean idle;
    java.util.concurrent.CompletableFuture<Void> result;
    lock.lock();
    try {
      if (sealed == null) {
        sealed = new java.util.concurrent.CompletableFuture<>();
        if (lifecycle == ActivationState.ACTIVE) {
          lifecycle = ActivationState.DRAINING;
        }
      }
      result = sealed;
      idle = !draining && queue.isEmpty();
    } finally {
      lock.unlock();
    }
    if (idle) {
      finishSeal();
    }
    return result;
  }

  private void finishSeal() {
    boolean evicted;
    java.util.concurrent.CompletableFuture<Void> done;
    lock.lock();
    try {
      evicted = lifecycle != ActivationState.EVICTED && evictLocked();
      done = sealed;
    } finally {
      lock.unlock();
    }
    if (evicted) {
      onEvicted.run();
    }
    if (done != null) {
      done.complete(null);
    }
  }

  /** Evicts now if no event is queued or running; true if it did. */
  boolean evictIfIdle() {
    boolean evicted;
    lock.lock();
    try {
      evicted = !draining && queue.isEmpty() && evictLocked();
    } finally {
      lock.unlock();
    }
    if (evicted) {
      onEvicted.run();
    }
    return evicted;
  }

  private boolean evictLocked() {
    if (!lifecycle.canMoveTo(ActivationState.EVICTED)) {
      return false;
    }
    lifecycle = ActivationState.EVICTED;
    instance = null;
    return true;
  }

  private void moveTo(ActivationState next) {
    lock.lock();
    try {
      if (lifecycle == next) {
        return;
      }
      if (!lifecycle.canMoveTo(next)) {
        throw new IllegalStateException(address + ": illegal move " + lifecycle + " -> " + next);
      }
      lifecycle = next;
    } finally {
      lock.unlock();
    }
  }

  /** A fetch's response, held until the writes before it are durable. */
  private record ResponseOutput(
      Event.Fetch fetch,
      Response response,
      java.util.List<SocketRecord> accepted,
      NodeServices node)
      implements HeldOutput {

    ResponseOutput {
      accepted = java.util.List.copyOf(accepted);
    }

    @Override
    public void release() {
      fetch.result().complete(response);
    }

    @Override
    public void drop(Throwable cause) {
      accepted.forEach(node.hibernation()::discard);
      fetch.result().completeExceptionally(new StorageFailure(cause));
    }
  }

  /** A commit failed: the caller's response was never sent. */
  static final class StorageFailure extends DurableObjectException {
    StorageFailure(Throwable cause) {
      super(
          "storage commit failed, the object was reset and its output dropped: " + cause,
          cause,
          false,
          true,
          false);
    }
  }

  /** This node's lease lapsed: it may not commit or reply until it renews. */
  static final class LeaseLostException extends DurableObjectException {
    LeaseLostException(ObjectAddress address) {
      super(
          "node lease lapsed: "
              + address
              + " may not commit or reply on this node until the lease is renewed",
          null,
          false,
          true,
          false);
    }
  }

  /** A turn ran past its budget. */
  static final class TurnTimeoutException extends RuntimeException {
    TurnTimeoutException(String message) {
      super(message);
    }
  }
}
