package dev.outpost.api.realtime;

import java.util.Map;
import java.util.Objects;

/**
 * One presence entry: a user on one connection. A user with two tabs has two entries, with the same
 * {@code user} and different {@code connection}s. Kept as the socket's attachment, so it lives
 * exactly as long as the socket and survives hibernation.
 *
 * @param user who, as the application names users
 * @param connection an id of this connection, unique within the object
 * @param meta what the application wants others to see (name, colour, ...); JSON-serializable
 * @param joinedAtMillis when the entry joined, epoch milliseconds
 */
public record PresenceEntry(
    String user, String connection, Map<String, Object> meta, long joinedAtMillis) {

  /** Validates and copies. */
  public PresenceEntry {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(connection, "connection");
    meta = meta == null ? Map.of() : Map.copyOf(meta);
  }

  /** The entry as a JSON object: {@code {"user":..,"connection":..,"meta":{..}}}. */
  public String toJson() {
    return Json.write(
        new java.util.LinkedHashMap<>(
            Map.of("user", user, "connection", connection, "meta", meta)));
  }
}
