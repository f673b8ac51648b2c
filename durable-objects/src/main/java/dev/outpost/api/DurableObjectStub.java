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

  /**
   * A typed stub: an implementation of {@code api} whose every call runs the same method of the
   * object, as one turn on its owner wherever it is (Cloudflare's JS RPC, {@code
   * stub.method(args)}, in Java). The object's class must implement {@code api}, a public interface
   * annotated {@link Rpc}; only methods of such interfaces are callable, never the class's other
   * public methods nor {@link Object}'s.
   *
   * <pre>{@code
   * interface RoomApi { int join(String user); List<String> members(); }  // annotated @Rpc
   * RoomApi room = env.namespace("rooms").getByName("lobby").rpc(RoomApi.class);
   * int count = room.join("ana");   // runs RoomApi.join on the room's instance, in its own turn
   * }</pre>
   *
   * <p>Arguments and results travel as JSON (Jackson): strings, numbers, booleans, enums, records,
   * beans, arrays, lists, sets and maps of those, and {@code null}. Their JSON is limited to the
   * node's message size ({@code outpost.websocket.max-message-size}, 1 MiB by default). Calls block
   * the calling thread (from inside a turn, only the calling object's virtual thread) and are
   * delivered in call order; a call back into an object waiting in the same call chain runs
   * re-entrantly, as for {@link #fetch}. {@code equals}, {@code hashCode} and {@code toString} of
   * the returned stub are local. The returned stub is thread-safe.
   *
   * @throws IllegalArgumentException at once if {@code api} is not an interface annotated {@link
   *     Rpc}
   * @see RpcException for what a call throws
   */
  <T> T rpc(Class<T> api);
}
