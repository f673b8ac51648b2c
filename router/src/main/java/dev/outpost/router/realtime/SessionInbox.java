package dev.outpost.router.realtime;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.client.protocol.OutpostV1;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Op;
import dev.outpost.client.protocol.OutpostV1.Query;
import dev.outpost.router.realtime.Link.PushLink;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The session layer: an {@link ObjectInbox} in front of the node's own, turning Outpost-protocol
 * connections into {@link Session}s and passing everything else through untouched.
 *
 * <p><b>Where sessions live.</b> On the node that owns the object, because that is where the
 * object's {@link ClientConnection} lives: both the local router and the node-link ingress deliver
 * into this inbox, so a forwarded WebSocket (a {@code RemoteConnection}) attaches to a session
 * exactly like a local one, and long polls and event-stream polls reach it as ordinary forwarded
 * requests. A client may therefore reconnect through any router and resume. Limits: a session dies
 * with its node (a client resuming after the owner crashed or handed the object over is told "not
 * recovered"), and sessions are not replicated.
 *
 * <p><b>What passes through.</b> A WebSocket upgrade that does not offer {@value
 * OutpostV1#SUBPROTOCOL} and every request without the {@code outpost} query parameter go to the
 * inner inbox unchanged, so plain clients see the object's frames as sent. Frames and closes of
 * connections that are not a session's transport pass through too, under the same inbound rate
 * limit as a session ({@code outpost.realtime.inbound-rate} and {@code -burst}): a plain socket
 * past it is closed with {@link CloseCodes#RATE_LIMITED} and the object hears that close once.
 *
 * <p><b>Pull operations</b> (query {@code outpost=...} on the object's URL): {@code open} (with
 * {@code outpost_transport=sse|poll}, optionally a resume position) answers a welcome or the
 * object's refusal; {@code poll} answers a batch; {@code send} (POST, a frame or an array of
 * frames) answers {@code {"ack": id}}; {@code detach} tells that an event stream closed. The object
 * sees a session opened over a pull transport as a WebSocket upgrade request carrying {@code
 * X-Outpost-Transport}, so code written for WebSockets accepts it unchanged.
 *
 * <p>Thread-safe; never blocks.
 */
public final class SessionInbox implements ObjectInbox {

  private static final System.Logger LOG = System.getLogger(SessionInbox.class.getName());

  private final ObjectInbox inner;
  private final TimeSource time;
  private final RealtimeOptions options;
  private final SessionTable sessions = new SessionTable();
  private final ConcurrentHashMap<ClientConnection, PlainSocket> plain = new ConcurrentHashMap<>();

  /**
   * A plain (non-session) socket's inbound rate limit. Guarded by itself. A socket that has sent
   * nothing yet is mapped to the shared {@code SILENT} and gets its own limiter with its first
   * message: a bucket made then is as full as one made at the upgrade (it starts full and never
   * holds more than the burst), and an idle socket costs no limiter (~90 B each, idle sockets being
   * most of them).
   */
  private static final class PlainSocket {
    static final PlainSocket SILENT = new PlainSocket(null);

    private final RateLimiter limiter; // null only in SILENT
    private boolean limited; // closed for breaking the limit; its later close is not reported

    PlainSocket(RateLimiter limiter) {
      this.limiter = limiter;
    }

    /** Whether a message may pass now; false once, when the limit is first broken, and after. */
    synchronized boolean admit(Instant now, Runnable onFirstRefusal) {
      if (limited) {
        return false;
      }
      if (limiter == null || limiter.tryAcquire(now)) {
        return true;
      }
      limited = true;
      onFirstRefusal.run();
      return false;
    }

    synchronized boolean limited() {
      return limited;
    }
  }

  /** Wraps {@code inner}; timers and clock reads go through {@code time}. */
  public SessionInbox(ObjectInbox inner, TimeSource time, RealtimeOptions options) {
    this.inner = inner;
    this.time = time;
    this.options = options;
  }

  /** How many sessions this node holds (attached or waiting for a resume). */
  public int sessionCount() {
    return sessions.size();
  }

  private Session newSession(ObjectAddress address, String kind) {
    Session session =
        new Session(sessions, inner, time, options, address, sessions.newEpoch(), kind);
    sessions.add(session);
    return session;
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
  public java.util.List<dev.outpost.runtime.ServedApp> apps() {
    return inner.apps();
  }

  @Override
  public java.util.SortedMap<String, String> parties() {
    return inner.parties();
  }

  @Override
  public dev.outpost.runtime.ConnectGuards guards(String namespace) {
    return inner.guards(namespace);
  }

  @Override
  public CompletableFuture<Response> call(
      ObjectAddress address, Request request, List<ObjectAddress> chain) {
    return inner.call(address, request, chain);
  }

  // ---- WebSockets

  @Override
  public CompletableFuture<Response> upgrade(
      ObjectAddress address, Request request, ClientConnection connection) {
    if (!Protocol.negotiates(request)) {
      PlainSocket limit = PlainSocket.SILENT;
      plain.put(connection, limit);
      try {
        return inner
            .upgrade(address, request, connection)
            .whenComplete(
                (response, error) -> {
                  if (error != null || !response.isWebSocketAccept()) {
                    plain.remove(connection, limit);
                  }
                });
      } catch (RuntimeException e) {
        plain.remove(connection, limit);
        throw e;
      }
    }
    Optional<Protocol.Resume> resume = Protocol.resumeOf(request);
    PushLink link = new PushLink(sessions.nextLinkId(), connection);
    if (resume.isPresent()) {
      Optional<Session> existing = sessions.find(address, resume.get().epoch());
      if (existing.isPresent()) {
        sessions.bindTransport(connection, existing.get());
        if (existing.get().resume(link, resume.get().offset()).isPresent()) {
          return CompletableFuture.completedFuture(accepted());
        }
        sessions.unbindTransport(connection, existing.get());
      }
    }
    Session session = newSession(address, "websocket");
    sessions.bindTransport(connection, session);
    session.open(link);
    CompletableFuture<Response> answer;
    try {
      answer = inner.upgrade(address, forObject(request, "websocket"), session);
    } catch (RuntimeException e) {
      sessions.unbindTransport(connection, session);
      session.discard();
      throw e;
    }
    return answer
        .whenComplete(
            (response, error) -> {
              if (error != null || !response.isWebSocketAccept()) {
                sessions.unbindTransport(connection, session);
                session.discard();
              }
            })
        .thenApply(SessionInbox::speakingOutpost);
  }

  /** The object's 101 with {@value OutpostV1#SUBPROTOCOL} as the subprotocol: the session's. */
  private static Response speakingOutpost(Response response) {
    if (!response.isWebSocketAccept()) {
      return response;
    }
    Response.Builder b = Response.builder(response.status()).body(response.body());
    response
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
                values.forEach(v -> b.header(name, v));
              }
            });
    return b.header("Sec-WebSocket-Protocol", OutpostV1.SUBPROTOCOL).build();
  }

  private static Response accepted() {
    return Response.builder(Response.SWITCHING_PROTOCOLS)
        .header("Sec-WebSocket-Protocol", OutpostV1.SUBPROTOCOL)
        .build();
  }

  @Override
  public void socketMessage(ClientConnection connection, WebSocketMessage message) {
    Session session = sessions.byTransport(connection);
    if (session == null) {
      PlainSocket limit = plain.get(connection);
      if (limit == PlainSocket.SILENT) {
        limit =
            plain.computeIfPresent(
                connection,
                (c, current) ->
                    current != PlainSocket.SILENT
                        ? current
                        : new PlainSocket(
                            new RateLimiter(
                                options.inboundRate(), options.inboundBurst(), time.now())));
      }
      if (limit == null || limit.admit(time.now(), () -> rateLimited(connection))) {
        inner.socketMessage(connection, message);
      }
      return;
    }
    Link current = session.link();
    Link from = current instanceof PushLink push && push.physical == connection ? current : null;
    session.receive(from, frames(message));
  }

  @Override
  public void socketClosed(ClientConnection connection, int code, String reason, boolean wasClean) {
    Session session = sessions.unbindTransport(connection);
    if (session == null) {
      PlainSocket limit = plain.remove(connection);
      if (limit == null || !limit.limited()) {
        inner.socketClosed(connection, code, reason, wasClean);
      }
      return;
    }
    Link current = session.link();
    if (current instanceof PushLink push && push.physical == connection) {
      session.transportClosed(current, code, reason.isEmpty() ? "connection closed" : reason);
    }
  }

  @Override
  public void socketError(ClientConnection connection, Throwable error) {
    if (!sessions.carriesSession(connection)) {
      inner.socketError(connection, error);
    } else {
      LOG.log(System.Logger.Level.DEBUG, "transport error on a session's WebSocket", error);
    }
  }

  /** Closes a plain socket that broke the inbound rate limit; the object hears it at once. */
  private void rateLimited(ClientConnection connection) {
    String reason =
        "rate limit: more than "
            + options.inboundRate()
            + " messages/s (outpost.realtime.inbound-rate)";
    connection.close(CloseCodes.RATE_LIMITED, reason);
    inner.socketClosed(connection, CloseCodes.RATE_LIMITED, reason, false);
  }

  /** The frames of a client message: one JSON object, or an array of them. */
  private static List<JsonObject> frames(WebSocketMessage message) {
    String text =
        message.isText() ? message.text() : new String(message.bytes(), StandardCharsets.UTF_8);
    return frames(text);
  }

  private static List<JsonObject> frames(String text) {
    List<JsonObject> out = new ArrayList<>();
    try {
      String trimmed = text.strip();
      if (trimmed.startsWith("[")) {
        for (Object o : new JsonArray(trimmed)) {
          out.add(o instanceof JsonObject j ? j : new JsonObject().put(Field.TYPE, "?"));
        }
      } else {
        out.add(new JsonObject(trimmed));
      }
    } catch (DecodeException | ClassCastException e) {
      out.add(new JsonObject().put(Field.TYPE, "?"));
    }
    return out;
  }

  // ---- pull transports

  @Override
  public CompletableFuture<Response> fetch(ObjectAddress address, Request request) {
    Map<String, String> query = Protocol.query(request);
    String op = query.get(Query.OP);
    if (op == null) {
      return inner.fetch(address, request);
    }
    return switch (op) {
      case Op.OPEN -> open(address, request, query);
      case Op.POLL -> poll(address, query);
      case Op.SEND -> send(address, request, query);
      case Op.DETACH -> {
        sessions
            .find(address, query.get(Query.EPOCH))
            .ifPresent(
                s -> s.pullClosed(query.getOrDefault(Query.CONN, ""), 1006, "event stream closed"));
        yield CompletableFuture.completedFuture(Response.empty(204));
      }
      default ->
          CompletableFuture.completedFuture(
              Response.text(400, "unknown outpost operation '" + op + "'; use open, poll or send"));
    };
  }

  private CompletableFuture<Response> open(
      ObjectAddress address, Request request, Map<String, String> query) {
    String transport = query.get(Query.TRANSPORT);
    if (!OutpostV1.Transport.EVENT_STREAM.equals(transport)
        && !OutpostV1.Transport.LONG_POLL.equals(transport)) {
      return CompletableFuture.completedFuture(
          Response.text(400, "outpost=open needs outpost_transport=sse or poll"));
    }
    boolean eventStream = transport.equals(OutpostV1.Transport.EVENT_STREAM);
    PullLink link = new PullLink(sessions.nextLinkId(), eventStream);
    Optional<Protocol.Resume> resume = Protocol.resumeOf(request);
    if (resume.isPresent()) {
      Optional<Session> existing = sessions.find(address, resume.get().epoch());
      if (existing.isPresent()) {
        Optional<String> welcome = existing.get().resume(link, resume.get().offset());
        if (welcome.isPresent()) {
          return CompletableFuture.completedFuture(welcome(welcome.get()));
        }
      }
    }
    Session session = newSession(address, eventStream ? "event-stream" : "long-polling");
    String welcome = session.open(link);
    CompletableFuture<Response> answer;
    try {
      answer =
          inner.upgrade(
              address,
              forObject(
                  request,
                  eventStream ? OutpostV1.Transport.EVENT_STREAM : OutpostV1.Transport.LONG_POLL),
              session);
    } catch (RuntimeException e) {
      session.discard();
      throw e;
    }
    return answer.handle(
        (response, error) -> {
          if (error != null) {
            session.discard();
            throw error instanceof CompletionException c ? c : new CompletionException(error);
          }
          if (!response.isWebSocketAccept()) {
            session.discard();
            return response;
          }
          return welcome(welcome);
        });
  }

  private static Response welcome(String welcome) {
    return Response.builder(200)
        .header("Content-Type", "application/json")
        .header("Cache-Control", "no-store")
        .header(OutpostV1.Header.REALTIME, "welcome")
        .body(welcome)
        .build();
  }

  private static Response batch(String batch) {
    return Response.builder(200)
        .header("Content-Type", "application/json")
        .header("Cache-Control", "no-store")
        .body(batch)
        .build();
  }

  private CompletableFuture<Response> poll(ObjectAddress address, Map<String, String> query) {
    Optional<Session> session = sessions.find(address, query.get(Query.EPOCH));
    if (session.isEmpty()) {
      return CompletableFuture.completedFuture(batch(unknownSession()));
    }
    long after;
    Long ack;
    try {
      after = Long.parseLong(query.getOrDefault(Query.OFFSET, "0"));
      ack = query.containsKey(Query.ACK) ? Long.parseLong(query.get(Query.ACK)) : null;
    } catch (NumberFormatException e) {
      return CompletableFuture.completedFuture(
          Response.text(400, "outpost_offset and outpost_ack must be numbers"));
    }
    boolean fromClient = !"1".equals(query.get(Query.BRIDGE));
    return session
        .get()
        .poll(query.getOrDefault(Query.CONN, ""), after, ack, fromClient)
        .thenApply(SessionInbox::batch);
  }

  private CompletableFuture<Response> send(
      ObjectAddress address, Request request, Map<String, String> query) {
    Optional<Session> found = sessions.find(address, query.get(Query.EPOCH));
    if (found.isEmpty()) {
      return CompletableFuture.completedFuture(batch(unknownSession()));
    }
    Session session = found.get();
    Link current = session.link();
    Link from = current != null && current.id.equals(query.get(Query.CONN)) ? current : null;
    session.receive(from, frames(request.bodyText()));
    return CompletableFuture.completedFuture(
        batch(
            new JsonObject()
                .put(Field.ACK, session.lastClientId())
                .put(Field.FRAMES, new JsonArray())
                .encode()));
  }

  private static String unknownSession() {
    return Protocol.closeBatch(CloseCodes.UNKNOWN_SESSION, "unknown session; open a new one");
  }

  /**
   * The request the object sees: the protocol's query parameters removed, and for pull transports
   * the headers of a WebSocket upgrade plus {@code X-Outpost-Transport}.
   */
  private static Request forObject(Request request, String transport) {
    String url = request.url();
    int mark = url.indexOf('?');
    if (mark >= 0) {
      StringBuilder kept = new StringBuilder();
      for (String pair : url.substring(mark + 1).split("&")) {
        if (!pair.isEmpty() && !pair.startsWith(Query.OP)) {
          kept.append(kept.isEmpty() ? "" : "&").append(pair);
        }
      }
      url = url.substring(0, mark) + (kept.isEmpty() ? "" : "?" + kept);
    }
    Request.Builder b = Request.builder("GET", url).path(request.path());
    request
        .headers()
        .forEach(
            (name, values) -> {
              if (!transport.equals("websocket")
                  && (name.equalsIgnoreCase("Upgrade") || name.equalsIgnoreCase("Connection"))) {
                return;
              }
              values.forEach(v -> b.header(name, v));
            });
    if (!transport.equals("websocket")) {
      b.header("Upgrade", "websocket");
      b.header("Connection", "Upgrade");
      b.header("Sec-WebSocket-Protocol", OutpostV1.SUBPROTOCOL);
    }
    b.header("X-Outpost-Transport", transport);
    return b.build();
  }
}
