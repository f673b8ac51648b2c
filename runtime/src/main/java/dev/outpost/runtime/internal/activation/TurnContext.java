package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.internal.storage.StorageTurn;
import dev.outpost.runtime.internal.storage.WriteLayer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The running turn of one activation: its event, its own write layers and the output it produced.
 * Everything here is private to the turn until the turn ends: then its bottom layer merges into the
 * object's pending writes and its outputs go behind the output gate. If it failed, {@link
 * TurnFailure} decides whether that still happens; a dropped turn's writes and outputs are simply
 * never merged.
 */
final class TurnContext implements StorageTurn {

  private static final ThreadLocal<TurnContext> CURRENT = new ThreadLocal<>();

  final ObjectActivation activation;
  final Event event;
  final Thread thread;
  final Instant startedAt;
  final List<WriteLayer> layers = new ArrayList<>(List.of(new WriteLayer()));
  final List<HeldOutput> outputs = new ArrayList<>();
  final List<SocketRecord> accepted = new ArrayList<>();
  TurnFailure broken; // what broke the turn while it ran (it fails even if the code went on)
  Throwable brokenBy; // with broken: the cause
  volatile boolean blockedInCall; // waiting on a stub call: calls in its chain may re-enter
  volatile boolean abandoned; // set by the watchdog; the turn's thread must stop at once

  TurnContext(ObjectActivation activation, Event event, Thread thread, Instant startedAt) {
    this.activation = activation;
    this.event = event;
    this.thread = thread;
    this.startedAt = startedAt;
  }

  /** The turn running on this thread, or null. */
  static TurnContext current() {
    return CURRENT.get();
  }

  void enter() {
    CURRENT.set(this);
  }

  void exit() {
    CURRENT.remove();
  }

  @Override
  public List<WriteLayer> layers() {
    return layers;
  }

  @Override
  public void sync() {
    activation.syncFromTurn(this);
  }

  /** Records that the runtime broke this turn; the first break wins. */
  void breakWith(TurnFailure kind, Throwable cause) {
    if (broken == null) {
      broken = kind;
      brokenBy = cause;
    }
  }

  /** Holds one output of this turn. */
  void output(HeldOutput output) {
    outputs.add(output);
  }

  /** Moves this turn's writes and outputs so far behind the gate; the turn goes on afresh. */
  void handOverSoFar() {
    WriteLayer mine = layers.set(0, new WriteLayer());
    mine.mergeInto(activation.cache().pending());
    activation.gate().hold(outputs);
    outputs.clear();
    accepted.clear();
  }
}
