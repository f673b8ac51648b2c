package dev.outpost.api;

import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * What the runtime gives an object instance: its id, its storage and its hibernatable WebSockets.
 * Passed to the constructor; valid for the life of the instance. Call it only from the object's own
 * turns.
 */
public interface DurableObjectState {

  /** Most tags one socket may carry. */
  int MAX_TAGS = 10;

  /** Longest tag, in characters. */
  int MAX_TAG_LENGTH = 256;

  /** Most sockets one object may hold. */
  int MAX_WEBSOCKETS = 32_768;

  /** The object's id; {@code id().name()} is present when it was addressed by name. */
  DurableObjectId id();

  /** The object's transactional storage. */
  DurableObjectStorage storage();

  /**
   * The runtime's wall clock: the node's system time in production, the test kit's manual clock
   * under {@code ObjectHarness}. Read time here rather than from {@code System.currentTimeMillis()}
   * so that alarms, deadlines and timestamps an object computes can be tested by moving time by
   * hand. Alarms ({@link DurableObjectStorage#setAlarm}) fire on this same clock. Any thread.
   */
  InstantSource clock();

  /**
   * Accepts the WebSocket that {@code request} asks for, as a hibernatable socket of this object,
   * and returns the response to return from {@code fetch}. The response carries the accepted socket
   * ({@link Response#webSocket()}), the way Cloudflare code keeps the server end of the pair it
   * passed to {@code ctx.acceptWebSocket(server)}:
   *
   * <pre>{@code
   * Response accepted = state.acceptWebSocket(request, "member");
   * HibernatableWebSocket ws = accepted.webSocket().orElseThrow();
   * ws.serializeAttachment(Map.of("user", user));
   * ws.send("welcome");
   * return accepted;
   * }</pre>
   *
   * The socket can be used at once, in the same turn.
   *
   * @param request the upgrade request passed to the current {@code fetch}
   * @param tags up to {@value #MAX_TAGS} tags of up to {@value #MAX_TAG_LENGTH} characters;
   *     duplicates are ignored
   * @return a 101 response whose {@link Response#webSocket()} is the accepted socket; return it
   *     from {@code fetch}
   * @throws IllegalStateException if {@code request} is not the upgrade request of the current
   *     {@code fetch}, or the object already holds {@value #MAX_WEBSOCKETS} sockets
   * @throws IllegalArgumentException if the tags break the limits
   */
  Response acceptWebSocket(Request request, String... tags);

  /** Every open socket of this object, in the order they were accepted. */
  List<HibernatableWebSocket> getWebSockets();

  /** The open sockets carrying {@code tag}, in the order they were accepted. */
  List<HibernatableWebSocket> getWebSockets(String tag);

  /**
   * The tags of a socket.
   *
   * @throws IllegalArgumentException if the socket is not one of this object's
   */
  List<String> getTags(HibernatableWebSocket ws);

  /**
   * Sets the pair answered on every socket of this object without waking it. It survives
   * hibernation and replaces any earlier pair.
   */
  void setWebSocketAutoResponse(WebSocketRequestResponsePair pair);

  /** Removes the automatic reply. */
  void clearWebSocketAutoResponse();

  /** The current automatic reply, if any. */
  Optional<WebSocketRequestResponsePair> getWebSocketAutoResponse();

  /** When the automatic reply last answered on {@code ws}, if it ever did. */
  Optional<Instant> getWebSocketAutoResponseTimestamp(HibernatableWebSocket ws);

  /**
   * Runs {@code callback} with every other event held back until it returns, typically to load or
   * migrate state in the constructor. If it throws, the exception propagates and the object is
   * reset (D-state: "if the callback throws, the object is reset"): the turn's writes are dropped
   * and its caller gets an error even if the code catches the exception. If it runs past the turn's
   * time budget, the watchdog resets the object.
   *
   * @return what the callback returned
   */
  <T> T blockConcurrencyWhile(Callable<T> callback) throws Exception;
}
