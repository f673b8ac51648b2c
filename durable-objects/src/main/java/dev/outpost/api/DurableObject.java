package dev.outpost.api;

/**
 * The logic of one durable object: a room, a document, a lobby, a job.
 *
 * <p>Outpost keeps at most one live instance of a class per {@link DurableObjectId} in the whole
 * cluster and delivers its events one at a time (a <em>turn</em> each): no two methods of one
 * instance ever run concurrently, so an implementation needs no locks. Each turn runs on its own
 * virtual thread, so blocking calls (storage, other objects) are fine.
 *
 * <p>An implementation is a public class with a public constructor taking {@code
 * (DurableObjectState, Env)}. The constructor runs when the object is first needed and again after
 * every eviction (hibernation) or reset, so it must be cheap and rebuild in-memory state from
 * storage and socket attachments.
 *
 * <p>An exception escaping a method does not undo what the turn did, as in Cloudflare: the writes
 * made before it are kept and committed, its sends still leave, and the caller's error (an HTTP 500
 * with an error id) is held by the output gate until those writes are durable (workerd waits for
 * the output gate before an exception leaves, cloudflare/workerd PR #585). The instance and its
 * in-memory state live on. Only {@link DurableObjectStorage#transaction} rolls back, and only what
 * it wrote. The object is reset (its in-memory state dropped, the failing turn's writes discarded,
 * the constructor run again by the next event) only when it breaks: a {@link
 * DurableObjectState#blockConcurrencyWhile} callback threw, a turn ran past its time budget, the
 * JVM ran out of memory, or a commit failed (then every write not yet durable is discarded too).
 * Hibernatable WebSockets stay open through a reset.
 */
public interface DurableObject {

  /**
   * Handles an HTTP request or a WebSocket upgrade addressed to this object.
   *
   * <p>To accept a WebSocket, return {@link DurableObjectState#acceptWebSocket(Request,
   * String...)}. The response is held by the output gate until every write made before it is
   * durable.
   *
   * <p>Typed calls ({@link DurableObjectStub#rpc(Class)}: requests marked {@code X-Outpost-Rpc})
   * never reach this method: the runtime runs the interface method they name instead.
   *
   * @param request the request, never null
   * @return the response, never null
   * @throws Exception any exception answers 500 once the writes made before it are durable
   */
  Response fetch(Request request) throws Exception;

  /**
   * Handles a message received on a WebSocket accepted with {@link
   * DurableObjectState#acceptWebSocket(Request, String...)}, waking the object if it hibernated.
   * The default implementation ignores the message.
   *
   * @param ws the socket the message came from
   * @param message a text or binary message
   */
  default void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message)
      throws Exception {}

  /**
   * Called once when a hibernatable WebSocket closed, from either side. The runtime completes the
   * close handshake itself; calling {@link HibernatableWebSocket#close} here is allowed but not
   * needed. The default implementation does nothing.
   *
   * @param ws the socket, already closed
   * @param code the close code (1005 when the peer sent none, 1006 when the connection dropped)
   * @param reason the close reason, possibly empty
   * @param wasClean whether a close frame was received
   */
  default void webSocketClose(HibernatableWebSocket ws, int code, String reason, boolean wasClean)
      throws Exception {}

  /**
   * Called when a hibernatable WebSocket failed with a protocol or transport error. A {@link
   * #webSocketClose} call follows. The default implementation does nothing.
   */
  default void webSocketError(HibernatableWebSocket ws, Throwable error) throws Exception {}

  /**
   * Called when the alarm set with {@link DurableObjectStorage#setAlarm} is due. Delivery is at
   * least once: if this throws, it is retried with exponential backoff from 2 s, up to 6 times
   * ({@link AlarmInfo#retryCount()} tells which attempt this is). Make it idempotent. The default
   * implementation does nothing.
   */
  default void alarm(AlarmInfo info) throws Exception {}
}
