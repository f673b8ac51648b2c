package dev.outpost.samples.notifications;

import static dev.outpost.api.realtime.Json.quote;

import dev.outpost.samples.notifications.NotificationInbox.Item;
import java.time.Instant;
import java.util.List;

/**
 * The JSON text of the events {@link NotificationInbox} sends (their shapes are documented there).
 * Written by hand, members in a fixed order, so the same state always gives the same bytes and
 * tests can compare them exactly. Stateless; any thread.
 */
final class InboxEvents {

  private InboxEvents() {}

  /** {@code {"type":"snapshot","user":..,"unread":U,"limit":L,"items":[..]}}, items as given. */
  static String snapshot(String user, int unread, int limit, List<Item> items) {
    StringBuilder out =
        new StringBuilder("{\"type\":\"snapshot\",\"user\":")
            .append(quote(user))
            .append(",\"unread\":")
            .append(unread)
            .append(",\"limit\":")
            .append(limit)
            .append(",\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? "" : ",").append(item(items.get(i)));
    }
    return out.append("]}").toString();
  }

  /** {@code {"type":"notification","item":{..},"unread":U,"dropped":[ids]}}. */
  static String notification(Item item, int unread, List<Long> dropped) {
    return "{\"type\":\"notification\",\"item\":"
        + item(item)
        + ",\"unread\":"
        + unread
        + ",\"dropped\":"
        + ids(dropped)
        + "}";
  }

  /** {@code {"type":"read","ids":[..],"unread":U}}. */
  static String read(List<Long> ids, int unread) {
    return "{\"type\":\"read\",\"ids\":" + ids(ids) + ",\"unread\":" + unread + "}";
  }

  /** {@code {"type":"rejected","op":OP,"reason":..}}. */
  static String rejected(String op, String reason) {
    return "{\"type\":\"rejected\",\"op\":" + quote(op) + ",\"reason\":" + quote(reason) + "}";
  }

  /**
   * {@code {"id":N,"from":..,"text":..,"time":ISO-8601,"read":B}}; the time in UTC to the
   * millisecond ({@link Instant#toString()}).
   */
  static String item(Item item) {
    return "{\"id\":"
        + item.id()
        + ",\"from\":"
        + quote(item.from())
        + ",\"text\":"
        + quote(item.text())
        + ",\"time\":\""
        + Instant.ofEpochMilli(item.timeMillis())
        + "\",\"read\":"
        + item.read()
        + "}";
  }

  private static String ids(List<Long> ids) {
    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < ids.size(); i++) {
      out.append(i == 0 ? "" : ",").append(ids.get(i));
    }
    return out.append(']').toString();
  }
}
