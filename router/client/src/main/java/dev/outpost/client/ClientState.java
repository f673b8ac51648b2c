package dev.outpost.client;

/**
 * The state of an {@link OutpostClient}: CONNECTING → OPEN ⇄ RECONNECTING; any → CLOSED. OPEN means
 * a session is attached (the welcome arrived); while RECONNECTING, sends wait in the offline queue.
 */
public enum ClientState {
  CONNECTING,
  OPEN,
  RECONNECTING,
  CLOSED
}
