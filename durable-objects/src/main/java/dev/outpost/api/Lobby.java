package dev.outpost.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link ConnectGuard} knows about the object a client addresses (PartyKit's {@code lobby}):
 * it is not woken to build this.
 *
 * @param namespace the namespace (for PartyKit URLs, the one the party reaches)
 * @param id the object's id; its {@link DurableObjectId#name()} is the name in the URL, empty when
 *     the URL gave the id
 * @param transport how the client connects
 */
public record Lobby(String namespace, DurableObjectId id, Transport transport) {

  /** How a client reaches the object. */
  public enum Transport {
    /** A plain HTTP request ({@link ConnectGuard#onBeforeRequest}). */
    HTTP,
    /** A WebSocket upgrade. */
    WEBSOCKET,
    /** An event stream ({@code Accept: text/event-stream}). */
    EVENT_STREAM,
    /**
     * A request of the pull session protocol ({@code ?outpost=open|poll|send}): long polling, and
     * the messages event-stream clients send.
     */
    LONG_POLL
  }

  /** Checks the fields are present. */
  public Lobby {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(transport, "transport");
  }

  /** The object's name (PartyKit's room), if the URL named it. */
  public Optional<String> name() {
    return id.name();
  }
}
