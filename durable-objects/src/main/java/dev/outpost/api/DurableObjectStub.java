package dev.outpost.api;

/**
 * A client-side handle on one object. Calls made through the same stub are delivered in call order.
 * Thread-safe.
 */
public interface DurableObjectStub {

  /** The id of the object this stub reaches. */
  DurableObjectId id();

  /**
   * Sends a request to the object's {@link DurableObject#fetch(Request)} and waits for its
   * response. Called from inside a turn, this blocks only the calling object's virtual thread.
   *
   * @throws DurableObjectException if the object threw ({@link DurableObjectException#remote()}),
   *     was overloaded ({@link DurableObjectException#overloaded()}) or could not be reached
   *     ({@link DurableObjectException#retryable()})
   */
  Response fetch(Request request);
}
