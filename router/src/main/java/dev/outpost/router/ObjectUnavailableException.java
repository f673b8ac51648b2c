package dev.outpost.router;

import dev.outpost.runtime.ObjectLocator;
import java.time.Duration;

/**
 * The directory says an object cannot be reached now (its node is gone, no node serves its region,
 * or it is moving). The router answers it with 503, the reason and {@code Retry-After}; an object
 * calling it gets a retryable {@link dev.outpost.api.DurableObjectException}. No stack trace: this
 * is an answer, not a bug.
 */
final class ObjectUnavailableException extends RuntimeException {

  private final ObjectLocator.Location.Unavailable location;

  ObjectUnavailableException(ObjectLocator.Location.Unavailable location) {
    super(location.reason(), null, false, false);
    this.location = location;
  }

  /** Whether the object is being handed to another node (worth waiting a moment for). */
  boolean moving() {
    return location.moving();
  }

  /** How long the client should wait before asking again. */
  Duration retryAfter() {
    return location.retryAfter();
  }
}
