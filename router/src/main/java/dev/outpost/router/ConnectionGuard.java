package dev.outpost.router;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps connections that are not yet requests from exhausting the node: a cap on open connections
 * per remote address, and a deadline for each connection to deliver a complete request head.
 *
 * <p><b>Design.</b> Every connection the HTTP servers accept passes {@link #accepted}: over its
 * address's cap ({@link ListenerOptions#maxConnectionsPerAddress()}) it is closed at once, before
 * anything is read (an HTTP answer would need its request, so holding the descriptor is what the
 * cap prevents); otherwise a timer of {@link ListenerOptions#requestHeadTimeout()} is armed. Netty
 * hands a request to Vert.x only once its head is complete, so a connection that sends nothing, or
 * trickles its head (slowloris), is still unarmed-for when the timer fires, and is closed. {@link
 * #requestStarted} (the first route of every request) disarms the timer and counts the request in
 * flight; when the last request in flight ends, the timer is armed again (keep-alive idleness). A
 * WebSocket upgrade, an event stream or a long poll is a request in flight for as long as it lasts,
 * so it is never cut by this timer (the router's pings and heartbeats look after those). The head
 * limits themselves are Netty's; {@link #refuseInvalid} answers a head over them with 414 or 431
 * and a body naming the limit.
 *
 * <p><b>Threads.</b> A connection's callbacks (accept, its requests, its timer, its close) all run
 * on its event loop, so its {@link Tracked} needs no lock; the per-address counts are shared by the
 * event loops and are atomic.
 */
final class ConnectionGuard {

  private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());

  private final Vertx vertx;
  private final ListenerOptions options;
  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  // By Netty channel, not by Vert.x connection: an upgraded WebSocket is a new Vert.x connection on
  // the same channel, and holding the HTTP one here would keep it (with its 4 KiB outbound queue,
  // its last request and response) alive for as long as the socket stays open.
  private final ConcurrentHashMap<Channel, Tracked> tracked = new ConcurrentHashMap<>();
  // Addresses refused since they last had no connection: logged once per episode, not per refusal.
  private final Set<String> refusing = ConcurrentHashMap.newKeySet();

  ConnectionGuard(Vertx vertx, ListenerOptions options) {
    this.vertx = vertx;
    this.options = options;
  }

  /** One accepted connection's state; touched only on its event loop. */
  private final class Tracked {
    final Channel channel;
    final String address;
    int inFlight; // requests started and not yet ended
    long timer = -1; // the head deadline's timer id; -1 when not armed
    boolean released; // true once closed and counted out

    Tracked(Channel channel, String address) {
      this.channel = channel;
      this.address = address;
    }

    void arm() {
      disarm();
      timer =
          vertx.setTimer(
              options.requestHeadTimeout().toMillis(),
              id -> {
                timer = -1;
                if (inFlight == 0) {
                  channel.close();
                }
              });
    }

    void disarm() {
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    /** The channel closed: counted out once, whichever signal comes first. */
    void closed() {
      if (!released) {
        released = true;
        tracked.remove(channel);
        disarm();
        release(address);
      }
    }
  }

  /** The server's connection handler: refuses over the address's cap, else arms the deadline. */
  void accepted(HttpConnection connection) {
    String address = addressOf(connection.remoteAddress());
    AtomicInteger count = perAddress.computeIfAbsent(address, a -> new AtomicInteger());
    int open = count.incrementAndGet();
    int cap = options.maxConnectionsPerAddress();
    if (cap > 0 && open > cap) {
      release(address);
      if (refusing.add(address)) {
        LOG.log(
            Level.WARNING,
            "refusing connections from "
                + address
                + ": it holds "
                + cap
                + " already, the limit per address (--max-connections-per-address)");
      }
      connection.close();
      return;
    }
    // Every HTTP/1.x and HTTP/2 server connection of Vert.x 5 is a ConnectionBase.
    Channel channel = ((ConnectionBase) connection).channel();
    Tracked state = new Tracked(channel, address);
    tracked.put(channel, state);
    // The channel's close covers a plain HTTP connection and one upgraded to a WebSocket alike (the
    // HTTP connection's own close handler never runs after an upgrade: its count would leak, found
    // by fuzzing). The listener runs on the channel's event loop, the connection's own.
    channel.closeFuture().addListener(future -> state.closed());
    state.arm();
  }

  private void release(String address) {
    perAddress.computeIfPresent(
        address,
        (a, count) -> {
          if (count.decrementAndGet() > 0) {
            return count;
          }
          refusing.remove(a);
          return null;
        });
  }

  /**
   * The first route of every request: the connection is busy until the request ends. A path with a
   * malformed percent-escape is refused here with 400 saying where: Vert.x Web's route matching
   * would throw on it and log the stack trace for every such request.
   */
  void requestStarted(RoutingContext ctx) {
    String path = ctx.request().path();
    int bad = path == null ? -1 : malformedEscape(path);
    if (bad >= 0) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      HttpReplies.text(
          ctx.response(),
          400,
          "the path has a malformed percent-escape at position "
              + bad
              + " ('%' must be followed by two hex digits; write a literal '%' as %25)");
      return;
    }
    Tracked state =
        ctx.request().connection() instanceof ConnectionBase base
            ? tracked.get(base.channel())
            : null;
    if (state != null) {
      state.inFlight++;
      state.disarm();
      ctx.addEndHandler(
          ended -> {
            state.inFlight--;
            if (state.inFlight == 0 && !state.released) {
              state.arm();
            }
          });
    }
    ctx.next();
  }

  /** The position of the first '%' not followed by two hex digits in {@code path}, or -1. */
  static int malformedEscape(String path) {
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || Character.digit(path.charAt(i + 1), 16) < 0
          || Character.digit(path.charAt(i + 2), 16) < 0) {
        return i;
      }
    }
    return -1;
  }

  /** How many connections the guard tracks now (accepted and not yet closed). */
  int openConnections() {
    return tracked.size();
  }

  private static String addressOf(SocketAddress remote) {
    if (remote == null) {
      return "unknown";
    }
    String host = remote.hostAddress();
    return host != null ? host : String.valueOf(remote);
  }

  /**
   * The server's invalid-request handler: a request line over {@code maxLineBytes} gets 414, a head
   * over {@code maxHeadBytes} 431, anything else Netty could not decode 400; each with a body
   * naming the limit, and the connection closed.
   */
  static void refuseInvalid(HttpServerRequest request, int maxLineBytes, int maxHeadBytes) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message =
          "the request line (method, URL with its query string, version) is over the limit of "
              + maxLineBytes
              + " bytes; shorten the URL, or send the data in a request body";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message =
          "the request headers are over the limit of "
              + maxHeadBytes
              + " bytes (all header lines together, cookies included); send fewer or smaller"
              + " headers";
    } else {
      status = 400;
      message =
          "malformed HTTP request"
              + (cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }
    request.response().putHeader(HttpHeaders.CONNECTION, "close");
    HttpReplies.text(request.response(), status, message);
  }
}
