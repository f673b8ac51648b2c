package dev.outpost.api.realtime;

import dev.outpost.api.DurableObjectState;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.ListOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who is here: presence for an object's connections, built on the user API only.
 *
 * <p><b>Model.</b> Entries are keyed by (user, connection): each connection that {@link #join}s
 * carries a {@link PresenceEntry} as its attachment, so the entry lives exactly as long as the
 * socket, survives hibernation and never outlives a node that crashed (no zombies). Events are per
 * user: {@code join} when a user with no connection gets one, {@code leave} when a user's last
 * connection has been gone for the grace period. A user who comes back within the grace period (a
 * reload, a reconnect that could not be resumed) causes no event at all, so others see no
 * leave/join flicker. A joiner first receives a snapshot of everyone present (users within their
 * grace period included).
 *
 * <p><b>Messages</b> (text, JSON), sent to the open connections carrying {@code tag} that joined:
 *
 * <pre>
 * {"type":"presence","event":"snapshot","members":[{"user":..,"connection":..,"meta":{..}}, ...]}
 * {"type":"presence","event":"join","user":..,"connection":..,"meta":{..}}
 * {"type":"presence","event":"leave","user":..}
 * </pre>
 *
 * <p><b>Wiring.</b> Accept the socket with {@code tag} among its tags, call {@link #join} in the
 * same {@code fetch}, {@link #leave} from {@code webSocketClose} (and {@code webSocketError}), and
 * {@link #alarm()} from {@code alarm}. Pending leaves are kept in storage under {@value #PREFIX}
 * and the object's alarm is set for the next one (the alarm is moved earlier when needed, never
 * later; an object that uses its alarm for other things should call {@link #alarm()} from its own
 * handler and re-arm for itself). The attachment belongs to presence: put application data in
 * {@code meta}.
 *
 * <p>Not thread-safe; use it from the object's turns, like the state it wraps. Time comes from the
 * clock given, by default the object's ({@link DurableObjectState#clock()}), so the test kit's
 * manual time moves grace periods too.
 */
public final class Presence {

  /** Storage key prefix of pending leaves. */
  public static final String PREFIX = "outpost.presence/pending/";

  private final DurableObjectState state;
  private final String tag;
  private final Duration grace;
  private final InstantSource clock;

  /** A pending leave: the user's last entry and when the leave is due (epoch ms). */
  public record PendingLeave(PresenceEntry last, long dueMillis) {}

  /**
   * Presence over the connections tagged {@code tag}, with a {@code grace} period, on the object's
   * clock.
   */
  public Presence(DurableObjectState state, String tag, Duration grace) {
    this(state, tag, grace, state.clock());
  }

  /** As above, with a clock of the caller's (a {@link java.time.Clock} is one). */
  public Presence(DurableObjectState state, String tag, Duration grace, InstantSource clock) {
    this.state = Objects.requireNonNull(state, "state");
    this.tag = Objects.requireNonNull(tag, "tag");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.clock = Objects.requireNonNull(clock, "clock");
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
  }

  /**
   * Enters {@code ws} as {@code user}: stores the entry as its attachment, sends it a snapshot, and
   * tells the others that {@code user} joined unless the user was already present (another
   * connection, or within the grace period of a leave).
   *
   * @return the new entry
   */
  public PresenceEntry join(HibernatableWebSocket ws, String user, Map<String, ?> meta) {
    Objects.requireNonNull(ws, "ws");
    Objects.requireNonNull(user, "user");
    PresenceEntry entry =
        new PresenceEntry(
            user,
            UUID.randomUUID().toString(),
            meta == null ? Map.of() : new LinkedHashMap<>(meta),
            clock.millis());
    boolean wasPending = state.storage().delete(PREFIX + user);
    boolean present = wasPending || entries().stream().anyMatch(e -> e.user().equals(user));
    ws.serializeAttachment(entry);
    List<String> members = new ArrayList<>();
    Set<String> users = new LinkedHashSet<>();
    for (PresenceEntry e : entries()) {
      members.add(e.toJson());
      users.add(e.user());
    }
    for (PendingLeave p : pending().values()) {
      if (users.add(p.last().user())) {
        members.add(p.last().toJson());
      }
    }
    ws.send(
        "{\"type\":\"presence\",\"event\":\"snapshot\",\"members\":["
            + String.join(",", members)
            + "]}");
    if (!present) {
      String event = "{\"type\":\"presence\",\"event\":\"join\"," + entry.toJson().substring(1);
      for (HibernatableWebSocket other : joined()) {
        if (other != ws) {
          other.send(event);
        }
      }
    }
    return entry;
  }

  /**
   * Takes {@code ws}'s entry out (call when it closed). When it was the user's last connection, the
   * user's leave is announced after the grace period unless the user comes back first.
   */
  public void leave(HibernatableWebSocket ws) {
    Optional<PresenceEntry> entry = entry(ws);
    if (entry.isEmpty()) {
      return;
    }
    String user = entry.get().user();
    boolean stillHere =
        joinedEntries().stream()
            .anyMatch(
                e ->
                    e.socket != ws
                        && e.entry.user().equals(user)
                        && !e.entry.connection().equals(entry.get().connection()));
    if (stillHere) {
      return;
    }
    if (grace.isZero()) {
      announceLeave(user);
      return;
    }
    Instant due = clock.instant().plus(grace);
    state.storage().put(PREFIX + user, new PendingLeave(entry.get(), due.toEpochMilli()));
    Optional<Instant> alarm = state.storage().getAlarm();
    if (alarm.isEmpty() || alarm.get().isAfter(due)) {
      state.storage().setAlarm(due);
    }
  }

  /**
   * Announces the leaves that are due and re-arms the alarm for the next one. Call from the
   * object's {@code alarm}.
   *
   * @return how many leaves were announced
   */
  public int alarm() {
    long now = clock.millis();
    int announced = 0;
    long next = Long.MAX_VALUE;
    for (Map.Entry<String, PendingLeave> e : pending().entrySet()) {
      PendingLeave p = e.getValue();
      if (p.dueMillis() <= now) {
        state.storage().delete(e.getKey());
        String user = p.last().user();
        if (joinedEntries().stream().noneMatch(j -> j.entry.user().equals(user))) {
          announceLeave(user);
          announced++;
        }
      } else {
        next = Math.min(next, p.dueMillis());
      }
    }
    if (next != Long.MAX_VALUE) {
      // While the handler runs, the alarm that fired is still set (the runtime deletes it after
      // the handler unless the handler set another): one at or before now does not count.
      Optional<Instant> alarm = state.storage().getAlarm();
      if (alarm.isEmpty()
          || alarm.get().toEpochMilli() > next
          || alarm.get().toEpochMilli() <= now) {
        state.storage().setAlarm(Instant.ofEpochMilli(next));
      }
    }
    return announced;
  }

  private void announceLeave(String user) {
    String event = "{\"type\":\"presence\",\"event\":\"leave\",\"user\":" + Json.write(user) + "}";
    for (HibernatableWebSocket ws : joined()) {
      ws.send(event);
    }
  }

  /** The entry of {@code ws}, if it joined. */
  public Optional<PresenceEntry> entry(HibernatableWebSocket ws) {
    try {
      return ws.deserializeAttachment(PresenceEntry.class);
    } catch (RuntimeException e) {
      return Optional.empty(); // an attachment that is not a presence entry
    }
  }

  /** The entries of every open connection that joined, in accept order. */
  public List<PresenceEntry> entries() {
    return joinedEntries().stream().map(j -> j.entry).toList();
  }

  /** Users present: with an open connection, or within the grace period of their leave. */
  public Set<String> users() {
    Set<String> users = new LinkedHashSet<>();
    entries().forEach(e -> users.add(e.user()));
    pending().values().forEach(p -> users.add(p.last().user()));
    return users;
  }

  private record Joined(HibernatableWebSocket socket, PresenceEntry entry) {}

  private List<Joined> joinedEntries() {
    List<Joined> out = new ArrayList<>();
    for (HibernatableWebSocket ws : state.getWebSockets(tag)) {
      if (ws.isOpen()) {
        entry(ws).ifPresent(e -> out.add(new Joined(ws, e)));
      }
    }
    return out;
  }

  private List<HibernatableWebSocket> joined() {
    return joinedEntries().stream().map(Joined::socket).toList();
  }

  private Map<String, PendingLeave> pending() {
    return state.storage().list(ListOptions.builder().prefix(PREFIX).build(), PendingLeave.class);
  }
}
