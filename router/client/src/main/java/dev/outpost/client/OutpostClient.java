package dev.outpost.client;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Type;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Java client of an object's real-time session, over WebSocket, Server-Sent Events or long
 * polling (Outpost protocol {@value OutpostV1#SUBPROTOCOL}, whose names are in {@link OutpostV1}).
 *
 * <p><b>Design note.</b> The client holds the session's (epoch, offset): on every reconnect it asks
 * to resume there, and the server either sends exactly the messages after that offset (resumed) or
 * says "not recovered" (a new session; reload your state). Messages to the object get increasing
 * ids and stay in a bounded offline queue until the server acknowledges them, so sends made while
 * disconnected go out on reconnect and a resend is applied once within a session. After "not
 * recovered" (the node holding the session died), unacknowledged messages are sent again in the new
 * session: the old one that would have recognised them is gone, so each is delivered at least once
 * and may apply twice (as MQTT's QoS 1); carry your own ids if that matters. Reconnects wait an
 * exponential backoff with jitter (half the delay fixed, half random), so clients cut off together
 * do not come back in lock-step. The server's heartbeat values arrive in the welcome; when nothing
 * at all arrives for interval + timeout, the client drops the connection and reconnects. Transports
 * are tried in the options' order; one that never opened gives way to the next, and the client
 * keeps the first that worked. Each reconnect goes to the next router of the list.
 *
 * <p><b>Threads.</b> All state lives on one Vert.x event-loop context; public methods may be called
 * from any thread and hop there. Listener calls run on that context.
 *
 * <p>Close codes after which it does not reconnect: 1000, 1008, 3000–3999 and 4100–4999 (the
 * object's own), and its own {@link #close()}.
 */
public final class OutpostClient implements AutoCloseable, Channel.Events {

  private final Vertx vertx;
  private final Context context;
  private final ClientOptions options;
  private final ClientListener listener;
  private final WebSocketClient wsClient;
  private final HttpClient http;
  private final AtomicInteger queued = new AtomicInteger(); // outbox size, readable anywhere
  // ---- below: context thread only
  private final ArrayDeque<Outgoing> outbox = new ArrayDeque<>(); // not yet acknowledged
  private volatile ClientState state = ClientState.CONNECTING; // written on the context only
  private Channel channel; // the current connection, or null
  private boolean opened; // the current channel got its welcome
  private int transportIndex;
  private boolean transportWorked;
  private int router;
  private int attempt;
  private String epoch; // null before the first session
  private long offset;
  private long acked; // offset last acknowledged to the server
  private long nextId;
  private long heartbeatMs = 25_000;
  private long timeoutMs = 10_000;
  private long livenessTimer = -1;
  private long reconnectTimer = -1;
  private volatile String currentEpoch;
  private volatile long currentOffset;
  private volatile ClientTransport currentTransport;

  private record Outgoing(long id, String frame) {}

  private OutpostClient(Vertx vertx, ClientOptions options, ClientListener listener) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = options;
    this.listener = listener;
    this.wsClient =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(4)
                .setMaxFrameSize(32 * 1024 * 1024)
                .setMaxMessageSize(32 * 1024 * 1024));
    this.http =
        vertx.createHttpClient(
            new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(4));
  }

  /** Starts a client; it connects at once and reports to {@code listener}. */
  public static OutpostClient connect(Vertx vertx, ClientOptions options, ClientListener listener) {
    OutpostClient client =
        new OutpostClient(
            Objects.requireNonNull(vertx, "vertx"),
            Objects.requireNonNull(options, "options"),
            Objects.requireNonNull(listener, "listener"));
    client.context.runOnContext(v -> client.attemptConnect());
    return client;
  }

  // ---- public API (any thread)

  /** Sends text; false if the offline queue is full or the client is closed. */
  public boolean send(String text) {
    return enqueue(new JsonObject().put(Field.TYPE, Type.MESSAGE).put(Field.TEXT, text));
  }

  /** Sends bytes; false if the offline queue is full or the client is closed. */
  public boolean send(byte[] bytes) {
    return enqueue(
        new JsonObject()
            .put(Field.TYPE, Type.MESSAGE)
            .put(Field.BINARY, Base64.getEncoder().encodeToString(bytes)));
  }

  private boolean enqueue(JsonObject frame) {
    if (state == ClientState.CLOSED) {
      return false;
    }
    if (queued.incrementAndGet() > options.maxQueued()) {
      queued.decrementAndGet();
      return false;
    }
    context.runOnContext(
        v -> {
          if (state == ClientState.CLOSED) {
            return;
          }
          long id = ++nextId;
          Outgoing out = new Outgoing(id, frame.put(Field.ID, id).encode());
          outbox.add(out);
          if (opened && channel != null) {
            channel.send(List.of(out.frame()));
          }
        });
    return true;
  }

  /** The state (a snapshot). */
  public ClientState state() {
    return state;
  }

  /** The current session's epoch, or null before the first welcome. */
  public String epoch() {
    return currentEpoch;
  }

  /** The offset of the last message received. */
  public long offset() {
    return currentOffset;
  }

  /** The transport of the current (or last) connection. */
  public ClientTransport transport() {
    return currentTransport;
  }

  /** Messages waiting to be sent or acknowledged. */
  public int queued() {
    return queued.get();
  }

  /**
   * Drops the current connection without a goodbye, as a network failure would; the client
   * reconnects and resumes as usual.
   */
  public void dropConnectionForTest() {
    context.runOnContext(
        v -> {
          Channel c = channel;
          if (c != null) {
            c.kill();
            down(c, 1006, "dropped for test");
          }
        });
  }

  /** Ends the session (the object sees a clean close) and stops; waits at most 5 s. */
  @Override
  public void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          if (state != ClientState.CLOSED) {
            if (channel != null && opened) {
              channel.send(
                  List.of(
                      new JsonObject().put(Field.TYPE, Type.BYE).put(Field.CODE, 1000).encode()));
            }
            Channel c = channel;
            finish(1000, "closed by the client");
            if (c != null) {
              // give the goodbye a moment to leave before the connection goes
              vertx.setTimer(100, id -> c.kill());
            }
          }
          vertx.setTimer(150, id -> done.complete(null));
        });
    try {
      done.get(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    wsClient.close();
    http.close();
  }

  // ---- connecting (context thread)

  private void attemptConnect() {
    reconnectTimer = -1;
    if (state == ClientState.CLOSED) {
      return;
    }
    String base = options.routers().get(router % options.routers().size());
    router++;
    ClientTransport transport = options.transports().get(transportIndex);
    Duration idle = Duration.ofMillis(heartbeatMs + timeoutMs);
    Channel next =
        switch (transport) {
          case WEBSOCKET ->
              new WebSocketChannel(
                  this, vertx, wsClient, base, options.path(), options.connectTimeout());
          case EVENT_STREAM ->
              new EventStreamChannel(
                  this, vertx, http, base, options.path(), options.connectTimeout(), idle);
          case LONG_POLLING ->
              new LongPollChannel(
                  this,
                  vertx,
                  http,
                  base,
                  options.path(),
                  options.connectTimeout(),
                  idle,
                  () -> offset);
        };
    channel = next;
    opened = false;
    currentTransport = transport;
    // an attempt that does not reach a welcome in time counts as failed
    long guard =
        vertx.setTimer(
            options.connectTimeout().toMillis(),
            id -> {
              if (channel == next && !opened) {
                next.kill();
                down(next, 1006, "no welcome within " + options.connectTimeout());
              }
            });
    livenessTimer = guard;
    next.start(epoch, offset);
  }

  private void setState(ClientState next) {
    if (state != next) {
      state = next;
      listener.onState(next);
    }
  }

  @Override
  public void frame(Channel from, JsonObject frame) {
    if (from != channel || state == ClientState.CLOSED) {
      return;
    }
    alive(from);
    switch (frame.getString(Field.TYPE, "")) {
      case Type.WELCOME -> onWelcome(frame);
      case Type.MESSAGE -> {
        long o = frame.getLong(Field.OFFSET, 0L);
        if (o <= offset) {
          return; // already have it
        }
        offset = o;
        currentOffset = o;
        String text = frame.getString(Field.TEXT);
        listener.onMessage(
            text != null
                ? WebSocketMessage.text(text)
                : WebSocketMessage.binary(
                    Base64.getDecoder().decode(frame.getString(Field.BINARY, ""))),
            o);
        if (offset - acked >= 64
            && from == channel
            && from.transport != ClientTransport.LONG_POLLING) {
          acked = offset;
          from.send(List.of(receipt(Type.ACK)));
        }
      }
      case Type.PING -> {
        acknowledge(frame.getLong(Field.ACK, 0L));
        acked = offset;
        from.send(List.of(receipt(Type.PONG)));
      }
      case Type.ACK -> acknowledge(frame.getLong(Field.ID, 0L));
      case Type.CLOSE -> {
        from.kill();
        down(from, frame.getInteger(Field.CODE, 1006), frame.getString(Field.REASON, ""));
      }
      default -> {}
    }
  }

  /** A pong or ack acknowledging receipt up to the current offset. */
  private String receipt(String type) {
    return new JsonObject().put(Field.TYPE, type).put(Field.OFFSET, offset).encode();
  }

  private void onWelcome(JsonObject welcome) {
    boolean askedToResume = epoch != null;
    boolean recovered = welcome.getBoolean(Field.RECOVERED, false);
    String newEpoch = welcome.getString(Field.EPOCH);
    if (!recovered) {
      offset = welcome.getLong(Field.START_OFFSET, 0L);
    }
    epoch = newEpoch;
    currentEpoch = newEpoch;
    currentOffset = offset;
    acked = offset;
    heartbeatMs = welcome.getLong(Field.HEARTBEAT, heartbeatMs);
    timeoutMs = welcome.getLong(Field.TIMEOUT, timeoutMs);
    opened = true;
    transportWorked = true;
    attempt = 0;
    acknowledge(welcome.getLong(Field.ACK, 0L));
    List<String> resend = new ArrayList<>();
    outbox.forEach(o -> resend.add(o.frame()));
    if (!resend.isEmpty()) {
      channel.send(resend);
    }
    setState(ClientState.OPEN);
    listener.onOpen(newEpoch, askedToResume && recovered, askedToResume && !recovered);
    alive(channel);
  }

  private void acknowledge(long id) {
    while (!outbox.isEmpty() && outbox.peekFirst().id() <= id) {
      outbox.pollFirst();
      queued.decrementAndGet();
    }
  }

  @Override
  public void alive(Channel from) {
    if (from != channel || !opened) {
      return;
    }
    if (livenessTimer >= 0) {
      vertx.cancelTimer(livenessTimer);
    }
    livenessTimer =
        vertx.setTimer(
            heartbeatMs + timeoutMs,
            id -> {
              if (channel == from) {
                from.kill();
                down(from, CloseCodes.HEARTBEAT_TIMEOUT, "no heartbeat from the server");
              }
            });
  }

  @Override
  public void down(Channel from, int code, String reason) {
    if (from != channel) {
      return;
    }
    channel = null;
    boolean wasOpen = opened;
    opened = false;
    if (livenessTimer >= 0) {
      vertx.cancelTimer(livenessTimer);
      livenessTimer = -1;
    }
    listener.onTransportDown(from.transport, code, reason);
    if (state == ClientState.CLOSED) {
      return;
    }
    if (terminal(code)) {
      finish(code, reason);
      return;
    }
    if (!wasOpen && !transportWorked && transportIndex < options.transports().size() - 1) {
      transportIndex++; // never opened: try the next transport
    }
    setState(ClientState.RECONNECTING);
    long delay = backoff(attempt++);
    reconnectTimer = vertx.setTimer(Math.max(1, delay), id -> attemptConnect());
  }

  private static boolean terminal(int code) {
    return code == 1000
        || code == 1008
        || (code >= 3000 && code <= 3999)
        || (code >= 4100 && code <= 4999);
  }

  /** Half the exponential delay fixed, half random: spreads reconnects out. */
  private long backoff(int failures) {
    long min = options.minBackoff().toMillis();
    long max = options.maxBackoff().toMillis();
    long base = Math.min(max, min << Math.min(failures, 20));
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private void finish(int code, String reason) {
    if (reconnectTimer >= 0) {
      vertx.cancelTimer(reconnectTimer);
    }
    if (livenessTimer >= 0) {
      vertx.cancelTimer(livenessTimer);
    }
    channel = null;
    setState(ClientState.CLOSED);
    listener.onClose(code, reason);
  }
}
