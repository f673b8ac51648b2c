package dev.outpost.runtime.internal.hibernation;

import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ClientConnection;
import java.time.Instant;
import java.util.List;

/**
 * One hibernatable socket as the node keeps it: its connection, owner, tags and attachment. Lives
 * from {@code acceptWebSocket} until the socket closes, whatever happens to the object instance.
 * Kept small: a node holds one per idle connection.
 */
public final class SocketRecord {

  private final ObjectAddress owner;
  private final ClientConnection connection;
  private final List<String> tags;
  private final HibernatableWebSocket handle;
  private volatile byte[] attachment; // null when none was set
  private volatile Instant lastAutoResponse; // null until the auto-response first answered
  private volatile boolean open = true;

  SocketRecord(
      ObjectAddress owner,
      ClientConnection connection,
      List<String> tags,
      java.util.function.Function<SocketRecord, HibernatableWebSocket> handleFactory) {
    this.owner = owner;
    this.connection = connection;
    this.tags = List.copyOf(tags);
    this.handle = handleFactory.apply(this);
  }

  /** The object that accepted the socket. */
  public ObjectAddress owner() {
    return owner;
  }

  /** The transport's connection. */
  public ClientConnection connection() {
    return connection;
  }

  /** The tags given at accept time. */
  public List<String> tags() {
    return tags;
  }

  /** The one handle user code sees for this socket; equal across hibernation. */
  public HibernatableWebSocket handle() {
    return handle;
  }

  /** The serialized attachment, or null. */
  public byte[] attachment() {
    return attachment;
  }

  /** Replaces the serialized attachment. */
  public void attachment(byte[] value) {
    this.attachment = value;
  }

  /** When the auto-response last answered on this socket, or null. */
  public Instant lastAutoResponse() {
    return lastAutoResponse;
  }

  void lastAutoResponse(Instant time) {
    this.lastAutoResponse = time;
  }

  /** Whether neither side has closed the socket. */
  public boolean isOpen() {
    return open;
  }

  /** Marks the socket closed; true only for the call that closed it. */
  synchronized boolean markClosed() {
    boolean was = open;
    open = false;
    return was;
  }
}
