package dev.outpost.router.realtime;

import dev.outpost.runtime.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A session's pull transport: long polling, or the router's event-stream bridge polling on behalf
 * of an event stream. Serves the session to the puller: messages wait in the session's {@link
 * ReplayBuffer} and controls (pings) wait here until the next poll takes them as one batch; a poll
 * with nothing to take is held for at most one heartbeat interval. Owns the puller's position, the
 * held poll and the answer polls get once the link has closed.
 *
 * <p><b>Threads.</b> Every method runs under the owning session's lock (its caller holds it); the
 * timers (the held poll's end, the long-poll liveness check), on the timer thread, take that lock
 * themselves. A pull link never calls into its session by name: the session reads what it needs
 * from return values, and hears of a long poller gone silent through the action it gives to {@link
 * #bind}.
 *
 * <p><b>Liveness.</b> After each answer (the welcome counts as one), a long poller has one
 * heartbeat timeout to poll again; if it does not, the link is silent. The event-stream bridge
 * polls for its client, whose liveness is its answers to pings instead.
 */
final class PullLink extends Link {

  final boolean eventStream;
  private final List<String> controls = new ArrayList<>(); // pings waiting for a poll
  private Object lock; // the owning session's lock; null until bound
  private TimeSource time; // null until bound
  private Duration timeout; // the long poller's time to poll again; null until bound
  private Runnable silent; // run when a long poller did not poll again in time; null until bound
  private long position; // offset after which the next batch starts
  private long polls; // polls received, for the long-poll liveness check
  private CompletableFuture<String> waiter; // the held poll, or null
  private TimeSource.Cancellable hold; // ends the held poll, or null
  private String closedAnswer; // what a poll gets after the link closed; null while open

  PullLink(String id, boolean eventStream) {
    super(id);
    this.eventStream = eventStream;
  }

  /**
   * Attaches to a session, whose lock guards this link, and counts the welcome as an answer: a long
   * poller that lets {@code timeout} pass after an answer without polling makes it run {@code
   * silent} (under the lock).
   */
  void bind(Object sessionLock, TimeSource time, Duration timeout, Runnable silent) {
    this.lock = sessionLock;
    this.time = time;
    this.timeout = timeout;
    this.silent = silent;
    answered();
  }

  /** Makes the next batch start after {@code offset} (a resume). */
  void resumeAt(long offset) {
    position = offset;
  }

  long polls() {
    return polls;
  }

  boolean holdsPoll() {
    return waiter != null;
  }

  /** Whether messages the puller has not fetched have left {@code buffer}. */
  boolean fellBehind(ReplayBuffer buffer) {
    return !buffer.canResumeFrom(Math.min(position, buffer.latest()));
  }

  /** Queues a control frame for the next batch. */
  void queueControl(String frame) {
    controls.add(frame);
  }

  /** Gives a held poll what waits now, if a poll is held. */
  void flush(ReplayBuffer buffer, RealtimeOptions options) {
    if (waiter != null) {
      answer(batch(buffer, options));
    }
  }

  long position() {
    return position;
  }

  /**
   * A poll for what follows offset {@code after}, acknowledging {@code ack} (if not null): answers
   * at once when something waits, else holds the poll for up to one heartbeat interval; a poll
   * already held is answered empty (superseded). Empty if messages after that offset have left
   * {@code buffer}: the puller fell behind, and the link is left as it was for the session to
   * close.
   */
  Optional<CompletableFuture<String>> poll(
      long after, Long ack, ReplayBuffer buffer, RealtimeOptions options, TimeSource time) {
    polls++;
    if (ack != null) {
      buffer.acknowledge(Math.min(ack, buffer.latest()));
    }
    position = Math.min(Math.max(0, after), buffer.latest());
    if (!buffer.canResumeFrom(position)) {
      return Optional.empty();
    }
    if (waiter != null) {
      answer(Protocol.EMPTY_BATCH); // superseded by this poll
    }
    String batch = batch(buffer, options);
    if (batch != null) {
      answered();
      return Optional.of(CompletableFuture.completedFuture(batch));
    }
    CompletableFuture<String> held = new CompletableFuture<>();
    waiter = held;
    hold =
        time.schedule(
            options.heartbeatInterval(),
            () -> {
              synchronized (lock) {
                if (waiter == held) {
                  answer(Protocol.EMPTY_BATCH);
                }
              }
            });
    return Optional.of(held);
  }

  /** The answer of every poll from now on; a held poll gets it at once. */
  void close(String answer) {
    closedAnswer = answer;
    CompletableFuture<String> held = waiter;
    waiter = null;
    cancel();
    if (held != null) {
      held.complete(answer);
    }
  }

  /** What a poll gets after the link closed; null while open. */
  String closedAnswer() {
    return closedAnswer;
  }

  /** The controls and messages waiting, as a batch; null if there are none. */
  private String batch(ReplayBuffer buffer, RealtimeOptions options) {
    List<ReplayBuffer.Entry> entries =
        buffer.after(position, options.pollMaxMessages(), options.pollMaxBytes());
    if (entries.isEmpty() && controls.isEmpty()) {
      return null;
    }
    List<String> frames = new ArrayList<>(controls);
    controls.clear();
    for (ReplayBuffer.Entry e : entries) {
      frames.add(e.frame());
      position = e.offset();
    }
    return Protocol.batch(frames);
  }

  private void answer(String batch) {
    CompletableFuture<String> held = waiter;
    waiter = null;
    cancel();
    hold = null;
    if (held != null) {
      answered();
      held.complete(batch);
    }
  }

  /** After answering a long poll, the client has one timeout to poll again. */
  private void answered() {
    if (eventStream) {
      return;
    }
    long pollsNow = polls;
    time.schedule(
        timeout,
        () -> {
          synchronized (lock) {
            if (closedAnswer == null && waiter == null && polls == pollsNow) {
              silent.run();
            }
          }
        });
  }

  private void cancel() {
    if (hold != null) {
      hold.cancel();
    }
  }
}
