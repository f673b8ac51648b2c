package dev.outpost.runtime;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The one way into a node's objects, whatever the transport (workerd's {@code WorkerInterface}).
 * The router converts HTTP and WebSocket traffic to these calls; the runtime never sees a socket or
 * an HTTP type.
 *
 * <p>Futures complete on a turn's thread once the response may leave (after the output gate), or
 * exceptionally with a {@link dev.outpost.api.DurableObjectException}: {@code overloaded()} when
 * the object's queue is full (answer 503 with Retry-After), {@code remote()} when the object threw
 * (answer 500; the message carries an error id), {@code retryable()} when storage failed.
 *
 * <p>Thread-safe; no method blocks.
 */
public interface ObjectInbox {

  /** The namespace with this name, if one of the apps has it. */
  Optional<DurableObjectNamespace> namespace(String name);

  /** The names of every namespace of every app. */
  Set<String> namespaceNames();

  /**
   * The apps this node runs side by side (sorted by name), each with its version and namespaces.
   */
  java.util.List<ServedApp> apps();

  /**
   * The apps' PartyKit party aliases: party name → the namespace it reaches (the manifest's {@code
   * party.NAME=NAMESPACE} entries). A party not listed reaches the namespace of its own name, if
   * there is one. Each value is one of {@link #namespaceNames()}.
   */
  java.util.SortedMap<String, String> parties();

  /**
   * The guards requests to {@code namespace} pass in the router before an object of it is woken
   * ({@link ConnectGuards#NONE} for an unknown namespace or one without guards). Read it per
   * request: a deploy of the namespace's app changes it.
   */
  ConnectGuards guards(String namespace);

  /**
   * Delivers an HTTP request to the object's {@code fetch}; a typed call (a request marked {@link
   * RpcCalls#METHOD_HEADER}) runs the interface method it names instead and is answered with its
   * result, its exception or why it did not fit (README, "Typed RPC").
   */
  CompletableFuture<Response> fetch(ObjectAddress address, Request request);

  /**
   * Delivers an object-to-object call from a stub; {@code chain} lists the objects waiting on it,
   * outermost first, so that a call back into one of them runs re-entrantly instead of deadlocking.
   */
  CompletableFuture<Response> call(
      ObjectAddress address, Request request, java.util.List<ObjectAddress> chain);

  /**
   * Delivers a WebSocket upgrade request. If the object accepts, the response is a 101 and {@code
   * connection} is from then on one of its hibernatable sockets: the transport completes the
   * handshake and reports the socket's traffic through the methods below. Anything else rejects the
   * upgrade and the transport answers it as HTTP.
   */
  CompletableFuture<Response> upgrade(
      ObjectAddress address, Request request, ClientConnection connection);

  /** Reports a message received on an accepted connection. */
  void socketMessage(ClientConnection connection, WebSocketMessage message);

  /** Reports that an accepted connection closed (1006 if it dropped without a close frame). */
  void socketClosed(ClientConnection connection, int code, String reason, boolean wasClean);

  /** Reports a transport error on an accepted connection; a close report follows. */
  void socketError(ClientConnection connection, Throwable error);
}
