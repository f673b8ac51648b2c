package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;

/**
 * Where a stub's {@code fetch} (and its typed calls, which travel as requests) goes: an
 * object-to-object call, made on the calling turn's thread. The node's catalog answers it.
 */
public interface StubCalls {

  /**
   * Calls {@code target}'s {@code fetch} and waits for the response.
   *
   * @throws dev.outpost.api.DurableObjectException with {@code remote}, {@code overloaded} or
   *     {@code retryable}
   */
  Response call(ObjectAddress target, Request request);

  /** Most bytes of JSON of one typed call's arguments ({@code RuntimeOptions.maxRpcSize}). */
  int maxRpcSize();
}
