package dev.outpost.client.protocol;

/**
 * Close codes the real-time layer sends. Outpost reserves 4000–4099; objects should close with
 * 1000, 3000–3999 or 4100–4999. On an event stream or long poll the same code travels in a {@code
 * close} frame. The Outpost clients reconnect (and resume) after every code below except {@link
 * #RATE_LIMITED}, after which they reconnect with a fresh session once their backoff allows.
 *
 * <table>
 *   <caption>Codes</caption>
 *   <tr><th>code</th><th>meaning</th><th>the session</th></tr>
 *   <tr><td>4008</td><td>slow consumer: too much output waited for this connection (the node
 *       links use the same code)</td><td>kept for the resume window: reconnect and resume</td></tr>
 *   <tr><td>4010</td><td>heartbeat timeout: the client did not answer a ping in time</td>
 *       <td>kept for the resume window</td></tr>
 *   <tr><td>4011</td><td>replaced: the session was resumed on another connection</td>
 *       <td>continues on the other connection</td></tr>
 *   <tr><td>4004</td><td>unknown session (poll or send naming a session this node does not
 *       have)</td><td>gone: open a new one, asking to resume, to learn "not recovered"</td></tr>
 *   <tr><td>4029</td><td>rate limited: the client sent faster than {@code
 *       outpost.realtime.inbound-rate}</td><td>closed; the object sees 4029</td></tr>
 *   <tr><td>1002</td><td>protocol error: a frame that is not Outpost protocol</td>
 *       <td>closed; the object sees 1002</td></tr>
 * </table>
 */
public final class CloseCodes {

  /** Too much output waited for this connection; reconnect and resume. */
  public static final int SLOW_CONSUMER = 4008;

  /** The client did not answer a heartbeat within the timeout. */
  public static final int HEARTBEAT_TIMEOUT = 4010;

  /** The session was resumed on another connection. */
  public static final int REPLACED = 4011;

  /** The session named by a poll or send is unknown here. */
  public static final int UNKNOWN_SESSION = 4004;

  /** The client sent more than the inbound rate allows. */
  public static final int RATE_LIMITED = 4029;

  /** A frame that is not Outpost protocol. */
  public static final int PROTOCOL_ERROR = 1002;

  private CloseCodes() {}
}
