package dev.outpost.router.realtime;

import dev.outpost.api.WebSocketMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages a session sent, numbered, kept so a client that comes back can get exactly what it
 * missed. Offsets start at 1 and increase by one per message, never reused within a session.
 *
 * <p>Bounded three ways, oldest first out: at most {@code maxMessages} entries, {@code maxBytes}
 * payload bytes, and nothing older than {@code maxAge}; entries the client acknowledged leave
 * early. The newest entry stays whatever its size until it is acknowledged, too old, or followed by
 * another, so a message larger than {@code maxBytes} (up to the message-size limit) still reaches a
 * pull consumer that keeps up. A resume from offset {@code n} is possible exactly when every
 * message after {@code n} is still here ({@link #canResumeFrom}); otherwise the client must be told
 * "not recovered", never handed a partial gap.
 *
 * <p>Not thread-safe: its {@link Session} guards it.
 */
final class ReplayBuffer {

  /** One kept message: its offset, its encoded {@code m} frame and its payload size. */
  record Entry(long offset, String frame, int bytes, Instant at) {}

  private final int maxMessages;
  private final long maxBytes;
  private final Duration maxAge;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private long nextOffset = 1;
  private long bytes;

  ReplayBuffer(int maxMessages, long maxBytes, Duration maxAge) {
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
    this.maxAge = maxAge;
  }

  /** Numbers and keeps a message; returns its entry. */
  Entry append(WebSocketMessage message, Instant now) {
    long offset = nextOffset++;
    Entry entry = new Entry(offset, Protocol.message(offset, message), message.size(), now);
    entries.addLast(entry);
    bytes += entry.bytes();
    trim(now);
    return entry;
  }

  /** Drops entries past the bounds (count, bytes, age). */
  void trim(Instant now) {
    Instant oldest = now.minus(maxAge);
    while (!entries.isEmpty()
        && (entries.size() > maxMessages
            || (bytes > maxBytes && entries.size() > 1)
            || entries.peekFirst().at().isBefore(oldest))) {
      bytes -= entries.pollFirst().bytes();
    }
  }

  /** The client has everything up to {@code offset}: those entries may go. */
  void acknowledge(long offset) {
    while (!entries.isEmpty() && entries.peekFirst().offset() <= offset) {
      bytes -= entries.pollFirst().bytes();
    }
  }

  /** The offset of the last message sent; 0 before the first. */
  long latest() {
    return nextOffset - 1;
  }

  /** The offset of the oldest message still kept ({@link #latest()} + 1 when none is). */
  long oldestKept() {
    return entries.isEmpty() ? nextOffset : entries.peekFirst().offset();
  }

  /** Whether every message after {@code offset} is still kept (so a resume there is exact). */
  boolean canResumeFrom(long offset) {
    return offset >= 0 && offset <= latest() && offset + 1 >= oldestKept();
  }

  /**
   * The entries after {@code offset}, in order, at most {@code maxCount} and (beyond the first)
   * {@code maxBytesTotal} payload bytes.
   */
  List<Entry> after(long offset, int maxCount, long maxBytesTotal) {
    List<Entry> out = new ArrayList<>();
    long total = 0;
    for (Entry e : entries) {
      if (e.offset() <= offset) {
        continue;
      }
      if (out.size() >= maxCount || (!out.isEmpty() && total + e.bytes() > maxBytesTotal)) {
        break;
      }
      out.add(e);
      total += e.bytes();
    }
    return out;
  }

  /** How many entries are kept. */
  int size() {
    return entries.size();
  }

  /** Payload bytes kept. */
  long bytes() {
    return bytes;
  }
}
