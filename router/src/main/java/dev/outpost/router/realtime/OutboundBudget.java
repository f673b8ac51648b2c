package dev.outpost.router.realtime;

/**
 * The room one connection has for output that is not yet written: at most {@code maxMessages}
 * messages and {@code maxBytes} bytes (text counted in chars, never more than its UTF-8 bytes). A
 * connection whose output would not fit is a slow consumer (closed with 4008 by its owner).
 *
 * <p>One message is always admitted when nothing is waiting, whatever its size, so that a single
 * message up to the message-size limit reaches a consumer that keeps up even when it is larger than
 * {@code maxBytes}; the bounds limit what piles up behind it. Thread-safe.
 */
public final class OutboundBudget {

  private final int maxMessages;
  private final long maxBytes;
  private int messages; // admitted and not yet released
  private long bytes;

  /** A budget from the outbound bounds of {@code options}. */
  public static OutboundBudget of(RealtimeOptions options) {
    return new OutboundBudget(options.outboundMaxMessages(), options.outboundMaxBytes());
  }

  /** A budget of {@code maxMessages} messages and {@code maxBytes} bytes (both at least 1). */
  public OutboundBudget(int maxMessages, long maxBytes) {
    if (maxMessages < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("outbound bounds must be >= 1");
    }
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** Admits a message of {@code size} if it fits (or nothing waits); false if it does not. */
  public synchronized boolean tryAdmit(long size) {
    if (messages > 0 && (messages + 1 > maxMessages || bytes + size > maxBytes)) {
      return false;
    }
    messages++;
    bytes += size;
    return true;
  }

  /** A message of {@code size} admitted earlier has been written (or dropped). */
  public synchronized void release(long size) {
    messages--;
    bytes -= size;
  }

  /** Messages admitted and not released. */
  public synchronized int messages() {
    return messages;
  }

  /** Bytes admitted and not released. */
  public synchronized long bytes() {
    return bytes;
  }
}
