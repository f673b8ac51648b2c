package dev.outpost.runtime;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.internal.rpc.RpcStubs;
import dev.outpost.runtime.internal.rpc.RpcWire;
import java.util.function.Function;

/**
 * Typed calls ({@link dev.outpost.api.DurableObjectStub#rpc}) for code outside the runtime that
 * sends requests its own way (the test kit, with its timeouts): a call travels as a request, so any
 * way of delivering a request to an object's {@code fetch} entry ({@link ObjectInbox#fetch}, an
 * HTTP POST to its URL) delivers a typed call too. The wire form is in the README, "Typed RPC".
 */
public final class RpcCalls {

  /** The request header that marks a typed call and names its method. */
  public static final String METHOD_HEADER = RpcWire.METHOD_HEADER;

  /** The request header that names the interface a typed call's method comes from (optional). */
  public static final String INTERFACE_HEADER = RpcWire.INTERFACE_HEADER;

  private RpcCalls() {}

  /** Whether {@code request} is a typed call rather than a request for the object's fetch. */
  public static boolean isCall(Request request) {
    return RpcWire.isCall(request);
  }

  /**
   * A stub of {@code api} whose calls are written as requests and delivered by {@code send}, which
   * returns the object's response (or throws a {@link dev.outpost.api.DurableObjectException}).
   *
   * @param target names the object in messages and {@code toString} ({@code rooms/lobby})
   * @param maxArgumentsSize most bytes of JSON of one call's arguments; larger calls fail before
   *     they are sent
   * @throws IllegalArgumentException if {@code api} is not an interface
   */
  public static <T> T stub(
      Class<T> api, String target, int maxArgumentsSize, Function<Request, Response> send) {
    return RpcStubs.create(api, target, maxArgumentsSize, send);
  }
}
