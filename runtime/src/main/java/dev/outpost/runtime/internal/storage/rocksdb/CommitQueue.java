package dev.outpost.runtime.internal.storage.rocksdb;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit across objects: concurrent commits queue here, and one of their callers (the leader)
 * writes every queued commit in one write, then wakes the others with their own outcome. This is
 * the leader/follower scheme of LevelDB's {@code DBImpl::Write} and RocksDB's write groups, done in
 * Java because a RocksDB write is a JNI call that pins its virtual thread's carrier: with two
 * carriers, RocksDB itself never sees more than two writers to group, whatever the number of
 * objects committing.
 *
 * <p><b>Invariants.</b> Every submitted commit is written by exactly one group, and its caller
 * returns only after that group's write returned (so an object's output, which waits for {@code
 * commit}, waits for its own batch, never for a later group). A group holds commits in submission
 * order, at most {@code maxGroup} of them and, past the first, at most {@code maxGroupBytes} of
 * their sizes. At most one group is being written at a time.
 *
 * <p><b>Concurrency.</b> Callers enqueue, then try to become the leader ({@code leader.tryLock});
 * the one that succeeds drains the queue into a group and calls the {@link GroupWriter}, which
 * records an outcome on each member. Then the leader hands leadership on by waking the oldest
 * commit still queued, and wakes each member of its group. A caller that is not the leader parks
 * until its commit is done or it is woken to lead; it can never miss a wake-up: if it enqueued
 * before the leader looked at the queue, the leader wakes it or wrote it, and if after, its own
 * {@code tryLock} runs after the leader's unlock. Interrupts do not end the wait (as a RocksDB
 * write under a lock did not); the interrupt status is restored on return.
 *
 * <p><b>Failure.</b> What a member's outcome is decided by the writer: a failed shared write must
 * fail every member of the group. A writer that throws fails every member it left without an
 * outcome with that exception.
 */
final class CommitQueue<T> {

  /**
   * Writes one group: gives each member an outcome ({@link Commit#succeed}, {@link Commit#fail}).
   */
  @FunctionalInterface
  interface GroupWriter<T> {
    void write(List<Commit<T>> group);
  }

  /**
   * One submitted commit: what to write, and once its group was written, its outcome. Written by
   * the leader, read by its caller after {@link #done}.
   */
  static final class Commit<T> {
    final T payload;
    final long bytes;
    private final Thread caller;
    private RuntimeException failure; // written before done, read after
    private volatile boolean done;

    Commit(T payload, long bytes) {
      this.payload = payload;
      this.bytes = bytes;
      this.caller = Thread.currentThread();
    }

    /** Records success; the caller is woken once the whole group has an outcome. */
    void succeed() {
      this.failure = null;
      this.done = true;
    }

    /** Records a failure, which the caller's {@link #submit} throws. */
    void fail(RuntimeException failure) {
      this.failure = failure;
      this.done = true;
    }

    boolean isDone() {
      return done;
    }
  }

  private final GroupWriter<T> writer;
  private final int maxGroup;
  private final long maxGroupBytes;
  private final ConcurrentLinkedQueue<Commit<T>> queue = new ConcurrentLinkedQueue<>();
  private final ReentrantLock leader = new ReentrantLock();
  private volatile long groupsWritten; // written by the leader only
  private volatile long commitsWritten; // written by the leader only

  /**
   * @param maxGroup most commits in one group, at least 1
   * @param maxGroupBytes most summed {@link Commit#bytes} in one group past its first member
   */
  CommitQueue(GroupWriter<T> writer, int maxGroup, long maxGroupBytes) {
    if (maxGroup < 1) {
      throw new IllegalArgumentException("maxGroup must be >= 1, got " + maxGroup);
    }
    this.writer = writer;
    this.maxGroup = maxGroup;
    this.maxGroupBytes = maxGroupBytes;
  }

  /**
   * Queues {@code commit} and returns once the group holding it was written; blocks the calling
   * thread meanwhile (park, or the write itself when this caller leads). Must be called by the
   * thread that created {@code commit}.
   *
   * @throws RuntimeException the failure the writer recorded for this commit
   */
  void submit(Commit<T> commit) {
    if (commit.caller != Thread.currentThread()) {
      throw new IllegalStateException("a commit must be submitted by the thread that made it");
    }
    queue.add(commit);
    boolean interrupted = false;
    try {
      while (!commit.done) {
        if (leader.tryLock()) {
          List<Commit<T>> group = new ArrayList<>();
          try {
            lead(group);
          } finally {
            leader.unlock();
            Commit<T> next = queue.peek();
            if (next != null) {
              LockSupport.unpark(next.caller); // the next leader
            }
            for (Commit<T> member : group) {
              if (member != commit) {
                LockSupport.unpark(member.caller);
              }
            }
          }
        } else {
          LockSupport.park(this);
          if (Thread.interrupted()) {
            interrupted = true;
          }
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    if (commit.failure != null) {
      throw commit.failure;
    }
  }

  /**
   * Moves the queued commits into {@code group} and writes them; called holding {@code leader}. An
   * {@link Error} of the writer fails every member, then propagates to this leader.
   */
  private void lead(List<Commit<T>> group) {
    long bytes = 0;
    for (Commit<T> head = queue.peek(); head != null; head = queue.peek()) {
      if (!group.isEmpty() && (group.size() >= maxGroup || bytes + head.bytes > maxGroupBytes)) {
        break;
      }
      queue.poll(); // only the leader removes, so the head is still the one peeked
      group.add(head);
      bytes += head.bytes;
    }
    if (group.isEmpty()) {
      return;
    }
    groupsWritten++; // before any member can see its outcome
    commitsWritten += group.size();
    try {
      writer.write(group);
    } catch (RuntimeException | Error e) {
      RuntimeException failure =
          e instanceof RuntimeException r ? r : new IllegalStateException("group write failed", e);
      for (Commit<T> member : group) {
        if (!member.done) {
          member.fail(failure);
        }
      }
      if (e instanceof Error error) {
        throw error;
      }
    }
    for (Commit<T> member : group) {
      if (!member.done) {
        member.fail(new IllegalStateException("the group writer gave this commit no outcome"));
      }
    }
  }

  /** Commits waiting for a leader (for tests: to know that a group has formed). */
  int queuedForTest() {
    return queue.size();
  }

  /** Groups handed to the writer and the commits in them, so far: {@code [groups, commits]}. */
  long[] countsForTest() {
    return new long[] {groupsWritten, commitsWritten};
  }
}
