package dev.outpost.runtime.spi;

import dev.outpost.runtime.ObjectAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * An alarm as stored: the object it wakes (with the id's name, if any) and when.
 *
 * @param object the object; its id keeps the name it was made from
 * @param time when the alarm is due, millisecond precision
 */
public record StoredAlarm(ObjectAddress object, Instant time) {
  /** Checks for nulls. */
  public StoredAlarm {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(time, "time");
  }
}
