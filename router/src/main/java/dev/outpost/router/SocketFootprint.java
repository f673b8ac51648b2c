package dev.outpost.router;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.MultiMap;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shrinks what Vert.x 5.0 keeps for each upgraded server WebSocket, so that an idle (hibernated)
 * socket costs ~4 KB of heap instead of ~17.4 KB (measured at 19,800 sockets, docs/benchmarks.md).
 * Three things are released, right after the handshake, on the socket's event loop, before any
 * other thread sees the socket:
 *
 * <ol>
 *   <li><b>The HTTP connection the socket was upgraded from.</b> {@code
 *       ServerWebSocketHandshaker.acceptHandshake} puts a {@code VertxHandler} in the pipeline
 *       whose {@code connectionFactory} lambda captures the handshaker (and so the upgrade request,
 *       its response and headers, the Vert.x Web routing context) and the {@code
 *       Http1xServerConnection} with its own outbound queue. The factory runs once, in {@code
 *       handlerAdded}, but the field is final and stays: ~5.9 KB per socket that nothing uses. It
 *       is set to null here.
 *   <li><b>The socket's outbound queue.</b> Every {@code VertxConnection} not in strict thread mode
 *       (and the WebSocket connection never is) writes through an {@code OutboundMessageQueue}
 *       backed by Netty's {@code PlatformDependent.newMpscQueue()}: a jctools {@code
 *       MpscUnboundedArrayQueue} whose first chunk of 1,024 slots is allocated at once (4.1 KiB,
 *       plus 576 B of padded queue). Neither Vert.x nor Netty has an option to size it. It is
 *       replaced, while still empty, by a {@link ConcurrentLinkedQueue} (~48 B empty; one 24 B node
 *       per queued write), which keeps the contract {@code MessagePassingQueue} relies on: any
 *       thread may {@code add}, one consumer {@code poll}s.
 *   <li><b>The upgrade request's headers.</b> The socket keeps them for {@link
 *       ServerWebSocket#headers()} (a {@code HeadersMultiMap} with its entries and strings, ~1.1 KB
 *       with a browser's handful of headers, more with cookies). The router never reads them after
 *       the upgrade: the object saw them in the {@code Request} it accepted, and a hibernatable
 *       socket exposes none (as on Cloudflare, where an object that needs a header later keeps it
 *       in the socket's attachment). They are replaced by one shared, read-only, empty map, so
 *       {@code headers()} answers empty instead of the handshake's headers.
 * </ol>
 *
 * <p>A socket from Vert.x Web's {@code RoutingContext} is first unwrapped ({@code
 * ServerWebSocketWrapper.delegate}). All three steps are reflective writes to Vert.x internals
 * (final fields of {@code VertxHandler} and {@code MessagePassingQueue}, the private {@code
 * WebSocketImplBase.headers}), checked against Vert.x 5.0.7; the upstream fixes for the first two
 * are one line each (clear {@code connectionFactory} after use; let {@code
 * MessagePassingQueue.MpSc} take a queue factory or a first-chunk size); the third would be an
 * option to not keep them. If the internals differ (another Vert.x version) or the JDK refuses the
 * write, the step is skipped and logged once, and the socket works as before: this never changes
 * behaviour, only memory. {@code SocketFootprintTest} pins the steps to the Vert.x version in use.
 *
 * <p>Thread: call on the socket's event loop, before the socket is handed to any other thread.
 */
final class SocketFootprint {

  private static final System.Logger LOG = System.getLogger(SocketFootprint.class.getName());
  private static final AtomicBoolean WARNED =
      new AtomicBoolean(); // before the fields: field() uses it

  /** What {@link #trim} did to one socket. */
  record Trimmed(boolean handshakeReleased, boolean queueReplaced, boolean headersReleased) {}

  /** What a trimmed socket's {@code headers()} answers: empty, and read-only for every socket. */
  static final MultiMap NO_HEADERS = MultiMap.caseInsensitiveMultiMap().copy(false);

  private static final Field CONNECTION_FACTORY =
      field("io.vertx.core.net.impl.VertxHandler", "connectionFactory");
  private static final Field OUTBOUND_QUEUE =
      field("io.vertx.core.net.impl.VertxConnection", "outboundMessageQueue");
  private static final Field MESSAGE_PASSING_QUEUE =
      field("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
  private static final Field QUEUE =
      field("io.vertx.core.streams.impl.MessagePassingQueue", "queue");
  private static final Field HEADERS =
      field("io.vertx.core.http.impl.WebSocketImplBase", "headers");
  // Vert.x Web's RoutingContext.request().toWebSocket() wraps the core socket in this.
  private static final Field WEB_DELEGATE =
      field("io.vertx.ext.web.impl.ServerWebSocketWrapper", "delegate");

  private SocketFootprint() {}

  /**
   * Releases the handshake's leftovers and the upgrade request's headers, and replaces the empty
   * outbound queue of {@code ws}; each step independently, each skipped when the internals are not
   * as expected. Never throws.
   */
  static Trimmed trim(ServerWebSocket ws) {
    boolean released = false;
    boolean replaced = false;
    boolean headers = false;
    try {
      Object core =
          WEB_DELEGATE != null && WEB_DELEGATE.getDeclaringClass().isInstance(ws)
              ? WEB_DELEGATE.get(ws)
              : ws;
      if (!(core instanceof WebSocketInternal internal)) {
        return new Trimmed(false, false, false);
      }
      if (HEADERS != null && HEADERS.getDeclaringClass().isInstance(core)) {
        HEADERS.set(core, NO_HEADERS);
        headers = true;
      }
      ChannelHandlerContext chctx = internal.channelHandlerContext();
      ChannelHandler handler = chctx.handler();
      if (CONNECTION_FACTORY != null
          && CONNECTION_FACTORY.getDeclaringClass().isInstance(handler)) {
        CONNECTION_FACTORY.set(handler, null);
        released = true;
      }
      Object connection =
          handler instanceof io.vertx.core.net.impl.VertxHandler<?> vh ? vh.getConnection() : null;
      Object outbound =
          OUTBOUND_QUEUE != null && OUTBOUND_QUEUE.getDeclaringClass().isInstance(connection)
              ? OUTBOUND_QUEUE.get(connection)
              : null;
      Object passing =
          MESSAGE_PASSING_QUEUE != null
                  && MESSAGE_PASSING_QUEUE.getDeclaringClass().isInstance(outbound)
              ? MESSAGE_PASSING_QUEUE.get(outbound)
              : null;
      if (QUEUE != null
          && QUEUE.getDeclaringClass().isInstance(passing)
          && QUEUE.get(passing) instanceof Queue<?> queue
          && !(queue instanceof ConcurrentLinkedQueue<?>)
          && queue.isEmpty()) {
        QUEUE.set(passing, new ConcurrentLinkedQueue<>());
        replaced = true;
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      warnOnce("could not trim a WebSocket's Vert.x state (" + e + ")");
    }
    return new Trimmed(released, replaced, headers);
  }

  private static Field field(String className, String name) {
    try {
      Field f =
          Class.forName(className, false, SocketFootprint.class.getClassLoader())
              .getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      warnOnce(
          "idle WebSockets keep Vert.x's full per-connection state: "
              + className
              + "."
              + name
              + " is not accessible ("
              + e
              + "); expected with Vert.x 5.0.7");
      return null;
    }
  }

  private static void warnOnce(String message) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, message);
    }
  }
}
