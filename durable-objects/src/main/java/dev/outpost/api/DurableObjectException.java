package dev.outpost.api;

/**
 * A failure a caller of a {@link DurableObjectStub} can act on, with Cloudflare's three flags.
 *
 * <ul>
 *   <li>{@link #remote()}: the object's own code threw; retrying will likely fail again.
 *   <li>{@link #retryable()}: a transient infrastructure failure; retry idempotent calls with
 *       backoff.
 *   <li>{@link #overloaded()}: the object's queue is full; do not retry at once, that worsens it.
 * </ul>
 */
public class DurableObjectException extends RuntimeException {

  private final boolean remote;
  private final boolean retryable;
  private final boolean overloaded;

  /** Creates an exception with the given flags. */
  public DurableObjectException(
      String message, Throwable cause, boolean remote, boolean retryable, boolean overloaded) {
    super(message, cause);
    this.remote = remote;
    this.retryable = retryable;
    this.overloaded = overloaded;
  }

  /** Whether the object's code threw. */
  public boolean remote() {
    return remote;
  }

  /** Whether the failure was transient infrastructure trouble worth retrying. */
  public boolean retryable() {
    return retryable;
  }

  /** Whether the object refused the call because its queue was full. */
  public boolean overloaded() {
    return overloaded;
  }
}
