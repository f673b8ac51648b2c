package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.NotOwnerException;

/**
 * What a failure leaves behind, by kind: the one place that decides, for each way a turn or a
 * commit can fail, whether the writes and output made before it survive and whether the instance
 * does. {@link TurnRunner} applies it; nothing else decides.
 *
 * <pre>
 * kind                the failing turn's      uncommitted writes and     instance  source
 *                     writes and output       held output of earlier
 *                                             turns
 * THROWN              kept; committed, then   kept                       kept      workerd PR #585, D-err,
 *                     the error is released                                        D-alarm
 * BLOCK_CONCURRENCY   dropped                 kept                       reset     D-state
 * LIMIT_EXCEEDED      dropped                 kept                       reset     D-err, D-lim
 * TURN_TIMEOUT        dropped                 kept                       reset     D-lim, D-trbl
 * STORAGE             dropped                 dropped (cache forgotten)  reset     W-gate, D-kv, D-trbl
 * OUTPUT_GATE         dropped                 dropped (cache forgotten)  reset     W-gate
 * NOT_OWNER           refused with the queue  (activation evicted)       evicted   docs/design.md §5
 * </pre>
 *
 * <p>Sources (keys of {@code durable-objects-semantics.md}): an exception thrown by the object's
 * code is propagated to the caller with {@code remote} set (D-err) and does not break the object:
 * what it wrote before throwing stays written, and workerd holds the exception behind the output
 * gate until those writes are durable ({@code WorkerEntrypoint::request}, cloudflare/workerd PR
 * #585, "Exceptions from fetch handlers should wait for output gate"). A failed {@code alarm()} is
 * retried (D-alarm), so each attempt's writes accumulate. Only {@code transaction()} rolls back,
 * and only what it wrote (D-kv); it does so itself, before the exception reaches the turn. Breaking
 * failures reset the object, meaning its in-memory state (D-trbl): a throwing {@code
 * blockConcurrencyWhile} callback (D-state), a memory limit (D-err, D-lim) and a turn past its
 * budget (D-lim; the watchdog stands in for the CPU limit). A failed flush breaks the output gate:
 * held messages "will never be sent" and the object is reset (W-gate, D-kv); the node's lease
 * lapsing is the same break seen from the output side. Earlier turns' uncommitted writes survive
 * the three instance-only resets because they ended well and their output waits only for them
 * (Outpost's group commit; workerd has usually begun flushing them already).
 */
enum TurnFailure {
  /** The object's code threw (from a handler, its constructor or a re-entrant call). */
  THROWN(true, false, false),
  /** A {@code blockConcurrencyWhile} callback threw, whether or not the turn caught it. */
  BLOCK_CONCURRENCY(false, false, true),
  /** The JVM could not go on with the instance: out of memory or another VM error. */
  LIMIT_EXCEEDED(false, false, true),
  /** The watchdog abandoned a turn that ran past {@code outpost.object.turn-timeout}. */
  TURN_TIMEOUT(false, false, true),
  /** A commit failed; seen by a turn through {@code storage.sync()}. */
  STORAGE(false, true, true),
  /** Held output may not leave: this node's lease lapsed. */
  OUTPUT_GATE(false, true, true),
  /** This node does not own the object: every queued event is refused and the activation goes. */
  NOT_OWNER(false, false, true);

  /** The failing turn's writes and output so far are kept, committed, then the error released. */
  final boolean keepsTurnEffects;

  /** Every uncommitted write and all held output of the object is dropped, the cache forgotten. */
  final boolean dropsUncommitted;

  /** The instance is dropped (RESET); the next event constructs a new one. */
  final boolean resetsInstance;

  TurnFailure(boolean keepsTurnEffects, boolean dropsUncommitted, boolean resetsInstance) {
    this.keepsTurnEffects = keepsTurnEffects;
    this.dropsUncommitted = dropsUncommitted;
    this.resetsInstance = resetsInstance;
  }

  /**
   * The kind of a turn's failure: what broke the turn (recorded on it by the runtime while it ran)
   * comes first, then what escaped it.
   *
   * @param failure what escaped the turn, or null if it returned normally but was broken
   */
  static TurnFailure of(TurnContext turn, Throwable failure) {
    if (failure instanceof NotOwnerException) {
      return NOT_OWNER;
    }
    if (turn.abandoned) {
      return TURN_TIMEOUT;
    }
    if (turn.broken != null) {
      return turn.broken;
    }
    if (failure instanceof VirtualMachineError && !(failure instanceof StackOverflowError)) {
      return LIMIT_EXCEEDED; // a deep recursion is the code's own fault, like a JS RangeError
    }
    return THROWN;
  }
}
