package dev.outpost.bench.server;

import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One room of the baseline server: its members, and how a text message reaches all of them.
 *
 * <ul>
 *   <li><b>Inline</b> (no executor): written to every member on the event loop that received it,
 *       the textbook handler. Vert.x flushes a write at once unless the target connection is itself
 *       reading or draining, so each delivery to another socket is its own syscall.
 *   <li><b>Off-loop</b> (an executor): the message goes to the room's mailbox and one task at a
 *       time, on the executor, writes the queued messages to every member. Writes from outside an
 *       event loop wait in each connection's queue and are flushed once per drain, so deliveries
 *       coalesce under load. This is how Outpost's turns write (from virtual threads), minus
 *       everything else the runtime does: it isolates the cost of the runtime layer.
 * </ul>
 *
 * <p>Thread-safe: members join and leave on event loops; messages arrive on any event loop.
 */
final class BroadcastRoom {

  private static final int MAX_MESSAGES_PER_TASK = 256;

  private final List<ServerWebSocket> members = new CopyOnWriteArrayList<>();
  private final Executor executor; // null: inline
  private final ConcurrentLinkedQueue<String> mailbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** A room writing inline ({@code executor} null) or off the event loop on {@code executor}. */
  BroadcastRoom(Executor executor) {
    this.executor = executor;
  }

  void join(ServerWebSocket ws) {
    members.add(ws);
  }

  void leave(ServerWebSocket ws) {
    members.remove(ws);
  }

  /** Sends {@code text} to every member, the sender included. */
  void broadcast(String text) {
    if (executor == null) {
      writeAll(text);
      return;
    }
    mailbox.add(text);
    schedule();
  }

  private void schedule() {
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    for (int i = 0; i < MAX_MESSAGES_PER_TASK; i++) {
      String text = mailbox.poll();
      if (text == null) {
        break;
      }
      writeAll(text);
    }
    scheduled.set(false);
    if (!mailbox.isEmpty()) {
      schedule();
    }
  }

  private void writeAll(String text) {
    for (ServerWebSocket member : members) {
      member.writeTextMessage(text);
    }
  }
}
