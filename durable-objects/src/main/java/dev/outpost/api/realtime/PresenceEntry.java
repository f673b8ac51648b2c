package dev.outpost.api.realtime;

import java.util.Collections;
import java.util.LinkedHashMap;
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
    if (meta == null) {
      meta = Map.of();
    } else {
      meta.forEach(
          (key, value) -> {
            Objects.requireNonNull(key, "meta key");
            Objects.requireNonNull(value, () -> "meta value of " + key);
          });
      // Keeps the application's key order, so every node writes the same JSON.
      meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }
  }

  /**
   * The entry as a JSON object, keys always in this order: {@code
   * {"user":..,"connection":..,"meta":{..}}}.
   */
  public String toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("user", user);
    json.put("connection", connection);
    json.put("meta", meta);
    return Json.write(json);
  }
}
