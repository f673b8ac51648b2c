package dev.outpost.runtime.internal.activation;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.internal.rpc.RpcMethods;
import dev.outpost.runtime.internal.rpc.RpcWire;
import dev.outpost.runtime.internal.storage.StorageCache;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.WriteBatch;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one activation's turns: the drain loop, dispatch to the instance, re-entrant calls, group
 * commit, lease checks and the watchdog's abandonment of a stuck turn. It owns the instance, the
 * epoch it acquired and the code version the instance was built from.
 *
 * <p><b>Turns.</b> One drain loop at a time, on a virtual thread of the turn executor, takes the
 * activation's events in order and runs each as a turn; so turns never overlap (the input gate is
 * the queue itself). A turn's writes go to its own layer and its sends to its own list; when the
 * turn ends well both move behind the {@link OutputGate}. When the queue is empty, or after {@code
 * maxTurnsPerCommit} turns, the loop commits the pending writes of all those turns as one atomic
 * batch (group commit) and then releases their outputs in order. Outputs of turns that wrote
 * nothing while nothing is pending leave at once. Nothing leaves, and nothing commits, while this
 * node's lease is not valid.
 *
 * <p><b>Failure.</b> What a failure keeps and what it drops is decided by {@link TurnFailure}, per
 * kind, and applied here: a turn whose code throws keeps its writes and output, and its error is
 * held behind them by the output gate; the instance lives on. A broken turn ({@code
 * blockConcurrencyWhile} failed, VM error) loses its writes and output and the instance is dropped
 * (RESET); the next event constructs a new one. A failed commit, or a lease that lapsed before
 * output could leave, drops every held output, forgets the cached state and resets. A turn running
 * past {@code turnTimeout} is abandoned by the watchdog ({@link #checkStuck}, on the watchdog's
 * timer thread): its thread is interrupted and ignored from then on, its caller gets an error, and
 * a new drain loop carries on with a new instance. A turn that finds this node is not the owner
 * refuses every queued event and evicts the activation.
 *
 * <p><b>Threads.</b> Everything here belongs to the thread running the drain loop, except {@link
 * #checkStuck} and {@link #dropInstance}, which run while no turn of this runner can touch what
 * they change (the abandoned turn is ignored; eviction happens only with no drain loop).
 */
final class TurnRunner {

  private static final System.Logger LOG = System.getLogger(TurnRunner.class.getName());

  private final ObjectActivation activation;
  private final ObjectAddress address;
  private final NodeServices node;
  private final StorageCache cache;
  private final OutputGate gate;
  private final ObjectStateImpl state;
  private final AlarmRetries alarms;

  private DurableObject instance; // null until constructed and after a reset
  private long epoch; // 0 until ownership is acquired
  private Object instanceVersion; // the code version instance was built from

  TurnRunner(
      ObjectActivation activation,
      NodeServices node,
      StorageCache cache,
      OutputGate gate,
      ObjectStateImpl state) {
    this.activation = activation;
    this.address = activation.address();
    this.node = node;
    this.cache = cache;
    this.gate = gate;
    this.state = state;
    this.alarms = new AlarmRetries(address, cache, node);
  }

  /** The drain loop: runs queued events until the queue is empty. */
  void drain() {
    int turnsSinceCommit = 0;
    while (true) {
      Event event = activation.poll();
      if (event == null || turnsSinceCommit >= node.options().maxTurnsPerCommit()) {
        flush();
        turnsSinceCommit = 0;
        if (event == null) {
          if (activation.drainEnded()) {
            return;
          }
          continue; // an event arrived meanwhile
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
    TurnContext turn =
        new TurnContext(activation, event, Thread.currentThread(), node.time().now());
    activation.turnStarted(turn);
    long startNanos = node.metrics().monotonicNanos();
    Throwable failure = null;
    turn.enter();
    try {
      dispatch(ensureInstance(), turn);
    } catch (Throwable t) {
      failure = t;
    } finally {
      turn.exit();
    }
    node.metrics()
        .turnEnded(address.namespace(), startNanos, failure == null && turn.broken == null);
    if (!activation.turnEnded(turn)) {
      return false;
    }
    if (failure == null && turn.broken == null) {
      turn.handOverSoFar();
    } else {
      fail(turn, failure != null ? failure : turn.brokenBy);
    }
    return true;
  }

  /**
   * Runs a call that comes back to this object through the call chain its running turn is waiting
   * on (A → B → A). The waiting turn is blocked, so the instance is still used by one thread at a
   * time. The call's writes are committed and its response released before it returns to the chain;
   * if it throws, only the call fails.
   */
  void runReentrant(Event.Fetch call) {
    TurnContext turn = new TurnContext(activation, call, Thread.currentThread(), node.time().now());
    turn.enter();
    try {
      Throwable failure = null;
      try {
        Response response = answer(instance, call.request(), turn);
        if (response == null) {
          throw new IllegalStateException("fetch returned null; return a Response");
        }
        turn.output(new ResponseOutput(call, response, List.of(), node));
      } catch (Exception e) {
        failure = e;
      }
      if (failure == null && turn.broken == null) {
        turn.handOverSoFar();
      } else {
        Throwable cause = failure != null ? failure : turn.brokenBy;
        TurnFailure kind = TurnFailure.of(turn, cause);
        DurableObjectException error = callerError(cause, logFailure(kind, cause));
        if (kind.keepsTurnEffects) {
          turn.handOverSoFar();
          gate.hold(List.of(new FailureOutput(call, cause, error)));
        } else {
          call.result().completeExceptionally(error); // the waiting turn still uses the instance
        }
      }
      RuntimeException commitFailure = flush();
      if (commitFailure != null) {
        LOG.log(
            Level.WARNING, "re-entrant call into " + address + " could not commit", commitFailure);
      }
    } finally {
      turn.exit();
    }
  }

  private DurableObject ensureInstance() throws Exception {
    if (epoch != 0 && !node.guard().stillOwns(address, epoch)) {
      // Ownership moved away since this epoch (and maybe came back): what this activation holds
      // may be stale. Drop it, uncommitted writes and held output included, and take it again.
      breakGate(TurnFailure.STORAGE, new NotOwnerException(address, "this node", null));
      epoch = 0;
    }
    if (epoch == 0) {
      epoch = node.guard().acquire(address);
    }
    Object version = node.factory().version(address);
    if (instance != null && instanceVersion != version) {
      instance = null; // new code: this turn boundary is where the object switches
      activation.switchingCode();
    }
    if (instance == null) {
      if (activation.lifecycle() == ActivationState.RESET) {
        activation.moveTo(ActivationState.ACTIVATING);
      }
      instance = node.factory().create(address, state, version);
      instanceVersion = version;
      node.metrics().activated(address.namespace());
      activation.moveTo(ActivationState.ACTIVE);
    }
    return instance;
  }

  private void dispatch(DurableObject object, TurnContext turn) throws Exception {
    switch (turn.event) {
      case Event.Fetch fetch -> {
        Response response = answer(object, fetch.request(), turn);
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
      case Event.Alarm alarm -> alarms.run(object, alarm, turn);
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

  /**
   * Runs a request: a typed call ({@link RpcWire#isCall}) runs the interface method it names,
   * anything else the object's {@code fetch}. An exception the method throws is the caller's answer
   * (a 500 naming its class) when it is the object's own ({@link TurnFailure#THROWN}): as for a
   * throwing {@code fetch}, the turn's writes are kept and the answer waits for them. Any other
   * failure (a broken turn, a lost lease) propagates and is handled as for {@code fetch}.
   */
  private Response answer(DurableObject object, Request request, TurnContext turn)
      throws Exception {
    if (!RpcWire.isCall(request)) {
      return object.fetch(request);
    }
    RpcMethods methods = RpcMethods.of(object.getClass());
    try {
      return methods.invoke(object, request, node.options().maxRpcSize());
    } catch (Exception thrown) {
      if (TurnFailure.of(turn, thrown) != TurnFailure.THROWN) {
        throw thrown;
      }
      LOG.log(
          Level.DEBUG,
          "typed call "
              + request.header(RpcWire.METHOD_HEADER).orElse("")
              + " of "
              + address
              + " threw",
          thrown);
      return methods.threw(thrown);
    }
  }

  /**
   * Applies what {@link TurnFailure} decides for the failed turn: keeps or drops its effects,
   * reports the failure (behind the kept writes, or at once), schedules an alarm retry and resets
   * the instance.
   */
  private void fail(TurnContext turn, Throwable failure) {
    TurnFailure kind = TurnFailure.of(turn, failure);
    if (kind == TurnFailure.NOT_OWNER) {
      refuseAll(turn, (NotOwnerException) failure);
      return;
    }
    String errorId = logFailure(kind, failure);
    for (SocketRecord r : turn.accepted) {
      node.hibernation().discard(r); // the 101 is never sent
    }
    if (kind.keepsTurnEffects) {
      turn.handOverSoFar();
    }
    if (turn.event instanceof Event.Alarm alarm) {
      alarms.failed(alarm); // after the handover: it sees what the handler did to the alarm
    }
    FailureOutput report = new FailureOutput(turn.event, failure, callerError(failure, errorId));
    if (kind.keepsTurnEffects) {
      gate.hold(List.of(report));
    } else {
      report.release();
    }
    if (kind.resetsInstance) {
      resetInstance();
    }
  }

  /** Logs a turn's failure under a new error id, and returns the id. */
  private String logFailure(TurnFailure kind, Throwable failure) {
    String errorId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    LOG.log(
        Level.WARNING,
        "turn of "
            + address
            + " failed (error id "
            + errorId
            + ", "
            + kind
            + "): "
            + (kind.keepsTurnEffects
                ? "its writes are kept and the instance goes on"
                : "its writes are dropped")
            + (kind.resetsInstance ? "; resetting the object" : ""),
        failure);
    return errorId;
  }

  /** The error a caller sees for {@code failure}. */
  private static DurableObjectException callerError(Throwable failure, String errorId) {
    return failure instanceof DurableObjectException known
        ? known
        : DurableObjectException.remote(
            "the object threw "
                + failure.getClass().getSimpleName()
                + " (error id "
                + errorId
                + ")",
            failure);
  }

  /** This node does not own the object: every queued event goes back, and the activation goes. */
  private void refuseAll(TurnContext turn, NotOwnerException notOwner) {
    List<Event> refused = new ArrayList<>();
    refused.add(turn.event);
    boolean evicted = activation.evictTakingQueue(refused);
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
      activation.leaveCatalog();
    }
  }

  private void resetInstance() {
    instance = null;
    activation.resetLifecycle();
  }

  /** Forgets the instance; the activation is being evicted and runs no drain loop. */
  void dropInstance() {
    instance = null;
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
    long startNanos = node.metrics().monotonicNanos();
    try {
      if (!node.guard().leaseValid(address) || !node.guard().stillOwns(address, epoch)) {
        throw new LeaseLostException(address);
      }
      node.engine().commit(address, batch);
    } catch (LeaseLostException e) {
      LOG.log(Level.WARNING, e.getMessage());
      node.metrics().commitFailed();
      return breakGate(TurnFailure.OUTPUT_GATE, e);
    } catch (StaleEpochException e) {
      // Another owner committed at a newer epoch: take the object again before the next turn.
      LOG.log(Level.WARNING, "commit of " + address + " refused: " + e.getMessage());
      epoch = 0;
      node.metrics().commitFailed();
      return breakGate(TurnFailure.STORAGE, e);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "commit of " + address + " failed; dropping its output, resetting", e);
      epoch = 0; // its outcome may be unknown: take the object again, from storage, next turn
      node.metrics().commitFailed();
      return breakGate(TurnFailure.STORAGE, e);
    }
    node.metrics().committed(startNanos, batch.mutations().size(), batchBytes(batch));
    cache.committed();
    if (batch.alarmChanged() || batch.isClearAll()) {
      node.alarms().committed(address, cache.committedAlarm().orElse(null));
    }
    return releaseHeld();
  }

  /** Key and value bytes of a batch's writes and deletes. */
  private static long batchBytes(WriteBatch batch) {
    long bytes = 0;
    for (WriteBatch.Mutation m : batch.mutations()) {
      bytes += m.key().length + (m.value() == null ? 0 : m.value().length);
    }
    return bytes;
  }

  /** Lets held output leave, unless this node lost its lease: then it is dropped. */
  private RuntimeException releaseHeld() {
    if (gate.isEmpty()) {
      return null;
    }
    if (!node.guard().leaseValid(address) || !node.guard().stillOwns(address, epoch)) {
      LeaseLostException lost = new LeaseLostException(address);
      LOG.log(Level.WARNING, lost.getMessage());
      return breakGate(TurnFailure.OUTPUT_GATE, lost);
    }
    gate.releaseAll();
    return null;
  }

  /**
   * The output gate broke ({@link TurnFailure#STORAGE} or {@link TurnFailure#OUTPUT_GATE}): drops
   * every uncommitted write and held output and resets; returns {@code cause}.
   */
  private RuntimeException breakGate(TurnFailure kind, RuntimeException cause) {
    if (!kind.dropsUncommitted) {
      throw new IllegalArgumentException(kind + " does not break the output gate");
    }
    cache.reset();
    gate.dropAll(cause);
    if (kind.resetsInstance) {
      resetInstance();
    }
    return cause;
  }

  /** {@code storage.sync()} from inside a turn: everything so far becomes durable and leaves. */
  void syncFromTurn(TurnContext turn) {
    activation.checkLive(turn);
    turn.handOverSoFar();
    RuntimeException failure = flush();
    if (failure != null) {
      turn.breakWith(
          failure instanceof LeaseLostException ? TurnFailure.OUTPUT_GATE : TurnFailure.STORAGE,
          failure);
      throw new StorageFailure(failure);
    }
  }

  /** Abandons the running turn if it has run longer than the budget. Called by the watchdog. */
  void checkStuck(Instant now) {
    Duration budget = node.options().turnTimeout();
    TurnContext stuck = activation.abandonTurnOverBudget(now, budget);
    if (stuck == null) {
      return;
    }
    stuck.thread.interrupt();
    fail(
        stuck,
        new TurnTimeoutException(
            address
                + ": a turn ran longer than its budget of "
                + budget.toSeconds()
                + " s (outpost.object.turn-timeout) and was abandoned"));
    node.turnExecutor().execute(this::drain);
  }

  /** A fetch's response, held until the writes before it are durable. */
  private record ResponseOutput(
      Event.Fetch fetch, Response response, List<SocketRecord> accepted, NodeServices node)
      implements HeldOutput {

    ResponseOutput {
      accepted = List.copyOf(accepted);
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

  /**
   * The error of a failed turn, reported to its caller once the writes the turn kept are durable
   * (workerd waits for the output gate before an exception leaves, cloudflare/workerd PR #585). If
   * they cannot be made durable, the caller gets the commit's failure instead.
   */
  private record FailureOutput(Event event, Throwable failure, DurableObjectException error)
      implements HeldOutput {

    @Override
    public void release() {
      switch (event) {
        case Event.Fetch fetch -> fetch.result().completeExceptionally(error);
        case Event.Activate activate -> activate.done().completeExceptionally(failure);
        default -> {} // socket events and alarms have no caller; alarms retry
      }
    }

    @Override
    public void drop(Throwable cause) {
      StorageFailure lost = new StorageFailure(cause);
      switch (event) {
        case Event.Fetch fetch -> fetch.result().completeExceptionally(lost);
        case Event.Activate activate -> activate.done().completeExceptionally(lost);
        default -> {}
      }
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
