package dev.outpost.client;

/** How an {@link OutpostClient} reaches a session; tried in the order the options list them. */
public enum ClientTransport {
  /** A WebSocket negotiating the {@code outpost.v1} subprotocol. */
  WEBSOCKET,
  /** Server-Sent Events from the object's URL; messages to the object go by POST. */
  EVENT_STREAM,
  /** Long polling on the object's URL; messages to the object go by POST. */
  LONG_POLLING
}
