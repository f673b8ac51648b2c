package dev.outpost.runtime.internal.activation;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.spi.ClientConnection;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One event for an object; each runs as one turn. */
sealed interface Event {

  /**
   * An HTTP request, a WebSocket upgrade ({@code upgrade} non-null) or a stub call. {@code chain}
   * lists the objects whose turns are waiting on this call, outermost first.
   */
  record Fetch(
      Request request,
      ClientConnection upgrade,
      CompletableFuture<Response> result,
      List<ObjectAddress> chain)
      implements Event {}

  /** A message received on a hibernatable socket. */
  record SocketMessage(SocketRecord socket, WebSocketMessage message) implements Event {}

  /** A hibernatable socket closed by the client or the network. */
  record SocketClose(SocketRecord socket, int code, String reason, boolean wasClean)
      implements Event {}

  /** A transport error on a hibernatable socket. */
  record SocketError(SocketRecord socket, Throwable error) implements Event {}

  /** Only constructs the instance (checking a bundle); {@code done} completes after. */
  record Activate(CompletableFuture<Void> done) implements Event {}

  /** The alarm set for {@code scheduled} is due; {@code retryCount} attempts failed before. */
  record Alarm(Instant scheduled, int retryCount) implements Event {}
}
