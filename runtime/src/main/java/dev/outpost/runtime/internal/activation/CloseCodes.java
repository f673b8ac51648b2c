package dev.outpost.runtime.internal.activation;

/**
 * Which close codes an object may send on a WebSocket: every code RFC 6455 lets an endpoint send,
 * as workerd does for a server-side socket (Cloudflare's own chat demo closes with 1011).
 *
 * <ul>
 *   <li>1000–1003 and 1007–1011: defined by RFC 6455 §7.4.1.
 *   <li>1012–1014: registered in the IANA "WebSocket Close Code Number Registry" (RFC 6455 §11.7).
 *   <li>3000–4999: for libraries, frameworks and applications (RFC 6455 §7.4.2).
 * </ul>
 *
 * Refused: 1004 (reserved), 1005 and 1006 (RFC 6455 §7.4.1: "MUST NOT be set as a status code in a
 * Close control frame by an endpoint"), 1015 (the same, for TLS failures), the unassigned 1016–2999
 * (reserved for the protocol, §7.4.2), and anything below 1000 or above 4999 (not used, §7.4.2).
 */
final class CloseCodes {

  private CloseCodes() {}

  /** Whether an endpoint may send {@code code} in a close frame. */
  static boolean sendable(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }

  /**
   * Returns {@code code} if an endpoint may send it.
   *
   * @throws IllegalArgumentException naming the rule that forbids it and what to send instead
   */
  static int requireSendable(int code) {
    if (sendable(code)) {
      return code;
    }
    String why =
        switch (code) {
          case 1004 -> "1004 is reserved (RFC 6455 §7.4.1)";
          case 1005, 1006, 1015 ->
              code
                  + " only reports a close to the application and must never be sent"
                  + " (RFC 6455 §7.4.1); a webSocketClose handler echoing the code it got must"
                  + " send 1000 instead";
          default ->
              code < 1000 || code > 4999
                  ? code + " is outside the close-code range 1000–4999 (RFC 6455 §7.4.2)"
                  : code + " is reserved for future versions of the protocol (RFC 6455 §7.4.2)";
        };
    throw new IllegalArgumentException(
        "close code "
            + why
            + "; send 1000–1003, 1007–1014 (for example 1011 for an internal error) or an"
            + " application code in 3000–4999");
  }
}
