package dev.outpost.router;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.router.RouterMetrics.Transport;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ServedApp;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts client connections, the messages they deliver and their closes where every transport meets
 * the object host: between the session layer and the host; everything passes through unchanged.
 * What objects send to clients is not counted (see {@link Metered}). The transport is the one the
 * session layer names ({@code X-Outpost-Transport}: {@code sse}, {@code poll}), else {@code
 * websocket} (plain sockets and {@code outpost.v1} WebSockets). Connections are counted on the node
 * that owns the object, whichever router the client came through, so a forwarded socket is counted
 * once.
 *
 * <p>Thread-safe; never blocks.
 */
final class MeteredInbox implements ObjectInbox {

  private final ObjectInbox inner;
  private final RouterMetrics metrics;
  private final ConcurrentHashMap<ClientConnection, Metered> byTransport =
      new ConcurrentHashMap<>();

  MeteredInbox(ObjectInbox inner, RouterMetrics metrics) {
    this.inner = inner;
    this.metrics = metrics;
  }

  /**
   * What is known of one client connection: its transport, and whether its opening and end were
   * counted. The host sees the connection itself, never this (a wrapper in its place would also
   * count what objects send; not built: see router/README.md, <i>Metrics</i>).
   */
  private final class Metered {
    private final Transport kind;
    private boolean opened; // guarded by this
    private boolean ended; // guarded by this

    Metered(Transport kind) {
      this.kind = kind;
    }

    synchronized void accepted() {
      if (!opened && !ended) {
        opened = true;
        metrics.connectionOpened(kind);
      }
    }

    synchronized void ended(int code) {
      if (opened && !ended) {
        metrics.connectionClosed(kind, code);
      }
      ended = true;
    }
  }

  /** A message's payload size in bytes (UTF-8 for text). */
  static long size(WebSocketMessage message) {
    if (!message.isText()) {
      return message.bytes().length;
    }
    String text = message.text();
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  @Override
  public CompletableFuture<Response> upgrade(
      ObjectAddress address, Request request, ClientConnection connection) {
    Metered metered =
        new Metered(Transport.ofHeader(request.header("X-Outpost-Transport").orElse(null)));
    byTransport.put(connection, metered);
    CompletableFuture<Response> answer;
    try {
      answer = inner.upgrade(address, request, connection);
    } catch (RuntimeException e) {
      byTransport.remove(connection, metered);
      throw e;
    }
    return answer.whenComplete(
        (response, error) -> {
          if (error == null && response.isWebSocketAccept()) {
            metered.accepted();
          } else {
            byTransport.remove(connection, metered);
          }
        });
  }

  @Override
  public void socketMessage(ClientConnection connection, WebSocketMessage message) {
    Metered metered = byTransport.get(connection);
    if (metered == null) {
      inner.socketMessage(connection, message);
      return;
    }
    metrics.received(metered.kind, size(message));
    inner.socketMessage(connection, message);
  }

  @Override
  public void socketClosed(ClientConnection connection, int code, String reason, boolean wasClean) {
    Metered metered = byTransport.remove(connection);
    if (metered == null) {
      inner.socketClosed(connection, code, reason, wasClean);
      return;
    }
    metered.ended(code);
    inner.socketClosed(connection, code, reason, wasClean);
  }

  @Override
  public void socketError(ClientConnection connection, Throwable error) {
    inner.socketError(connection, error);
  }

  // ---- pass-through

  @Override
  public Optional<DurableObjectNamespace> namespace(String name) {
    return inner.namespace(name);
  }

  @Override
  public Set<String> namespaceNames() {
    return inner.namespaceNames();
  }

  @Override
  public dev.outpost.runtime.ConnectGuards guards(String namespace) {
    return inner.guards(namespace);
  }

  @Override
  public List<ServedApp> apps() {
    return inner.apps();
  }

  @Override
  public SortedMap<String, String> parties() {
    return inner.parties();
  }

  @Override
  public CompletableFuture<Response> fetch(ObjectAddress address, Request request) {
    return inner.fetch(address, request);
  }

  @Override
  public CompletableFuture<Response> call(
      ObjectAddress address, Request request, List<ObjectAddress> chain) {
    return inner.call(address, request, chain);
  }
}
