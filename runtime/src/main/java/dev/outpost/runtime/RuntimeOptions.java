package dev.outpost.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one node's object host. Immutable; start from {@link #defaults()} and change fields
 * with the {@code with*} methods. Each field names the setting quoted in error messages.
 *
 * @param idleTimeout {@code outpost.object.idle-timeout}: an object with no event for this long is
 *     evicted from memory (its sockets stay open)
 * @param turnTimeout {@code outpost.object.turn-timeout}: a turn running longer is abandoned by the
 *     watchdog and the object reset
 * @param watchdogInterval how often the watchdog looks for stuck turns
 * @param maxQueuedEvents {@code outpost.object.max-queued-events}: events waiting for one object
 *     beyond this are refused as overloaded
 * @param maxTurnsPerCommit most turns whose writes are grouped into one storage commit
 * @param maxEntrySize {@code outpost.storage.max-entry-size}: key plus value, in bytes
 * @param maxAttachmentSize {@code outpost.websocket.max-attachment-size}: bytes per socket
 *     attachment
 * @param alarmRetryStart first retry delay of a failing alarm; doubled on each retry
 * @param alarmMaxRetries retries of a failing alarm before it is dropped
 * @param idKey secret from which object ids are derived; the same on every node of a cluster
 * @param maxRpcSize bytes of JSON of one typed call's arguments, or of its result; a cluster node
 *     sets it to its router's {@code outpost.websocket.max-message-size}
 */
public record RuntimeOptions(
    Duration idleTimeout,
    Duration turnTimeout,
    Duration watchdogInterval,
    int maxQueuedEvents,
    int maxTurnsPerCommit,
    int maxEntrySize,
    int maxAttachmentSize,
    Duration alarmRetryStart,
    int alarmMaxRetries,
    String idKey,
    int maxRpcSize) {

  /** Validates every field. */
  public RuntimeOptions {
    requirePositive(idleTimeout, "idleTimeout");
    requirePositive(turnTimeout, "turnTimeout");
    requirePositive(watchdogInterval, "watchdogInterval");
    requirePositive(alarmRetryStart, "alarmRetryStart");
    if (maxQueuedEvents < 1
        || maxTurnsPerCommit < 1
        || maxEntrySize < 1
        || maxAttachmentSize < 1
        || maxRpcSize < 1) {
      throw new IllegalArgumentException(
          "queue, group, entry, attachment and RPC sizes must be >= 1");
    }
    if (alarmMaxRetries < 0) {
      throw new IllegalArgumentException("alarmMaxRetries must be >= 0");
    }
    Objects.requireNonNull(idKey, "idKey");
  }

  /**
   * Cloudflare's values where it has one: 10 s idle, 30 s per turn, 2 MiB entries, 16 KiB
   * attachments; typed calls up to 1 MiB of JSON (the router's default message limit).
   */
  public static RuntimeOptions defaults() {
    return new RuntimeOptions(
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(1),
        4096,
        256,
        2 * 1024 * 1024,
        16 * 1024,
        Duration.ofSeconds(2),
        6,
        "outpost-development-id-key",
        1024 * 1024);
  }

  /** With another idle timeout. */
  public RuntimeOptions withIdleTimeout(Duration value) {
    return new RuntimeOptions(
        value,
        turnTimeout,
        watchdogInterval,
        maxQueuedEvents,
        maxTurnsPerCommit,
        maxEntrySize,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        idKey,
        maxRpcSize);
  }

  /** With another turn timeout. */
  public RuntimeOptions withTurnTimeout(Duration value) {
    return new RuntimeOptions(
        idleTimeout,
        value,
        watchdogInterval,
        maxQueuedEvents,
        maxTurnsPerCommit,
        maxEntrySize,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        idKey,
        maxRpcSize);
  }

  /** With another bound on queued events per object. */
  public RuntimeOptions withMaxQueuedEvents(int value) {
    return new RuntimeOptions(
        idleTimeout,
        turnTimeout,
        watchdogInterval,
        value,
        maxTurnsPerCommit,
        maxEntrySize,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        idKey,
        maxRpcSize);
  }

  /** With another limit on key plus value size. */
  public RuntimeOptions withMaxEntrySize(int value) {
    return new RuntimeOptions(
        idleTimeout,
        turnTimeout,
        watchdogInterval,
        maxQueuedEvents,
        maxTurnsPerCommit,
        value,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        idKey,
        maxRpcSize);
  }

  /** With another id key. */
  public RuntimeOptions withIdKey(String value) {
    return new RuntimeOptions(
        idleTimeout,
        turnTimeout,
        watchdogInterval,
        maxQueuedEvents,
        maxTurnsPerCommit,
        maxEntrySize,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        value,
        maxRpcSize);
  }

  /** With another limit on a typed call's arguments or result, in bytes of JSON. */
  public RuntimeOptions withMaxRpcSize(int value) {
    return new RuntimeOptions(
        idleTimeout,
        turnTimeout,
        watchdogInterval,
        maxQueuedEvents,
        maxTurnsPerCommit,
        maxEntrySize,
        maxAttachmentSize,
        alarmRetryStart,
        alarmMaxRetries,
        idKey,
        value);
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
