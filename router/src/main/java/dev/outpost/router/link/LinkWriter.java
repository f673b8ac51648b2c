package dev.outpost.router.link;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes one end of a link: frames handed in from any thread leave in the order they were handed
 * in, and those handed in during one turn of the link's event loop leave together, as one BATCH
 * WebSocket message (one write and one flush), instead of one message and one flush each.
 *
 * <p>How: {@link #write} queues the frame and, if no drain is scheduled, schedules one on the
 * link's context; Netty runs it after the I/O of the current loop turn (every request read in that
 * turn, on the forwarding node) or as soon as the loop wakes (answers from turns' virtual threads,
 * on the owner). The drain packs queued frames into BATCH frames of at most {@link #BATCH_BYTES} (a
 * frame alone is sent as itself; a larger frame goes alone), so a frame waits for no more than the
 * rest of the loop turn it was written in.
 *
 * <p>Threads: {@link #write} from any thread; the drain runs on the link's event loop. A frame
 * written after the socket closed is dropped by Vert.x, as a direct write would be.
 */
final class LinkWriter {

  /** Most bytes of frames packed into one BATCH; larger frames are sent alone. */
  static final int BATCH_BYTES = 64 * 1024;

  /** Bytes a BATCH adds before its first frame (type, stream), and before each frame (length). */
  private static final int BATCH_HEAD = LinkFrame.batch().length();

  private static final int LENGTH = Integer.BYTES;

  private final WebSocketBase socket;
  private final Context context;
  private final ConcurrentLinkedQueue<Buffer> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** Writes to {@code socket}, draining on {@code context} (the socket's). */
  LinkWriter(WebSocketBase socket, Context context) {
    this.socket = socket;
    this.context = context;
  }

  /** Queues {@code frame} (a whole link frame) to leave at the end of the loop turn. Any thread. */
  void write(Buffer frame) {
    queued.add(frame);
    if (scheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    scheduled.set(false);
    Buffer first = queued.poll();
    while (first != null) {
      Buffer next = queued.poll();
      if (next == null) {
        socket.writeBinaryMessage(first);
        return;
      }
      if (BATCH_HEAD + LENGTH + first.length() + LENGTH + next.length() > BATCH_BYTES) {
        socket.writeBinaryMessage(first);
        first = next;
        continue;
      }
      Buffer batch = LinkFrame.batch().appendInt(first.length()).appendBuffer(first);
      do {
        batch.appendInt(next.length()).appendBuffer(next);
        next = queued.poll();
      } while (next != null && batch.length() + LENGTH + next.length() <= BATCH_BYTES);
      socket.writeBinaryMessage(batch);
      first = next;
    }
  }
}
