package dev.outpost.router.realtime;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ClientConnection;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sessions a node holds: by epoch, and by the WebSocket that currently carries them. Owns the
 * two maps and the ids (epochs, link ids). {@link SessionInbox} adds and looks up; a {@link
 * Session} removes itself when it ends or drops a WebSocket. Thread-safe (concurrent maps), never
 * blocks; it calls nothing back.
 */
final class SessionTable {

  private final SecureRandom random = new SecureRandom();
  private final AtomicLong linkIds = new AtomicLong();
  private final ConcurrentHashMap<String, Session> byEpoch = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ClientConnection, Session> byTransport =
      new ConcurrentHashMap<>();

  /** A new, unguessable session epoch. */
  String newEpoch() {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A new link id (the welcome's {@code conn}). */
  String nextLinkId() {
    return Long.toString(linkIds.incrementAndGet(), 36);
  }

  void add(Session session) {
    byEpoch.put(session.epoch(), session);
  }

  /** The session {@code epoch} of {@code address}; empty if there is none (or epoch is null). */
  Optional<Session> find(ObjectAddress address, String epoch) {
    Session s = epoch == null ? null : byEpoch.get(epoch);
    return s != null && s.address().equals(address) ? Optional.of(s) : Optional.empty();
  }

  void forget(Session session) {
    byEpoch.remove(session.epoch(), session);
  }

  int size() {
    return byEpoch.size();
  }

  void bindTransport(ClientConnection physical, Session session) {
    byTransport.put(physical, session);
  }

  /** The session {@code physical} carries, or null. */
  Session byTransport(ClientConnection physical) {
    return byTransport.get(physical);
  }

  boolean carriesSession(ClientConnection physical) {
    return byTransport.containsKey(physical);
  }

  /** Forgets {@code physical}; returns the session it carried, or null. */
  Session unbindTransport(ClientConnection physical) {
    return byTransport.remove(physical);
  }

  /** Forgets {@code physical} if it still carries {@code session}. */
  void unbindTransport(ClientConnection physical, Session session) {
    byTransport.remove(physical, session);
  }
}
