package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.storage.ObjectStorage;
import dev.outpost.runtime.internal.storage.StorageCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One live object on this node: its event queue, lifecycle, storage cache and output gate. Its
 * turns are run by its {@link TurnRunner}, its idle eviction by its {@link ActivationCollector}.
 *
 * <p><b>Queue.</b> Events wait in a bounded queue; a full queue refuses them (OVERLOADED). Offering
 * an event to an idle activation starts a drain loop on the turn executor; at most one runs at a
 * time. A call that comes back through the chain its running turn waits on runs at once,
 * re-entrantly, instead of queueing behind that turn.
 *
 * <p><b>Eviction.</b> When the object has been idle for {@code idleTimeout} the activation leaves
 * the catalog (EVICTED); its sockets stay with the {@code HibernationManager}. Sealing (hand-over)
 * takes no new events, lets the queued ones run and commit, then evicts.
 *
 * <p><b>Concurrency.</b> {@code lock} guards the queue, the state, {@code draining}, {@code
 * currentTurn}, {@code sealed} and the collector's timer. The instance, cache and gate belong to
 * the thread running the drain loop. Hand-offs between drain loops go through the executor, which
 * orders them.
 */
public final class ObjectActivation {

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
  private final TurnRunner turns;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition quiescent = lock.newCondition();
  private final ArrayDeque<Event> queue = new ArrayDeque<>();
  private final ActivationCollector collector;
  private ActivationState lifecycle = ActivationState.ACTIVATING;
  private boolean draining; // a drain loop is scheduled or running
  private TurnContext currentTurn; // the turn in user code, null between turns
  private CompletableFuture<Void> sealed; // non-null once sealing began

  ObjectActivation(ObjectAddress address, NodeServices node, Runnable onEvicted) {
    this.address = address;
    this.node = node;
    this.onEvicted = onEvicted;
    this.cache = new StorageCache(address, node.engine());
    ObjectStateImpl state =
        new ObjectStateImpl(
            this,
            new ObjectStorage(cache, node.options(), this::requireTurn),
            node.hibernation(),
            node.options().maxAttachmentSize(),
            node.time()::now);
    this.turns = new TurnRunner(this, node, cache, gate, state);
    this.collector = new ActivationCollector(this, lock, node.time(), node.options().idleTimeout());
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

  /** How many events wait in the queue (the running turn's not included). */
  int queued() {
    lock.lock();
    try {
      return queue.size();
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
        node.turnExecutor().execute(() -> turns.runReentrant(call));
        return Offer.ACCEPTED;
      }
      if (queue.size() >= node.options().maxQueuedEvents()) {
        node.metrics().overloaded(address.namespace());
        return Offer.OVERLOADED;
      }
      queue.add(event);
      if (!draining) {
        draining = true;
        node.turnExecutor().execute(turns::drain);
      }
      return Offer.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  // ---- called by the drain loop

  /** The next queued event, or null. */
  Event poll() {
    lock.lock();
    try {
      return queue.poll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The drain loop found the queue empty and committed: unless an event arrived meanwhile, the loop
   * ends, the idle timer is armed (or a seal completes). False if the loop must go on.
   */
  boolean drainEnded() {
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        return false;
      }
      draining = false;
      collector.touch();
      quiescent.signalAll();
      if (sealed == null) {
        collector.arm();
        return true;
      }
    } finally {
      lock.unlock();
    }
    finishSeal();
    return true;
  }

  /** {@code turn} is now in user code. */
  void turnStarted(TurnContext turn) {
    lock.lock();
    try {
      currentTurn = turn;
    } finally {
      lock.unlock();
    }
  }

  /** {@code turn} left user code; false if the watchdog abandoned it meanwhile. */
  boolean turnEnded(TurnContext turn) {
    lock.lock();
    try {
      if (turn.abandoned) {
        return false;
      }
      currentTurn = null;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Marks the running turn abandoned if it started {@code budget} or longer before {@code now}, and
   * returns it; null if none is over budget.
   */
  TurnContext abandonTurnOverBudget(Instant now, Duration budget) {
    lock.lock();
    try {
      TurnContext stuck = currentTurn;
      if (stuck == null || Duration.between(stuck.startedAt, now).compareTo(budget) < 0) {
        return null;
      }
      stuck.abandoned = true;
      currentTurn = null;
      return stuck;
    } finally {
      lock.unlock();
    }
  }

  /** The instance is about to be rebuilt from new code: RESET until it is. */
  void switchingCode() {
    lock.lock();
    try {
      lifecycle = ActivationState.RESET;
    } finally {
      lock.unlock();
    }
  }

  /** The instance was dropped after a failure: RESET, unless the activation is past that. */
  void resetLifecycle() {
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
   * Moves every queued event to {@code refused} and evicts; true if this call evicted. The caller
   * runs {@link #leaveCatalog} once it has answered the refused events.
   */
  boolean evictTakingQueue(List<Event> refused) {
    lock.lock();
    try {
      refused.addAll(queue);
      queue.clear();
      return evictLocked();
    } finally {
      lock.unlock();
    }
  }

  // ---- turn context

  /** {@code storage.sync()} from inside a turn: everything so far becomes durable and leaves. */
  void syncFromTurn(TurnContext turn) {
    turns.syncFromTurn(turn);
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

  /** A {@code blockConcurrencyWhile} callback of {@code turn} threw {@code cause}. */
  void blockConcurrencyFailed(TurnContext turn, Throwable cause) {
    turn.breakWith(TurnFailure.BLOCK_CONCURRENCY, cause);
  }

  /** Abandons the running turn if it has run longer than the budget. Called by the watchdog. */
  void checkStuck(Instant now) {
    turns.checkStuck(now);
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

  // ---- sealing and eviction

  /**
   * Takes no new events, lets the queued ones run and commit, then evicts. Completes when evicted.
   */
  CompletableFuture<Void> seal() {
    boolean idle;
    CompletableFuture<Void> result;
    lock.lock();
    try {
      if (sealed == null) {
        sealed = new CompletableFuture<>();
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
    CompletableFuture<Void> done;
    lock.lock();
    try {
      evicted = lifecycle != ActivationState.EVICTED && evictLocked();
      done = sealed;
    } finally {
      lock.unlock();
    }
    if (evicted) {
      leaveCatalog();
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
      leaveCatalog();
    }
    return evicted;
  }

  /** Whether an event is queued or running, or the activation is gone. Under {@code lock}. */
  boolean busyOrEvictedLocked() {
    return lifecycle == ActivationState.EVICTED || draining || !queue.isEmpty();
  }

  /** Moves to EVICTED if the lifecycle allows; true if it did. Under {@code lock}. */
  boolean evictLocked() {
    if (!lifecycle.canMoveTo(ActivationState.EVICTED)) {
      return false;
    }
    lifecycle = ActivationState.EVICTED;
    turns.dropInstance();
    node.metrics().evicted(address.namespace());
    return true;
  }

  /** Removes this (evicted) activation from the catalog; its successor may already be there. */
  void leaveCatalog() {
    onEvicted.run();
  }

  void moveTo(ActivationState next) {
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
}
