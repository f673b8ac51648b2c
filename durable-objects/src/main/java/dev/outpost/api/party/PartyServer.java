package dev.outpost.api.party;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A PartyKit-style room on top of {@link DurableObject}, for code ported from partyserver's {@code
 * Server}: override the {@code on...} hooks, and reach clients through {@link Connection}s and
 * {@link #broadcast}.
 *
 * <pre>{@code
 * public final class Lobby extends PartyServer {
 *   public Lobby(DurableObjectState state, Env env) { super(state, env); }
 *
 *   @Override protected void onConnect(Connection connection, Request request) {
 *     broadcast("joined:" + connection.id(), connection.id());   // everyone else
 *   }
 *
 *   @Override protected void onMessage(Connection from, WebSocketMessage message) {
 *     broadcast(message, List.of(from.id()));                     // relay to the others
 *   }
 * }
 * }</pre>
 *
 * <p><b>Events.</b> A WebSocket upgrade is accepted as a hibernatable socket, tagged with its
 * connection id (the {@code _pk} query parameter, else a random UUID) and {@link #connectionTags},
 * then {@link #onConnect} runs. Messages, closes and errors of those sockets go to {@link
 * #onMessage}, {@link #onClose} and {@link #onError}; any other request to {@link #onRequest}; the
 * alarm to {@link #onAlarm}. {@link #onStart} runs once per instance, before the first of them. The
 * {@link DurableObject} methods are final: they do this dispatch.
 *
 * <p><b>Hibernation.</b> Connections always hibernate, as with partyserver's {@code hibernate:
 * true}: when the room is idle the instance is evicted, its sockets stay open with their ids, tags
 * and states, and the next event constructs a new instance (and runs {@link #onStart} again). Keep
 * per-connection data in {@link Connection#setState}, room data in {@link #state()}{@code
 * .storage()}, never only in fields.
 *
 * <p><b>Threads.</b> Every hook runs in one of the object's turns: one at a time, on a virtual
 * thread, so blocking calls are fine and no locks are needed. Call the methods of this class and of
 * {@link Connection} only from those turns.
 *
 * <p><b>Errors.</b> A hook that throws behaves as any object method that throws: the turn's writes
 * and sends are kept, the error is logged with an id, and the caller sees it. For {@link
 * #onConnect} that means the upgrade is refused with a 500 (the connection never opens; partysocket
 * retries); for {@link #onRequest}, a 500. An {@link #onStart} that throws resets the object (its
 * writes are dropped), as a failed {@code blockConcurrencyWhile} does, and the next event starts it
 * again. A {@code _pk} longer than {@value #MAX_CONNECTION_ID_LENGTH} characters, or a query string
 * with a malformed percent-escape, is refused with 400.
 *
 * <p><b>Limits.</b> A connection id of at most {@value #MAX_CONNECTION_ID_LENGTH} characters; at
 * most {@value #MAX_CONNECTION_TAGS} tags of at most {@value DurableObjectState#MAX_TAG_LENGTH}
 * characters (partyserver: 9 and 256); a state of at most 16 KiB of JSON (partyserver: 2 KB); at
 * most {@value DurableObjectState#MAX_WEBSOCKETS} connections per room.
 *
 * <p><b>Differences from partyserver.</b> {@code onConnect} gets the upgrade {@link Request}
 * (partyserver: {@code ctx.request}); {@link Connection} has no {@code uri} (keep what you need of
 * the request in its state); {@code setState} takes a value, not a function; {@link #name()} is the
 * room name percent-decoded (partyserver: as it appeared in the path); there is no {@code
 * onException}, no props, and no non-hibernating mode.
 */
public abstract class PartyServer implements DurableObject {

  /** The query parameter holding the connection id, as partysocket sends it. */
  public static final String ID_PARAMETER = "_pk";

  /** The prefix of the socket tag that holds a connection's id. */
  static final String ID_TAG_PREFIX = "_pk:";

  /** Longest connection id: the id is kept as a socket tag, with its 4-character prefix. */
  public static final int MAX_CONNECTION_ID_LENGTH =
      DurableObjectState.MAX_TAG_LENGTH - 4; // the tag is ID_TAG_PREFIX + id

  /** Most tags of one connection: one of a socket's tags holds the id. */
  public static final int MAX_CONNECTION_TAGS = DurableObjectState.MAX_TAGS - 1;

  private final DurableObjectState state;
  private final Env env;
  private boolean started;

  /** Keeps the object's state and environment; subclasses pass on their constructor's arguments. */
  protected PartyServer(DurableObjectState state, Env env) {
    this.state = Objects.requireNonNull(state, "state");
    this.env = Objects.requireNonNull(env, "env");
  }

  /** The object's state: storage, sockets, alarm (partyserver's {@code this.ctx}). */
  protected final DurableObjectState state() {
    return state;
  }

  /** The bundle's namespaces and settings (partyserver's {@code this.env}). */
  protected final Env env() {
    return env;
  }

  /**
   * The room's name: the object's name, as {@code /parties/{party}/{room}} gave it
   * (percent-decoded).
   *
   * @throws IllegalStateException if the object was addressed by id ({@code
   *     /objects/{namespace}/id/{id}}), so has no name
   */
  public final String name() {
    return state
        .id()
        .name()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "this room was addressed by id ("
                        + state.id()
                        + "), so it has no name; address rooms by name:"
                        + " /parties/{party}/{room}"));
  }

  // ---- hooks

  /**
   * Runs once per instance, before its first event: after the room was created, and again after
   * every eviction (hibernation) or reset. Load what the room keeps in storage here. The default
   * does nothing.
   */
  protected void onStart() throws Exception {}

  /**
   * A client connected; {@code connection} is open and can be used at once. {@code request} is the
   * upgrade (its URL, query and headers). The default does nothing.
   */
  protected void onConnect(Connection connection, Request request) throws Exception {}

  /** A client sent a message, text or binary. The default does nothing. */
  protected void onMessage(Connection connection, WebSocketMessage message) throws Exception {}

  /**
   * A connection closed, from either side (code 1005 when the peer sent none, 1006 when it dropped
   * without a close frame). The runtime completes the close handshake. The default does nothing.
   */
  protected void onClose(Connection connection, int code, String reason, boolean wasClean)
      throws Exception {}

  /** A connection failed; {@link #onClose} follows. The default does nothing. */
  protected void onError(Connection connection, Throwable error) throws Exception {}

  /**
   * An HTTP request that is not a WebSocket upgrade ({@code PartySocket.fetch}, or any request to
   * the room's URL); {@code request.path()} is the part after the room. The default answers 404.
   */
  protected Response onRequest(Request request) throws Exception {
    return Response.text(
        404, "room " + state.id().name().orElse("") + " has no HTTP handler (override onRequest)");
  }

  /**
   * The alarm set with {@code state().storage().setAlarm(...)} is due. The default does nothing.
   */
  protected void onAlarm(AlarmInfo info) throws Exception {}

  /**
   * The tags to give a new connection, to find it later with {@link #getConnections(String)}: at
   * most {@value #MAX_CONNECTION_TAGS}, each at most {@value DurableObjectState#MAX_TAG_LENGTH}
   * characters, none starting with {@code "_pk:"}. Runs before {@link #onConnect}. The default
   * gives none.
   */
  protected List<String> connectionTags(String connectionId, Request request) throws Exception {
    return List.of();
  }

  // ---- connections

  /**
   * Sends {@code message} to every open connection whose id is not in {@code excludeIds}.
   *
   * @return how many connections it was sent to
   */
  public final int broadcast(WebSocketMessage message, Collection<String> excludeIds) {
    Objects.requireNonNull(message, "message");
    Set<String> excluded = excludeIds == null ? Set.of() : Set.copyOf(excludeIds);
    int sent = 0;
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      if (ws.isOpen() && (excluded.isEmpty() || !excluded.contains(idOf(ws)))) {
        ws.send(message);
        sent++;
      }
    }
    return sent;
  }

  /** Sends {@code text} to every open connection but those with the given ids. */
  public final int broadcast(String text, String... excludeIds) {
    return broadcast(WebSocketMessage.text(text), List.of(excludeIds));
  }

  /** Sends {@code text} to every open connection but those with the given ids. */
  public final int broadcast(String text, Collection<String> excludeIds) {
    return broadcast(WebSocketMessage.text(text), excludeIds);
  }

  /** Sends {@code bytes} to every open connection but those with the given ids. */
  public final int broadcast(byte[] bytes, String... excludeIds) {
    return broadcast(WebSocketMessage.binary(bytes), List.of(excludeIds));
  }

  /** Sends {@code message} to every open connection. */
  public final int broadcast(WebSocketMessage message) {
    return broadcast(message, List.of());
  }

  /**
   * The open connection with this id; the one accepted last if several share it (a client
   * reconnecting before its old connection was seen closed).
   */
  public final Optional<Connection> getConnection(String id) {
    List<HibernatableWebSocket> sockets = state.getWebSockets(ID_TAG_PREFIX + id);
    for (int i = sockets.size() - 1; i >= 0; i--) {
      if (sockets.get(i).isOpen()) {
        return Optional.of(connection(sockets.get(i)));
      }
    }
    return Optional.empty();
  }

  /** Every open connection, in the order they were accepted. */
  public final List<Connection> getConnections() {
    return connections(state.getWebSockets());
  }

  /** The open connections carrying {@code tag} (see {@link #connectionTags}), in order. */
  public final List<Connection> getConnections(String tag) {
    return connections(state.getWebSockets(Objects.requireNonNull(tag, "tag")));
  }

  private List<Connection> connections(List<HibernatableWebSocket> sockets) {
    List<Connection> open = new ArrayList<>(sockets.size());
    for (HibernatableWebSocket ws : sockets) {
      if (ws.isOpen()) {
        open.add(connection(ws));
      }
    }
    return open;
  }

  private Connection connection(HibernatableWebSocket ws) {
    String id = "";
    List<String> tags = new ArrayList<>();
    for (String tag : state.getTags(ws)) {
      if (tag.startsWith(ID_TAG_PREFIX) && id.isEmpty()) {
        id = tag.substring(ID_TAG_PREFIX.length());
      } else {
        tags.add(tag);
      }
    }
    return new Connection(ws, id, tags);
  }

  private String idOf(HibernatableWebSocket ws) {
    for (String tag : state.getTags(ws)) {
      if (tag.startsWith(ID_TAG_PREFIX)) {
        return tag.substring(ID_TAG_PREFIX.length());
      }
    }
    return "";
  }

  // ---- the DurableObject methods: dispatch to the hooks

  @Override
  public final Response fetch(Request request) throws Exception {
    start();
    if (!request.isWebSocketUpgrade()) {
      return onRequest(request);
    }
    String id;
    try {
      id = queryParameter(request, ID_PARAMETER).orElseGet(() -> UUID.randomUUID().toString());
    } catch (IllegalArgumentException malformed) {
      return Response.text(400, "malformed query string: " + malformed.getMessage());
    }
    if (id.length() > MAX_CONNECTION_ID_LENGTH) {
      return Response.text(
          400,
          "connection id (_pk) is "
              + id.length()
              + " characters; at most "
              + MAX_CONNECTION_ID_LENGTH
              + " are allowed");
    }
    List<String> extra = List.copyOf(connectionTags(id, request));
    if (extra.size() > MAX_CONNECTION_TAGS) {
      throw new IllegalArgumentException(
          "connectionTags gave "
              + extra.size()
              + " tags; a connection may carry at most "
              + MAX_CONNECTION_TAGS
              + " (one of a socket's "
              + DurableObjectState.MAX_TAGS
              + " tags holds its id)");
    }
    List<String> tags = new ArrayList<>(extra.size() + 1);
    tags.add(ID_TAG_PREFIX + id);
    for (String tag : extra) {
      if (tag.startsWith(ID_TAG_PREFIX)) {
        throw new IllegalArgumentException(
            "connection tag '" + tag + "' starts with '" + ID_TAG_PREFIX + "', kept for ids");
      }
      tags.add(tag);
    }
    Response accepted = state.acceptWebSocket(request, tags.toArray(String[]::new));
    HibernatableWebSocket ws = accepted.webSocket().orElseThrow();
    onConnect(new Connection(ws, id, extra), request);
    return accepted;
  }

  @Override
  public final void webSocketMessage(HibernatableWebSocket ws, WebSocketMessage message)
      throws Exception {
    start();
    onMessage(connection(ws), message);
  }

  @Override
  public final void webSocketClose(
      HibernatableWebSocket ws, int code, String reason, boolean wasClean) throws Exception {
    start();
    onClose(connection(ws), code, reason, wasClean);
  }

  @Override
  public final void webSocketError(HibernatableWebSocket ws, Throwable error) throws Exception {
    start();
    onError(connection(ws), error);
  }

  @Override
  public final void alarm(AlarmInfo info) throws Exception {
    start();
    onAlarm(info);
  }

  private void start() throws Exception {
    if (started) {
      return;
    }
    state.blockConcurrencyWhile(
        () -> {
          onStart();
          return null;
        });
    started = true;
  }

  /** The first value of a query parameter, form-decoded, if present and not empty. */
  static Optional<String> queryParameter(Request request, String name) {
    for (String pair : request.query().orElse("").split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
        String value =
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
      }
    }
    return Optional.empty();
  }
}
