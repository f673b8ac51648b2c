package dev.outpost.runtime.internal.activation;

import java.util.ArrayList;
import java.util.List;

/**
 * Holds what finished turns sent until the writes made before it are durable (workerd's output
 * gate). Outputs leave in the order the turns made them; if the commit fails they are dropped and
 * never observed. Used only by the activation's turn thread.
 */
final class OutputGate {

  private List<HeldOutput> held = new ArrayList<>();

  /** Holds the outputs of a finished turn behind those already held. */
  void hold(List<HeldOutput> outputs) {
    held.addAll(outputs);
  }

  /** Whether anything is waiting. */
  boolean isEmpty() {
    return held.isEmpty();
  }

  /** Lets everything held leave, in order. */
  void releaseAll() {
    List<HeldOutput> out = take();
    for (HeldOutput o : out) {
      o.release();
    }
  }

  /** Drops everything held. */
  void dropAll(Throwable cause) {
    List<HeldOutput> out = take();
    for (HeldOutput o : out) {
      o.drop(cause);
    }
  }

  private List<HeldOutput> take() {
    if (held.isEmpty()) {
      return List.of();
    }
    List<HeldOutput> out = held;
    held = new ArrayList<>();
    return out;
  }
}
