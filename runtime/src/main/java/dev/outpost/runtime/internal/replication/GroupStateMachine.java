package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * The Raft state machine of one replica group on one node: applies each committed entry (one
 * object's batch, {@link BatchCodec}) to the group's own RocksDB engine, in log order, on every
 * member alike. Ratis calls {@link #applyTransaction} on its state-machine updater thread, one
 * entry at a time.
 *
 * <p><b>Fencing.</b> A batch whose ownership epoch is older than the one the engine holds for the
 * object is not applied; its answer is {@link #STALE}, which the submitting node turns into a
 * refused commit. Raft itself already refuses entries of a deposed leader (peers that voted in a
 * higher term reject its appends), so this only matters on replay.
 *
 * <p><b>Replay.</b> No snapshot is taken and the log is kept whole, so after a restart every entry
 * is applied again from the start; applying in order is idempotent (puts, deletes and alarms are
 * absolute; a superseded epoch is skipped), and ends in the state the node had. A compaction
 * (RocksDB checkpoint as the snapshot) is the next step; see docs/design.md.
 */
final class GroupStateMachine extends BaseStateMachine {

  static final String APPLIED = "applied";
  static final String STALE = "stale";

  /** Leadership events of this group on this node. */
  interface Events {
    /**
     * This node leads the group in {@code term} and has applied every entry of earlier terms to
     * {@code engine}.
     */
    void leaderReady(GroupLayout.Group group, long term, StorageEngine engine);

    /** The group's leader changed (to {@code leader}, maybe this node). */
    void leaderChanged(GroupLayout.Group group, String leader);
  }

  private final GroupLayout.Group group;
  private final StorageEngine engine;
  private final Events events;

  GroupStateMachine(GroupLayout.Group group, StorageEngine engine, Events events) {
    this.group = group;
    this.engine = engine;
    this.events = events;
  }

  StorageEngine engine() {
    return engine;
  }

  GroupLayout.Group group() {
    return group;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    BatchCodec.Entry batch =
        BatchCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
    String outcome;
    try {
      engine.commit(batch.object(), batch.batch());
      outcome = APPLIED;
    } catch (StaleEpochException e) {
      outcome = STALE;
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(
        Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                outcome, StandardCharsets.US_ASCII)));
  }

  @Override
  public void notifyLeaderReady() {
    try {
      long term = getServer().get().getDivision(getGroupId()).getInfo().getCurrentTerm();
      events.leaderReady(group, term, engine);
    } catch (Exception e) {
      System.getLogger(GroupStateMachine.class.getName())
          .log(System.Logger.Level.WARNING, "leader-ready of " + group.name() + " failed", e);
    }
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId leader) {
    events.leaderChanged(group, leader == null ? null : leader.toString());
  }

  @Override
  public void notifyNotLeader(Collection<TransactionContext> pending) {
    // Pending entries fail with NotLeaderException at their submitters; nothing to undo here.
  }

  @Override
  public void close() {
    engine.close();
  }
}
