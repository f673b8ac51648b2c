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
 *
 * <p>Build one with the factory named for its flag: {@link #remote(String, Throwable)}, {@link
 * #retryable(String, Throwable)}, {@link #overloaded(String)}, or {@link #invalid(String)} for a
 * call that carries none of them. The constructor is for subclasses.
 */
public class DurableObjectException extends RuntimeException {

  private final boolean remote;
  private final boolean retryable;
  private final boolean overloaded;

  /**
   * Creates an exception with the given flags. Code outside a subclass uses the factories, which
   * name the flag they set.
   */
  public DurableObjectException(
      String message, Throwable cause, boolean remote, boolean retryable, boolean overloaded) {
    super(message, cause);
    this.remote = remote;
    this.retryable = retryable;
    this.overloaded = overloaded;
  }

  /** The object's own code threw {@code cause}: {@link #remote()}. */
  public static DurableObjectException remote(String message, Throwable cause) {
    return new DurableObjectException(message, cause, true, false, false);
  }

  /** The object's own code threw, on another node or at an unknown place: {@link #remote()}. */
  public static DurableObjectException remote(String message) {
    return new DurableObjectException(message, null, true, false, false);
  }

  /** A transient infrastructure failure caused by {@code cause}: {@link #retryable()}. */
  public static DurableObjectException retryable(String message, Throwable cause) {
    return new DurableObjectException(message, cause, false, true, false);
  }

  /** A transient infrastructure failure: {@link #retryable()}. */
  public static DurableObjectException retryable(String message) {
    return new DurableObjectException(message, null, false, true, false);
  }

  /** The object's queue is full: {@link #overloaded()}. */
  public static DurableObjectException overloaded(String message) {
    return new DurableObjectException(message, null, false, false, true);
  }

  /**
   * The call itself is wrong (for example nested too deep, or naming an unknown namespace): none of
   * the three flags is set, and the same call will fail again.
   */
  public static DurableObjectException invalid(String message) {
    return new DurableObjectException(message, null, false, false, false);
  }

  /**
   * The same failure as {@code other}, with its message and flags and {@code other} as the cause:
   * for rethrowing on the waiting thread what failed on another.
   */
  public static DurableObjectException copyOf(DurableObjectException other) {
    return new DurableObjectException(
        other.getMessage(), other, other.remote(), other.retryable(), other.overloaded());
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
