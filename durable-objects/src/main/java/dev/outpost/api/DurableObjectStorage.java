package dev.outpost.api;

import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * An object's private, durable key-value storage, plus its one alarm.
 *
 * <p>Writes of one turn are committed together as one atomic batch after the turn; anything the
 * turn sends (a response, a socket message, a call) leaves only once those writes are durable. If
 * the commit fails, the held messages are dropped and the object is reset. If the turn throws, its
 * writes are discarded.
 *
 * <p>Call only from the object's own turns.
 */
public interface DurableObjectStorage extends StorageOperations {

  /**
   * Runs {@code function} as a transaction: its writes apply atomically if it returns normally
   * without calling {@link DurableObjectTransaction#rollback()}; if it throws or rolls back, none
   * apply.
   *
   * @return what the function returned
   */
  <T> T transaction(Function<DurableObjectTransaction, T> function);

  /** Deletes every key of this object and its alarm. */
  void deleteAll();

  /** Blocks until every write made so far, unconfirmed ones included, is durable. */
  void sync();

  /** The time the alarm is set for, if one is set. */
  Optional<Instant> getAlarm();

  /**
   * Sets the object's one alarm, replacing any earlier one. A time in the past fires as soon as
   * possible. {@link DurableObject#alarm(AlarmInfo)} runs at or after that time.
   */
  void setAlarm(Instant time);

  /** Removes the alarm, if one is set; an alarm handler already running is not cancelled. */
  void deleteAlarm();
}
