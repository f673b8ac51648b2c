package dev.outpost.api;

/**
 * Decides, in the router of the node a client reached and before the object is woken, whether a
 * request or a connection may reach the object, and what the object is told about the client
 * (PartyKit's {@code onBeforeConnect} and {@code onBeforeRequest}; on Cloudflare, the Worker in
 * front of a Durable Object). A refused client costs no activation, no storage read, no placement
 * and no node-link traffic.
 *
 * <p><b>Declaring one.</b> In the bundle manifest ({@code META-INF/outpost/bundle.properties}), for
 * every namespace of the bundle, for one namespace, or both (the bundle's run first):
 *
 * <pre>
 * guard=com.example.RateCheck
 * namespace.inbox.class=com.example.Inbox
 * namespace.inbox.guard=jwt,com.example.OwnerOnly
 * </pre>
 *
 * Each entry is a comma-separated list run in order: {@code jwt} (the node's JSON Web Token check,
 * configured on the node with {@code --jwt-*}; it adds {@link #SUBJECT_HEADER} and {@link
 * #CLAIMS_HEADER}) or the name of a public class of the bundle implementing this interface, with a
 * public constructor taking {@code (Env)} or nothing. It is constructed once per code version, when
 * the version is loaded; a constructor that throws fails the load or deploy. PartyKit's {@code
 * /parties/{party}/{room}} URLs run the guards of the namespace the party reaches.
 *
 * <p><b>What it sees and answers.</b> The {@link Request} as the object would get it (method, URL
 * with query, path below the object, headers; cookies through {@link Request#cookie}, query
 * parameters through {@link Request#queryParam}; for plain HTTP the body too, already read and
 * within the node's message-size limit; a connection has none) and the {@link Lobby} (namespace,
 * object id and name, transport). It answers {@link Admission#admit(Request)} with the request to
 * pass on (the same, or one with headers added with {@link Request#withHeader}: the verified
 * identity, for the object to read) or {@link Admission#refuse(Response)} with the answer the
 * client gets instead (a 401 or 403, say). The next guard, and then the object, sees the admitted
 * request. Headers whose name starts with {@value #RESERVED_PREFIX} are removed from every client
 * request before the first guard runs, so an object can trust them: only guards set them.
 *
 * <p><b>Threads and time.</b> Called on a virtual thread of the router (never an event loop, never
 * an object's turn), concurrently for many clients: an implementation must be thread-safe, and may
 * block (a lookup elsewhere). It has {@code outpost.auth.guard-timeout} (5 s by default) for the
 * whole chain: past that the client gets 503 with {@code Retry-After} and the guard's thread is
 * interrupted. An exception answers 500 with an error id (logged with the stack trace). Neither
 * ever wakes the object.
 *
 * <p>Every call runs again for every request and connection, including each long poll and each
 * reconnect, so a revoked or expired credential stops working at the next one. Messages on an open
 * WebSocket are not guarded: close the socket from the object to cut a client off.
 */
public interface ConnectGuard {

  /** Prefix of the headers that only guards may set; removed from every client request. */
  String RESERVED_PREFIX = "X-Outpost-Auth-";

  /**
   * Set by the {@code jwt} guard: the verified token's {@code sub} claim (empty if it has none).
   */
  String SUBJECT_HEADER = "X-Outpost-Auth-Subject";

  /** Set by the {@code jwt} guard: the verified token's claims as one line of JSON. */
  String CLAIMS_HEADER = "X-Outpost-Auth-Claims";

  /**
   * Decides a connection: a WebSocket upgrade, an event stream, or a request of the long-polling
   * session protocol ({@link Lobby#transport()} says which). The default admits it unchanged.
   *
   * @param request the upgrade or pull request, with the headers of the guards before
   * @param lobby the object addressed and how the client connects
   * @return what to do; never null
   * @throws Exception answered with 500 and an error id; the object is not woken
   */
  default Admission onBeforeConnect(Request request, Lobby lobby) throws Exception {
    return Admission.admit(request);
  }

  /**
   * Decides a plain HTTP request (including typed calls). The default admits it unchanged.
   *
   * @param request the request, with its body (within the node's message-size limit)
   * @param lobby the object addressed ({@link Lobby.Transport#HTTP})
   * @return what to do; never null
   * @throws Exception answered with 500 and an error id; the object is not woken
   */
  default Admission onBeforeRequest(Request request, Lobby lobby) throws Exception {
    return Admission.admit(request);
  }
}
