package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;

/**
 * Where a stub's {@code fetch} goes: an object-to-object call, made on the calling turn's thread.
 * The node's catalog answers it; the bundle only needs this one method of it.
 */
@FunctionalInterface
public interface StubCalls {

  /**
   * Calls {@code target}'s {@code fetch} and waits for the response.
   *
   * @throws dev.outpost.api.DurableObjectException with {@code remote}, {@code overloaded} or
   *     {@code retryable}
   */
  Response call(ObjectAddress target, Request request);
}
