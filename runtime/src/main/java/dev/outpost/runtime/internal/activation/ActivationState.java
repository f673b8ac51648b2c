package dev.outpost.runtime.internal.activation;

/**
 * The lifecycle of one {@link ObjectActivation}.
 *
 * <pre>
 * ACTIVATING ──► ACTIVE ──► DRAINING ──► EVICTED
 *   │  │            │  └──────────────────►  ▲  ▲
 *   │  └──► RESET ◄─┘                        │  │
 *   │         └──► ACTIVATING, or ───────────┘  │
 *   └── not the owner ──────────────────────────┘
 * </pre>
 *
 * ACTIVATING: no instance yet, or its constructor is running. ACTIVE: an instance serves turns.
 * RESET: the instance was dropped after a failure; the next event constructs a new one. DRAINING:
 * the activation finishes its queue and takes no new events (hand-over). EVICTED: gone from the
 * catalog; terminal.
 */
public enum ActivationState {
  ACTIVATING,
  ACTIVE,
  DRAINING,
  RESET,
  EVICTED;

  /** Whether the lifecycle allows moving from this state to {@code next}. */
  public boolean canMoveTo(ActivationState next) {
    return switch (this) {
      case ACTIVATING -> next == ACTIVE || next == RESET || next == EVICTED;
      case ACTIVE -> next == DRAINING || next == EVICTED || next == RESET;
      case DRAINING -> next == EVICTED || next == RESET;
      case RESET -> next == ACTIVATING || next == EVICTED;
      case EVICTED -> false;
    };
  }
}
