package dev.outpost.api.party;

import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.WebSocketMessage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One client of a {@link PartyServer} room: a hibernatable WebSocket with an id, tags and a state,
 * as partyserver's {@code Connection}.
 *
 * <ul>
 *   <li>{@link #id()} is the {@code _pk} query parameter of the upgrade (partysocket sends one per
 *       client instance, the same on every reconnect), or a random UUID when the client sent none.
 *       Ids are not unique: a reconnecting client may briefly have two connections with its id (the
 *       old one not yet seen closed), and clients may choose the same id on purpose (several tabs
 *       of one user). Nothing is closed because of a duplicate.
 *   <li>{@link #setState} keeps a value with the socket (its attachment, serialized as JSON, at
 *       most 16 KiB): it survives hibernation, and {@link #state(Class)} reads it back in any later
 *       turn, typed. partyserver keeps at most 2 KB.
 *   <li>Sends and closes leave, in call order, once the writes made before them in the turn are
 *       durable (the output gate); sending on a closed connection does nothing.
 * </ul>
 *
 * <p>A connection is a view of its socket: a new one is made for every event, so compare them with
 * {@link #equals} (same socket), never with {@code ==}, and keep nothing in fields of it. Use it
 * only from the owning object's turns.
 */
public final class Connection {

  private final HibernatableWebSocket socket;
  private final String id;
  private final List<String> tags;

  Connection(HibernatableWebSocket socket, String id, List<String> tags) {
    this.socket = Objects.requireNonNull(socket, "socket");
    this.id = Objects.requireNonNull(id, "id");
    this.tags = List.copyOf(tags);
  }

  /**
   * The connection's id: the upgrade's {@code _pk}, a random UUID if it had none, or {@code ""} for
   * a socket the object accepted without {@link PartyServer} (an earlier version of its class,
   * before a hot reload).
   */
  public String id() {
    return id;
  }

  /** The tags {@link PartyServer#connectionTags} gave it, in order (its id is not among them). */
  public List<String> tags() {
    return tags;
  }

  /** Sends a text message. */
  public void send(String text) {
    socket.send(text);
  }

  /** Sends a binary message (the bytes are copied). */
  public void send(byte[] bytes) {
    socket.send(bytes);
  }

  /** Sends a message of either kind unchanged. */
  public void send(WebSocketMessage message) {
    socket.send(message);
  }

  /** Closes with 1000 and no reason. */
  public void close() {
    socket.close(1000, "");
  }

  /**
   * Closes with {@code code} and {@code reason}; the limits are {@link
   * HibernatableWebSocket#close}'s (1000–1003, 1007–1014, 3000–4999; a reason of at most 123 UTF-8
   * bytes). partysocket reconnects after any close unless the application's {@code
   * shouldReconnectOnClose} says otherwise: a 4xxx code of the application's own is the usual way
   * to say "do not come back".
   *
   * @throws IllegalArgumentException if the code may not be sent or the reason is too long
   */
  public void close(int code, String reason) {
    socket.close(code, reason);
  }

  /**
   * Keeps {@code value} with the connection across hibernation (JSON: a record, a map, a string, a
   * number...), replacing the previous state; {@code null} clears it.
   *
   * @throws dev.outpost.api.StorageLimitException if the serialized value is larger than 16 KiB
   * @throws IllegalArgumentException if the value cannot be serialized
   */
  public void setState(Object value) {
    socket.serializeAttachment(value);
  }

  /** The state kept by {@link #setState}, read as {@code type}; empty if none was set. */
  public <T> Optional<T> state(Class<T> type) {
    return socket.deserializeAttachment(type);
  }

  /** Whether the connection is still open (no close sent or received). */
  public boolean isOpen() {
    return socket.isOpen();
  }

  /** The socket underneath, for what {@link HibernatableWebSocket} offers beyond this class. */
  public HibernatableWebSocket socket() {
    return socket;
  }

  /** Two connections are equal when they are views of the same socket. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Connection that && socket.equals(that.socket);
  }

  @Override
  public int hashCode() {
    return socket.hashCode();
  }

  @Override
  public String toString() {
    return "Connection(" + id + ")";
  }
}
