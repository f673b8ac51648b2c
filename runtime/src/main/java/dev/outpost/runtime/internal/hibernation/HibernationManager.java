package dev.outpost.runtime.internal.hibernation;

import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.api.WebSocketRequestResponsePair;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Owns every hibernatable socket of the node, by connection and by owning object, so that sockets,
 * tags, attachments and the auto-response pair outlive the object instances (workerd's {@code
 * HibernationManager}).
 *
 * <p>Invariants: a record is in both maps exactly while it is open; a socket is closed at most once
 * ({@link #closeByClient} and {@link #closeByObject} return whether this call closed it), so the
 * object hears of a client's close exactly once.
 *
 * <p>Thread-safe: transports call it from event loops, turns from their virtual threads.
 */
public final class HibernationManager {

  private final TimeSource time;
  private final ConcurrentHashMap<ClientConnection, SocketRecord> byConnection =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ObjectAddress, ObjectSockets> byObject =
      new ConcurrentHashMap<>();

  public HibernationManager(TimeSource time) {
    this.time = time;
  }

  /** Registers a newly accepted socket of {@code owner}. */
  public SocketRecord register(
      ObjectAddress owner,
      ClientConnection connection,
      List<String> tags,
      Function<SocketRecord, HibernatableWebSocket> handleFactory) {
    SocketRecord record = new SocketRecord(owner, connection, tags, handleFactory);
    if (byConnection.putIfAbsent(connection, record) != null) {
      throw new IllegalStateException("connection " + connection.describe() + " already accepted");
    }
    byObject.compute(
        owner,
        (a, sockets) -> {
          ObjectSockets s = sockets == null ? new ObjectSockets() : sockets;
          synchronized (s) {
            s.sockets.add(record);
          }
          return s;
        });
    return record;
  }

  /** The open socket of a connection, if it is one of ours. */
  public Optional<SocketRecord> find(ClientConnection connection) {
    return Optional.ofNullable(byConnection.get(connection));
  }

  /** Open sockets of {@code owner} in accept order, only those with {@code tag} if non-null. */
  public List<SocketRecord> sockets(ObjectAddress owner, String tag) {
    ObjectSockets sockets = byObject.get(owner);
    if (sockets == null) {
      return List.of();
    }
    List<SocketRecord> result = new ArrayList<>();
    synchronized (sockets) {
      for (SocketRecord r : sockets.sockets) {
        if (tag == null || r.tags().contains(tag)) {
          result.add(r);
        }
      }
    }
    return result;
  }

  /** Every object holding an open socket now: a snapshot, in no order. */
  public java.util.Set<ObjectAddress> owners() {
    return java.util.Set.copyOf(byObject.keySet());
  }

  /** How many open sockets {@code owner} holds. */
  public int count(ObjectAddress owner) {
    ObjectSockets sockets = byObject.get(owner);
    return sockets == null ? 0 : sockets.size();
  }

  /** How many open sockets the node holds. */
  public int totalCount() {
    return byConnection.size();
  }

  /**
   * Answers {@code message} with the owner's auto-response pair if it matches, without involving
   * the object. True if it answered.
   */
  public boolean tryAutoRespond(SocketRecord record, WebSocketMessage message) {
    ObjectSockets sockets = byObject.get(record.owner());
    WebSocketRequestResponsePair pair = sockets == null ? null : sockets.autoResponse;
    if (pair == null || !message.isText() || !message.text().equals(pair.request())) {
      return false;
    }
    record.lastAutoResponse(time.now());
    record.connection().send(WebSocketMessage.text(pair.response()));
    return true;
  }

  /** Sets or (with null) clears the auto-response pair of {@code owner}. */
  public void autoResponse(ObjectAddress owner, WebSocketRequestResponsePair pair) {
    byObject.compute(
        owner,
        (a, sockets) -> {
          ObjectSockets s = sockets == null ? new ObjectSockets() : sockets;
          s.autoResponse = pair;
          return s.isEmpty() ? null : s;
        });
  }

  /** The auto-response pair of {@code owner}. */
  public Optional<WebSocketRequestResponsePair> autoResponse(ObjectAddress owner) {
    ObjectSockets sockets = byObject.get(owner);
    return Optional.ofNullable(sockets == null ? null : sockets.autoResponse);
  }

  /** Records that the client closed the socket; true if it was open until now. */
  public boolean closeByClient(SocketRecord record) {
    if (!record.markClosed()) {
      return false;
    }
    forget(record);
    return true;
  }

  /** Closes the socket from the object's side; true if it was open until now. */
  public boolean closeByObject(SocketRecord record, int code, String reason) {
    if (!record.markClosed()) {
      return false;
    }
    forget(record);
    record.connection().close(code, reason);
    return true;
  }

  /** Forgets a socket accepted by a turn that then failed; the client sees the upgrade refused. */
  public void discard(SocketRecord record) {
    if (record.markClosed()) {
      forget(record);
    }
  }

  private void forget(SocketRecord record) {
    byConnection.remove(record.connection(), record);
    byObject.computeIfPresent(
        record.owner(),
        (a, sockets) -> {
          synchronized (sockets) {
            sockets.sockets.remove(record);
          }
          return sockets.isEmpty() ? null : sockets;
        });
  }

  /** One object's sockets and auto-response pair. */
  private static final class ObjectSockets {
    final LinkedHashSet<SocketRecord> sockets = new LinkedHashSet<>();
    volatile WebSocketRequestResponsePair autoResponse;

    synchronized int size() {
      return sockets.size();
    }

    synchronized boolean isEmpty() {
      return sockets.isEmpty() && autoResponse == null;
    }
  }
}
