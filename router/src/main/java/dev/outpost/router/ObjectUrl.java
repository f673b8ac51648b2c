package dev.outpost.router;

import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.PlacementHints;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * What an object URL addresses, and the conversion between Vert.x's HTTP types and the user API's
 * {@link Request} / {@link Response}.
 *
 * <p>URL shapes: {@code /objects/{namespace}/{name}[/{path}]} (the name percent-decoded strictly:
 * {@code +} kept as is, {@code %2F} a slash in the name, a malformed escape or a name that is not
 * UTF-8 answered 400) and {@code /objects/{namespace}/id/{id}[/{path}]} (a 64-hex-digit id). The
 * optional {@code jurisdiction} and {@code locationHint} (query parameter or {@code X-Outpost-*}
 * header) scope the id and hint its placement; {@code clientRegion} declares where the client is,
 * for latency emulation.
 *
 * <p>PartyKit's shapes, as {@code partysocket} builds them, name the same objects: {@code
 * /parties/{party}/{room}[/{path}]} and {@code /party/{room}[/{path}]} (the party {@code main}). A
 * party reaches the namespace the bundle's {@code party.{party}} entry names ({@link
 * ObjectInbox#parties()}), else the namespace of its own name; the room is the object's name,
 * decoded as above, so {@code /parties/main/lobby} and {@code /objects/chat/lobby} (with {@code
 * party.main=chat}) are one object. There is no {@code id/} form there: a room named {@code id} is
 * a room. An unknown party answers 404 naming the parties and namespaces served.
 *
 * @param address the object
 * @param path the path below the object, {@code /} at least
 * @param hints placement hints for a first request
 * @param clientRegion the region the client says it is in
 */
record ObjectUrl(
    ObjectAddress address, String path, PlacementHints hints, Optional<String> clientRegion) {

  /** Outpost's own shape. */
  static final String PREFIX = "/objects/";

  /** PartyKit's shape, {@code /parties/{party}/{room}}. */
  static final String PARTIES_PREFIX = "/parties/";

  /** PartyKit's shape for the party {@code main}, {@code /party/{room}}. */
  static final String PARTY_PREFIX = "/party/";

  /** The party that {@code /party/{room}} reaches, and partysocket's default. */
  static final String DEFAULT_PARTY = "main";

  /** Every path prefix under which objects are addressed. */
  static final java.util.List<String> PREFIXES =
      java.util.List.of(PREFIX, PARTIES_PREFIX, PARTY_PREFIX);

  /**
   * Parses the URL of {@code ctx} against the namespaces {@code inbox} serves, or answers the error
   * (404 unknown namespace or party, naming those served; 400 malformed id, missing name, or a name
   * with a malformed escape or not UTF-8) and returns empty.
   */
  static Optional<ObjectUrl> resolve(RoutingContext ctx, ObjectInbox inbox) {
    String path = ctx.request().path();
    // The routes match the bare prefix too ("/parties"): read it as the prefix with nothing after.
    String full = path.indexOf('/', 1) < 0 ? path + "/" : path;
    String nsName;
    String afterNs;
    boolean byIdAllowed;
    String shape;
    if (full.startsWith(PREFIX)) {
      String rest = full.substring(PREFIX.length());
      int slash = rest.indexOf('/');
      nsName = slash < 0 ? rest : rest.substring(0, slash);
      afterNs = slash < 0 ? "" : rest.substring(slash + 1);
      byIdAllowed = true;
      shape = "/objects/" + nsName + "/{name}";
    } else {
      String party;
      if (full.startsWith(PARTIES_PREFIX)) {
        String rest = full.substring(PARTIES_PREFIX.length());
        int slash = rest.indexOf('/');
        party = slash < 0 ? rest : rest.substring(0, slash);
        afterNs = slash < 0 ? "" : rest.substring(slash + 1);
        shape = "/parties/" + party + "/{room}";
      } else {
        party = DEFAULT_PARTY;
        afterNs = full.substring(PARTY_PREFIX.length());
        shape = "/party/{room}";
      }
      Optional<String> target = partyNamespace(inbox, party);
      if (target.isEmpty()) {
        HttpReplies.text(
            ctx.response(),
            404,
            "unknown party '"
                + party
                + "'; this node serves the parties "
                + inbox.parties()
                + " (party.NAME=NAMESPACE in the bundle manifest) and the namespaces "
                + inbox.namespaceNames());
        return Optional.empty();
      }
      nsName = target.get();
      byIdAllowed = false;
    }
    Optional<DurableObjectNamespace> ns = inbox.namespace(nsName);
    if (ns.isEmpty()) {
      HttpReplies.text(
          ctx.response(),
          404,
          "unknown namespace '" + nsName + "'; this node serves " + inbox.namespaceNames());
      return Optional.empty();
    }
    int next = afterNs.indexOf('/');
    String first = next < 0 ? afterNs : afterNs.substring(0, next);
    String tail = next < 0 ? "" : afterNs.substring(next);
    try {
      Optional<String> jurisdiction = param(ctx, "jurisdiction", "X-Outpost-Jurisdiction");
      DurableObjectNamespace scoped =
          jurisdiction.isPresent() ? ns.get().jurisdiction(jurisdiction.get()) : ns.get();
      DurableObjectId id;
      if (byIdAllowed && first.equals("id")) {
        String idAndPath = tail.isEmpty() ? "" : tail.substring(1);
        int end = idAndPath.indexOf('/');
        id = scoped.idFromString(end < 0 ? idAndPath : idAndPath.substring(0, end));
        tail = end < 0 ? "" : idAndPath.substring(end);
      } else {
        String name = decodeName(first);
        if (name.isEmpty()) {
          HttpReplies.text(ctx.response(), 400, "missing object name: use " + shape);
          return Optional.empty();
        }
        id = scoped.idFromName(name);
      }
      return Optional.of(
          new ObjectUrl(
              new ObjectAddress(nsName, id),
              tail.isEmpty() ? "/" : tail,
              new PlacementHints(param(ctx, "locationHint", "X-Outpost-Location-Hint")),
              param(
                  ctx, LatencyEmulator.CLIENT_REGION_PARAM, LatencyEmulator.CLIENT_REGION_HEADER)));
    } catch (IllegalArgumentException e) {
      HttpReplies.text(ctx.response(), 400, e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The namespace PartyKit party {@code party} reaches: the bundle's alias for it, else the
   * namespace of that name.
   */
  static Optional<String> partyNamespace(ObjectInbox inbox, String party) {
    String alias = inbox.parties().get(party);
    if (alias != null) {
      return Optional.of(alias);
    }
    return inbox.namespaceNames().contains(party) ? Optional.of(party) : Optional.empty();
  }

  /**
   * The request as the object sees it: method, full URI, {@link #path}, headers and body. Headers
   * named {@code X-Outpost-Auth-*} ({@link ConnectGuard#RESERVED_PREFIX}) are dropped: only connect
   * guards set them, so objects can trust them.
   */
  Request toRequest(HttpServerRequest req, byte[] body) {
    Request.Builder builder = Request.builder(req.method().name(), req.uri()).path(path).body(body);
    for (Map.Entry<String, String> header : req.headers()) {
      if (!header
          .getKey()
          .regionMatches(
              true, 0, ConnectGuard.RESERVED_PREFIX, 0, ConnectGuard.RESERVED_PREFIX.length())) {
        builder.header(header.getKey(), header.getValue());
      }
    }
    return builder.build();
  }

  /** Writes the object's answer (its own framing headers are dropped: Vert.x sets them). */
  static void write(HttpServerResponse out, Response response) {
    if (out.ended() || out.closed()) {
      return;
    }
    out.setStatusCode(response.status());
    response
        .headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("content-length")
                  && !name.equalsIgnoreCase("transfer-encoding")) {
                out.putHeader(name, values);
              }
            });
    out.end(Buffer.buffer(response.body()));
  }

  /** A query parameter, or else a header, if present and not blank. */
  static Optional<String> param(RoutingContext ctx, String query, String header) {
    String value = ctx.request().getParam(query);
    if (value == null || value.isBlank()) {
      value = ctx.request().getHeader(header);
    }
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
  }

  /**
   * Percent-decodes a name segment strictly: {@code +} stays a plus, {@code %2F} becomes a slash
   * inside the name, and a malformed escape or bytes that are not UTF-8 are refused rather than
   * repaired, so two different URLs never name the same object.
   *
   * @throws IllegalArgumentException naming the segment and what is wrong with it
   */
  static String decodeName(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      if (segment.charAt(i) != '%') {
        int next = segment.indexOf('%', i);
        int end = next < 0 ? segment.length() : next;
        bytes.writeBytes(segment.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
        continue;
      }
      int high = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
      int low = high < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
      if (low < 0) {
        throw new IllegalArgumentException(
            "object name '"
                + segment
                + "' has a malformed percent-escape at position "
                + i
                + "; use %XX with two hex digits (and %25 for a literal %)");
      }
      bytes.write(high * 16 + low);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          "object name '"
              + segment
              + "' does not decode to UTF-8; percent-encode the name's UTF-8 bytes",
          e);
    }
  }
}
