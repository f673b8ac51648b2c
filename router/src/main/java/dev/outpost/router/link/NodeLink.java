package dev.outpost.router.link;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's end of one link to another node: a WebSocket carrying many streams (HTTP exchanges
 * and client sockets), never a connection per client or per request; one per lane of {@link
 * NodeLinks} (each of this node's event loops that forwards to the peer, and one for callers off
 * the event loops). If the link drops, every exchange on it fails as retryable and every forwarded
 * client socket is closed with 1012, so clients reconnect (through a new link).
 *
 * <p>A link is also given up without waiting for TCP to notice: when its peer answers no ping (RFC
 * 6455 §5.5.2, which Vert.x answers by itself) for {@link Heartbeat#timeout()}, as a stopped or
 * cut-off peer does, and when membership says the peer left or came back as a new incarnation
 * ({@link NodeLinks#peerChanged}), since a restarted node never knew the old link's streams.
 */
final class NodeLink {

  /** What a forwarded client socket hears from the owner. */
  interface SocketPeer {
    void message(WebSocketMessage message);

    void closed(int code, String reason);
  }

  /** How long a forwarded exchange may wait for the owner's answer. */
  private static final java.time.Duration EXCHANGE_TIMEOUT = java.time.Duration.ofSeconds(60);

  private final String peerNode;
  private final dev.outpost.router.LatencyEmulator latency;
  private final java.time.Duration oneWay; // emulated, each direction; zero when off
  private final io.vertx.core.Context
      context; // the link's event loop: keeps delayed frames in order
  private final WebSocket socket;
  private final LinkWriter writer;
  private final AtomicInteger streams = new AtomicInteger();
  private final ConcurrentHashMap<Integer, CompletableFuture<Response>> exchanges =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, SocketPeer> sockets = new ConcurrentHashMap<>();
  private final Runnable onLost;
  private volatile boolean lost;
  private final java.util.function.LongSupplier nanos; // the node's monotonic clock
  private volatile long lastHeardNanos;

  /**
   * How often a link pings its peer and how long it waits for any frame (pong or data) before it
   * gives the link up.
   *
   * @param interval time between pings
   * @param timeout silence after which the link is lost; longer than {@code interval}
   */
  record Heartbeat(java.time.Duration interval, java.time.Duration timeout) {
    /** Ping every 2 s, give up after 10 s of silence. */
    static final Heartbeat DEFAULT =
        new Heartbeat(java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(10));

    Heartbeat {
      if (interval.isNegative() || interval.isZero() || timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException(
            "a heartbeat needs 0 < interval < timeout, not " + interval + " and " + timeout);
      }
    }
  }

  /**
   * Wraps an open link; call on the link's event loop (its context becomes the link's). {@code
   * nanos} is the node's monotonic clock, in nanoseconds, that measures the silence.
   */
  NodeLink(
      String peerNode,
      WebSocket socket,
      Runnable onLost,
      dev.outpost.router.LatencyEmulator latency,
      java.time.Duration oneWay,
      Heartbeat heartbeat,
      java.util.function.LongSupplier nanos) {
    this.nanos = nanos;
    this.lastHeardNanos = nanos.getAsLong();
    this.peerNode = peerNode;
    this.socket = socket;
    this.onLost = onLost;
    this.latency = latency;
    this.oneWay = oneWay;
    this.context = io.vertx.core.Vertx.currentContext();
    this.writer = new LinkWriter(socket, context);
    socket.binaryMessageHandler(
        frame -> {
          lastHeardNanos = nanos.getAsLong();
          latency.after(context, oneWay, () -> onFrame(frame));
        });
    socket.pongHandler(pong -> lastHeardNanos = nanos.getAsLong());
    socket.closeHandler(v -> lose());
    long timeoutNanos = heartbeat.timeout().toNanos();
    context
        .owner()
        .setPeriodic(
            heartbeat.interval().toMillis(),
            timer -> {
              if (lost) {
                context.owner().cancelTimer(timer);
              } else if (nanos.getAsLong() - lastHeardNanos > timeoutNanos) {
                context.owner().cancelTimer(timer);
                abandon("no answer to pings for " + heartbeat.timeout());
              } else {
                socket.writePing(Buffer.buffer());
              }
            });
  }

  /**
   * Marks the link lost (once): drops it from its owner, fails its exchanges, closes its sockets.
   */
  private void lose() {
    if (lost) {
      return;
    }
    lost = true;
    onLost.run();
    failAll();
  }

  /**
   * Gives the link up now, without waiting for the peer's closing handshake: the peer may be gone
   * or a new incarnation that never knew these streams. Any thread.
   */
  void abandon(String why) {
    context.runOnContext(
        v -> {
          if (lost) {
            return;
          }
          System.getLogger(NodeLink.class.getName())
              .log(
                  System.Logger.Level.WARNING,
                  "giving up the link to node " + peerNode + ": " + why);
          lose();
          socket.close((short) 1001, "link given up");
        });
  }

  /**
   * Sends a frame, after the emulated one-way latency if any, in order, with the other frames of
   * its event-loop turn ({@link LinkWriter}).
   */
  private void write(Buffer frame) {
    if (oneWay.isZero()) {
      writer.write(frame);
    } else {
      latency.after(context, oneWay, () -> writer.write(frame));
    }
  }

  boolean isLost() {
    return lost;
  }

  /** Sends a request to the owner; completes with its response or its failure. */
  CompletableFuture<Response> forward(
      ObjectAddress address, Request request, java.util.List<ObjectAddress> chain) {
    return open(LinkFrame.REQUEST, address, request, null, chain).result;
  }

  /** Opens a forwarded client socket; completes with the owner's answer to the upgrade. */
  Stream upgrade(ObjectAddress address, Request request, SocketPeer peer) {
    return open(LinkFrame.UPGRADE, address, request, peer, null);
  }

  private Stream open(
      byte type,
      ObjectAddress address,
      Request request,
      SocketPeer peer,
      java.util.List<ObjectAddress> chain) {
    int stream = streams.incrementAndGet();
    CompletableFuture<Response> result = new CompletableFuture<>();
    if (lost) {
      result.completeExceptionally(linkLost());
      return new Stream(stream, result);
    }
    exchanges.put(stream, result);
    if (peer != null) {
      sockets.put(stream, peer);
    }
    result
        .orTimeout(EXCHANGE_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
        .whenComplete(
            (r, e) -> {
              if (e instanceof java.util.concurrent.TimeoutException
                  && exchanges.remove(stream, result)) {
                sockets.remove(stream);
                System.getLogger(NodeLink.class.getName())
                    .log(
                        System.Logger.Level.WARNING,
                        "no answer from node "
                            + peerNode
                            + " on stream "
                            + stream
                            + " for "
                            + address
                            + " within "
                            + EXCHANGE_TIMEOUT
                            + "; link lost="
                            + lost);
              }
            });
    write(
        LinkFrame.request(
            type,
            stream,
            address.namespace(),
            address.id().toString(),
            address.id().name().orElse(null),
            address.id().jurisdiction().orElse(null),
            request,
            chain));
    return new Stream(stream, result);
  }

  /** Ships an object's data; completes when the peer installed it. */
  CompletableFuture<Response> ship(
      ObjectAddress address, long epoch, dev.outpost.runtime.ObjectSnapshot snapshot) {
    int stream = streams.incrementAndGet();
    CompletableFuture<Response> result = new CompletableFuture<>();
    if (lost) {
      result.completeExceptionally(linkLost());
      return result;
    }
    exchanges.put(stream, result);
    write(
        LinkFrame.handover(
            stream,
            new JsonObject()
                .put("ns", address.namespace())
                .put("id", address.id().toString())
                .put("epoch", epoch)
                .put("alarm", snapshot.alarm().map(java.time.Instant::toEpochMilli).orElse(null))));
    Buffer chunk = LinkFrame.entries(stream);
    for (dev.outpost.runtime.ObjectSnapshot.Entry e : snapshot.entries()) {
      if (chunk.length() + e.key().length + e.value().length > CHUNK_BYTES && chunk.length() > 5) {
        write(chunk);
        chunk = LinkFrame.entries(stream);
      }
      chunk.appendInt(e.key().length).appendBytes(e.key());
      chunk.appendInt(e.value().length).appendBytes(e.value());
    }
    write(chunk);
    write(LinkFrame.install(stream));
    return result;
  }

  /** Largest ENTRIES frame (one entry may exceed it up to the frame limit). */
  private static final int CHUNK_BYTES = 256 * 1024;

  void send(int stream, WebSocketMessage message) {
    write(LinkFrame.message(stream, message));
  }

  void close(int stream, int code, String reason) {
    if (sockets.remove(stream) != null) {
      write(LinkFrame.close(stream, code, reason));
    }
  }

  void credit(int stream, int count) {
    write(LinkFrame.credit(stream, count));
  }

  private void onFrame(Buffer frame) {
    try {
      LinkFrame.check(frame);
    } catch (IllegalArgumentException e) {
      System.getLogger(NodeLink.class.getName())
          .log(
              System.Logger.Level.WARNING,
              "closing the link to node " + peerNode + ": " + e.getMessage());
      socket.close((short) 1002, dev.outpost.router.MessageAssembler.closeReasonOf(e.getMessage()));
      return;
    }
    LinkFrame.forEachFrame(frame, this::handle);
  }

  /** Handles one checked frame (not a BATCH). */
  private void handle(Buffer frame) {
    int stream = LinkFrame.stream(frame);
    switch (LinkFrame.type(frame)) {
      case LinkFrame.RESPONSE -> {
        CompletableFuture<Response> exchange = exchanges.remove(stream);
        Response response = LinkFrame.toResponse(frame);
        if (!response.isWebSocketAccept()) {
          sockets.remove(stream);
        }
        if (exchange != null) {
          exchange.complete(response);
        }
      }
      case LinkFrame.FAILURE -> {
        sockets.remove(stream);
        CompletableFuture<Response> exchange = exchanges.remove(stream);
        if (exchange != null) {
          exchange.completeExceptionally(failure(LinkFrame.failureOf(frame)));
        }
      }
      case LinkFrame.MESSAGE -> {
        SocketPeer peer = sockets.get(stream);
        if (peer != null) {
          peer.message(LinkFrame.toMessage(frame));
        }
      }
      case LinkFrame.CLOSE -> {
        SocketPeer peer = sockets.remove(stream);
        if (peer != null) {
          peer.closed(LinkFrame.closeCode(frame), LinkFrame.closeReason(frame));
        }
      }
      default -> {}
    }
  }

  private DurableObjectException failure(JsonObject failure) {
    String message = failure.getString("message");
    return switch (failure.getString("kind")) {
      case "not-owner" -> new LinkNotOwnerException(message);
      case "overloaded" -> DurableObjectException.overloaded(message);
      case "remote" -> DurableObjectException.remote(message);
      case "bad-request" -> DurableObjectException.invalid(message);
      default -> DurableObjectException.retryable(message);
    };
  }

  private DurableObjectException linkLost() {
    return DurableObjectException.retryable("the link to node " + peerNode + " was lost; retry");
  }

  private void failAll() {
    exchanges.values().forEach(f -> f.completeExceptionally(linkLost()));
    exchanges.clear();
    sockets.values().forEach(p -> p.closed(1012, "node link lost; reconnect"));
    sockets.clear();
  }

  /** Closes the link. */
  void close() {
    socket.close();
  }

  /** An exchange on the link: its stream number and its result. */
  record Stream(int id, CompletableFuture<Response> result) {}

  /** The owner said it does not own the object (any more). */
  static final class LinkNotOwnerException extends DurableObjectException {
    LinkNotOwnerException(String message) {
      super(message, null, false, true, false);
    }
  }

  static boolean isNotOwner(Throwable t) {
    return t instanceof LinkNotOwnerException || t instanceof NotOwnerException;
  }
}
