package dev.outpost.router.realtime;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.client.protocol.OutpostV1.Field;
import dev.outpost.client.protocol.OutpostV1.Type;
import dev.outpost.router.realtime.Link.PushLink;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.spi.ClientConnection;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One logical client session: the {@link ClientConnection} the runtime holds for an Outpost client,
 * whichever transport carries it and however often that transport is replaced.
 *
 * <p><b>Design note.</b> The runtime keeps one hibernatable socket per session, so an object sees
 * one connection (send, close, tags, attachment) for the whole session. Physical transports ({@link
 * Link}s) attach and detach underneath: a {@link PushLink} wraps a WebSocket (local, or a node
 * link's forwarded socket), a {@link PullLink} serves long polls and the event-stream bridge. Every
 * message the object sends gets the next offset and goes into a bounded {@link ReplayBuffer}; a
 * client that comes back with (epoch, offset) inside the resume window and inside the buffer gets
 * exactly the messages after its offset, in order, then live ones; otherwise it is told "not
 * recovered" and the object sees this session closed. Client messages carry increasing ids; an id
 * at or below the highest applied one is a resend and is dropped, so a message is applied once.
 *
 * <p><b>States.</b> ATTACHED ⇄ DETACHED; either → CLOSED. DETACHED starts the resume window; when
 * it ends the object hears the close (with the last transport's close code). CLOSED is final: the
 * object closed it, the client said bye, the window ran out, the client broke the rate limit or the
 * protocol, or a resume could not be exact.
 *
 * <p><b>Liveness.</b> While attached to a WebSocket or an event stream the session pings every
 * heartbeat interval; if nothing at all comes from the client within the timeout after a ping, the
 * transport is closed with 4010 and the session detaches. A long poll is held at most one interval;
 * a long-poll client that does not poll again within the timeout after an answer counts as dead.
 *
 * <p><b>Bounds.</b> The replay buffer bounds what a session keeps (count, bytes, age). Output not
 * yet written to a WebSocket is bounded by the transport ({@code WebSocketConnection} locally, the
 * link's credit for forwarded sockets), which closes a slow consumer with 4008; a pull consumer
 * that lets the buffer drop messages it has not fetched is closed with 4008 too. Either way the
 * session survives for the resume window, so the client recovers on reconnect when the buffer still
 * holds what it missed.
 *
 * <p><b>Threads.</b> Turn threads (sends, closes), transport event loops (frames, closes), the
 * timer thread (heartbeats, windows) and polls all enter here; every method is synchronized on the
 * session. Calls into the runtime's inbox are non-blocking and made under the lock to keep client
 * messages in order; the runtime never calls back into a session while holding its own locks.
 */
final class Session implements ClientConnection {

  /** ATTACHED ⇄ DETACHED; either → CLOSED. */
  enum State {
    ATTACHED,
    DETACHED,
    CLOSED;

    boolean canMoveTo(State next) {
      return this != CLOSED && next != this;
    }
  }

  /** Client messages applied between explicit acks sent back on a WebSocket. */
  private static final int ACK_EVERY = 16;

  private final SessionTable table;
  private final ObjectInbox inner;
  private final ObjectAddress address;
  private final String epoch;
  private final String kind;
  private final RealtimeOptions options;
  private final TimeSource time;
  private final ReplayBuffer buffer;
  private final RateLimiter limiter;
  private State state = State.DETACHED;
  private Link link; // null unless ATTACHED
  private PullLink lastClosedPull; // answers late polls of a closed pull link; may be null
  private long lastClientId; // highest client message id applied
  private long ackSent; // highest id acknowledged to the client
  private long heard; // frames and polls heard from the client, for liveness checks
  private int lastCloseCode = 1006;
  private String lastCloseReason = "connection lost";
  private TimeSource.Cancellable heartbeat; // null unless ATTACHED
  private TimeSource.Cancellable window; // null unless DETACHED

  /**
   * A session of {@code address} that delivers to {@code inner} (the node's own inbox) and leaves
   * {@code table} when it ends.
   */
  Session(
      SessionTable table,
      ObjectInbox inner,
      TimeSource time,
      RealtimeOptions options,
      ObjectAddress address,
      String epoch,
      String kind) {
    this.table = table;
    this.inner = inner;
    this.address = address;
    this.epoch = epoch;
    this.kind = kind;
    this.options = options;
    this.time = time;
    this.buffer =
        new ReplayBuffer(
            options.replayMaxMessages(), options.replayMaxBytes(), options.replayMaxAge());
    this.limiter = new RateLimiter(options.inboundRate(), options.inboundBurst(), time.now());
  }

  ObjectAddress address() {
    return address;
  }

  String epoch() {
    return epoch;
  }

  synchronized Link link() {
    return link;
  }

  // ---- attaching

  /** Attaches the first transport of a new session; returns the welcome (already sent on push). */
  synchronized String open(Link first) {
    attach(first);
    String welcome = Protocol.welcome(epoch, 0, false, lastClientId, options, first.id);
    if (first instanceof PushLink push) {
      push.send(welcome);
    }
    return welcome;
  }

  /**
   * Resumes on {@code next} from the client's {@code offset}: replaces any attached transport
   * (4011), sends the welcome and the missed messages on push links. Empty if the resume cannot be
   * exact; the session has then ended and the object hears of it.
   */
  synchronized Optional<String> resume(Link next, long offset) {
    if (state == State.CLOSED) {
      return Optional.empty();
    }
    if (!buffer.canResumeFrom(offset)) {
      end(
          CloseCodes.REPLACED,
          "session not recovered",
          lastCloseCode,
          "not recovered: the client resumed from offset "
              + offset
              + " but the session kept offsets "
              + buffer.oldestKept()
              + ".."
              + buffer.latest(),
          false);
      return Optional.empty();
    }
    if (link != null) {
      closeLink(link, CloseCodes.REPLACED, "session resumed on another connection");
    }
    attach(next);
    String welcome = Protocol.welcome(epoch, offset, true, lastClientId, options, next.id);
    if (next instanceof PushLink push) {
      push.send(welcome);
      for (ReplayBuffer.Entry e : buffer.after(offset, Integer.MAX_VALUE, Long.MAX_VALUE)) {
        push.send(e.frame());
      }
    } else {
      ((PullLink) next).resumeAt(offset);
    }
    return Optional.of(welcome);
  }

  private void attach(Link next) {
    cancel(window);
    window = null;
    link = next;
    state = State.ATTACHED;
    heard++;
    scheduleHeartbeat(next);
    if (next instanceof PullLink pull) {
      // a long poller that does not poll again in time is gone (linkDown ignores a stale link)
      pull.bind(
          this,
          time,
          options.heartbeatTimeout(),
          () -> linkDown(pull, CloseCodes.HEARTBEAT_TIMEOUT, heartbeatReason(), true));
    }
  }

  // ---- ClientConnection: what the runtime (the object) does

  @Override
  public synchronized void send(WebSocketMessage message) {
    if (state == State.CLOSED) {
      return;
    }
    ReplayBuffer.Entry entry = buffer.append(message, time.now());
    if (link instanceof PushLink push) {
      push.send(entry.frame());
    } else if (link instanceof PullLink pull) {
      if (pull.fellBehind(buffer)) {
        linkDown(
            pull,
            CloseCodes.SLOW_CONSUMER,
            "client too slow: messages it had not fetched left the replay buffer"
                + " (outpost.realtime.replay-max-messages)",
            true);
      } else {
        pull.flush(buffer, options);
      }
    }
  }

  @Override
  public synchronized void close(int code, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    if (link != null) {
      closeLink(link, code, reason);
    }
    finish();
  }

  @Override
  public String describe() {
    return "session " + epoch.substring(0, Math.min(8, epoch.length())) + " (" + kind + ")";
  }

  // ---- what the client does

  /**
   * Handles client frames that arrived on {@code from} (null when the sender is not the attached
   * transport: a stale socket, or a POST while detached; its messages still count, its liveness
   * does not).
   */
  synchronized void receive(Link from, List<JsonObject> frames) {
    if (state == State.CLOSED) {
      return;
    }
    if (from != null && from == link) {
      heard++;
    }
    for (JsonObject frame : frames) {
      if (state == State.CLOSED) {
        return;
      }
      String type = frame.getValue(Field.TYPE) instanceof String t ? t : "";
      switch (type) {
        case Type.MESSAGE -> message(frame);
        case Type.PONG, Type.ACK -> {
          if (frame.getValue(Field.OFFSET) instanceof Number o) {
            buffer.acknowledge(Math.min(o.longValue(), buffer.latest()));
          }
        }
        case Type.BYE -> {
          int code = frame.getValue(Field.CODE) instanceof Number c ? c.intValue() : 1000;
          String reason = frame.getValue(Field.REASON) instanceof String r ? r : "";
          end(1000, "bye", code, reason, true);
        }
        default -> protocolError("unknown frame type '" + type + "'");
      }
    }
    if (state != State.CLOSED
        && link instanceof PushLink push
        && lastClientId - ackSent >= ACK_EVERY) {
      ackSent = lastClientId;
      push.send(Protocol.ack(lastClientId));
    }
  }

  private void message(JsonObject frame) {
    Object rawId = frame.getValue(Field.ID);
    if (rawId != null && !(rawId instanceof Number)) {
      protocolError("message id must be a number");
      return;
    }
    Optional<WebSocketMessage> payload = Protocol.payload(frame);
    if (payload.isEmpty()) {
      protocolError("message frame without d (text) or b (base64 binary)");
      return;
    }
    long id = rawId == null ? 0 : ((Number) rawId).longValue();
    if (rawId != null && id <= lastClientId) {
      return; // a resend of a message already applied
    }
    if (!limiter.tryAcquire(time.now())) {
      String reason =
          "rate limit: more than "
              + options.inboundRate()
              + " messages/s (outpost.realtime.inbound-rate)";
      end(CloseCodes.RATE_LIMITED, reason, CloseCodes.RATE_LIMITED, reason, false);
      return;
    }
    if (rawId != null) {
      lastClientId = id;
    }
    inner.socketMessage(this, payload.get());
  }

  private void protocolError(String what) {
    String reason = "outpost.v1 protocol error: " + what;
    end(CloseCodes.PROTOCOL_ERROR, reason, CloseCodes.PROTOCOL_ERROR, reason, false);
  }

  /** The highest client message id applied. */
  synchronized long lastClientId() {
    return lastClientId;
  }

  /** A physical transport reported that it closed. */
  synchronized void transportClosed(Link which, int code, String reason) {
    linkDown(which, code, reason, false);
  }

  /** The pull link {@code conn} is gone (its event stream closed). */
  synchronized void pullClosed(String conn, int code, String reason) {
    if (link instanceof PullLink pull && pull.id.equals(conn)) {
      linkDown(pull, code, reason, true);
    }
  }

  // ---- long polls and the event-stream bridge (served by the PullLink)

  /**
   * A poll on pull link {@code conn} for messages after {@code after}; completes with a batch
   * {@code {"frames":[...]}} at once when there is something to send, else within one heartbeat
   * interval. {@code ack} (if present) trims the buffer; {@code fromClient} says whether the client
   * itself polled (long polling) rather than the router's event-stream bridge.
   */
  synchronized CompletableFuture<String> poll(
      String conn, long after, Long ack, boolean fromClient) {
    if (!(link instanceof PullLink pull) || !pull.id.equals(conn)) {
      if (lastClosedPull != null && lastClosedPull.id.equals(conn)) {
        return CompletableFuture.completedFuture(lastClosedPull.closedAnswer());
      }
      return CompletableFuture.completedFuture(
          state == State.CLOSED
              ? Protocol.closeBatch(lastCloseCode, lastCloseReason)
              : Protocol.closeBatch(CloseCodes.REPLACED, "this connection was replaced"));
    }
    if (fromClient) {
      heard++;
    }
    Optional<CompletableFuture<String>> answer = pull.poll(after, ack, buffer, options, time);
    if (answer.isEmpty()) {
      String why = "messages after offset " + pull.position() + " left the replay buffer";
      linkDown(pull, CloseCodes.SLOW_CONSUMER, "client too slow: " + why, true);
      return CompletableFuture.completedFuture(pull.closedAnswer());
    }
    return answer.get();
  }

  // ---- heartbeats

  private void scheduleHeartbeat(Link on) {
    cancel(heartbeat);
    heartbeat = time.schedule(options.heartbeatInterval(), () -> heartbeatTick(on));
  }

  private void heartbeatTick(Link on) {
    synchronized (this) {
      if (link != on || state != State.ATTACHED) {
        return;
      }
      if (on instanceof PushLink push) {
        push.send(Protocol.ping(lastClientId));
        expectAnswer(on);
      } else if (on instanceof PullLink pull && pull.eventStream) {
        pull.queueControl(Protocol.ping(lastClientId));
        pull.flush(buffer, options);
        expectAnswer(on);
      }
      ackSent = lastClientId;
      scheduleHeartbeat(on);
    }
  }

  private void expectAnswer(Link on) {
    long heardAtPing = heard;
    time.schedule(
        options.heartbeatTimeout(),
        () -> {
          synchronized (this) {
            if (link == on && heard == heardAtPing) {
              linkDown(on, CloseCodes.HEARTBEAT_TIMEOUT, heartbeatReason(), true);
            }
          }
        });
  }

  private String heartbeatReason() {
    return "no heartbeat from the client within "
        + options.heartbeatTimeout().toMillis()
        + " ms (outpost.realtime.heartbeat-timeout)";
  }

  // ---- detaching and ending

  /** {@code which} is down: detach (closing it if asked) and start the resume window. */
  private void linkDown(Link which, int code, String reason, boolean closeIt) {
    if (which != link || state != State.ATTACHED) {
      return;
    }
    if (closeIt) {
      closeLink(which, code, reason);
    }
    link = null;
    state = State.DETACHED;
    lastCloseCode = code;
    lastCloseReason = reason;
    cancel(heartbeat);
    heartbeat = null;
    Duration resumeWindow = options.resumeWindow();
    TimeSource.Cancellable[] self = new TimeSource.Cancellable[1];
    self[0] =
        time.schedule(
            resumeWindow,
            () -> {
              synchronized (this) {
                if (state == State.DETACHED && window == self[0]) {
                  end(
                      lastCloseCode,
                      lastCloseReason,
                      lastCloseCode,
                      "not resumed within " + resumeWindow.toMillis() + " ms: " + lastCloseReason,
                      false);
                }
              }
            });
    window = self[0];
  }

  private void closeLink(Link which, int code, String reason) {
    if (which instanceof PushLink push) {
      table.unbindTransport(push.physical, this);
      push.physical.close(code, reason);
    } else if (which instanceof PullLink pull) {
      pull.close(Protocol.closeBatch(code, reason));
      lastClosedPull = pull;
    }
  }

  /**
   * Ends the session from the client's side: closes the transport with {@code linkCode} and tells
   * the object {@code code}.
   */
  private void end(int linkCode, String linkReason, int code, String reason, boolean clean) {
    if (state == State.CLOSED) {
      return;
    }
    if (link != null) {
      closeLink(link, linkCode, linkReason);
    }
    lastCloseCode = code;
    lastCloseReason = reason;
    finish();
    inner.socketClosed(this, code, reason, clean);
  }

  /** Forgets a session the object never accepted. */
  synchronized void discard() {
    finish();
  }

  private void finish() {
    state = State.CLOSED;
    link = null;
    cancel(heartbeat);
    cancel(window);
    heartbeat = null;
    window = null;
    table.forget(this);
  }

  private static void cancel(TimeSource.Cancellable task) {
    if (task != null) {
      task.cancel();
    }
  }

  // ---- for tests

  synchronized int bufferedForTest() {
    return buffer.size();
  }

  @Override
  public String toString() {
    return describe();
  }
}
