package dev.outpost.router;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the client's 101 carries when an object accepts a WebSocket, as Cloudflare's {@code new
 * Response(null, {status: 101, webSocket, headers})} does: the subprotocol the object chose in
 * {@code Sec-WebSocket-Protocol}, which must be one the client offered, and the object's other
 * headers. The handshake's own headers ({@code Upgrade}, {@code Connection}, {@code
 * Sec-WebSocket-Accept}, {@code Sec-WebSocket-Extensions}) and body framing stay the server's.
 */
final class UpgradeAnswer {

  static final String PROTOCOL = "Sec-WebSocket-Protocol";

  private static final Set<String> SERVER_OWNED = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  static {
    SERVER_OWNED.addAll(
        List.of(
            "Upgrade",
            "Connection",
            "Sec-WebSocket-Accept",
            "Sec-WebSocket-Extensions",
            "Content-Length",
            "Transfer-Encoding"));
  }

  private UpgradeAnswer() {}

  /** The subprotocols the client offered, in its order. */
  static List<String> offered(Request request) {
    List<String> out = new ArrayList<>();
    for (String value : request.headers().getOrDefault(PROTOCOL, List.of())) {
      for (String token : value.split(",")) {
        if (!token.isBlank()) {
          out.add(token.strip());
        }
      }
    }
    return out;
  }

  /**
   * Why the object's 101 cannot be given to the client, if it cannot: it chose a subprotocol the
   * client did not offer, or more than one.
   */
  static Optional<String> refusal(Request request, Response accepted) {
    List<String> chosen = accepted.headers().getOrDefault(PROTOCOL, List.of());
    if (chosen.isEmpty()) {
      return Optional.empty();
    }
    List<String> offered = offered(request);
    if (chosen.size() > 1 || !offered.contains(chosen.get(0).strip())) {
      return Optional.of(
          "the object accepted the WebSocket with subprotocol "
              + chosen
              + ", which the client did not offer (offered: "
              + offered
              + "); choose exactly one of the offered subprotocols, or none");
    }
    return Optional.empty();
  }

  /** The headers of the object's 101 that go to the client. */
  static Map<String, List<String>> headers(Response accepted) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    accepted
        .headers()
        .forEach(
            (name, values) -> {
              if (!SERVER_OWNED.contains(name)) {
                out.put(
                    name,
                    name.equalsIgnoreCase(PROTOCOL) ? List.of(values.get(0).strip()) : values);
              }
            });
    return out;
  }
}
