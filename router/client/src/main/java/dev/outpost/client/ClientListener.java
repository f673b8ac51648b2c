package dev.outpost.client;

import dev.outpost.api.WebSocketMessage;

/**
 * What an {@link OutpostClient} reports. Every method runs on the client's event loop, one at a
 * time, in the order things happened; keep them short and never block in them.
 */
public interface ClientListener {

  /** The state changed. */
  default void onState(ClientState state) {}

  /**
   * A connection attached to a session. {@code resumed}: the client asked to resume and every
   * missed message follows, so nothing was lost; {@code notRecovered}: it asked and could not (the
   * session was gone or its buffer had moved on), so this is a new session and the application
   * should reload its state.
   */
  default void onOpen(String epoch, boolean resumed, boolean notRecovered) {}

  /** A message from the object, with its offset in the session. */
  default void onMessage(WebSocketMessage message, long offset) {}

  /** The client closed for good (its own close, or a close code it does not retry). */
  default void onClose(int code, String reason) {}

  /** A transport connection went down (the client will reconnect unless it is closed). */
  default void onTransportDown(ClientTransport transport, int code, String reason) {}
}
