package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.spi.ReplicaStore;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.util.LifeCycle;

/**
 * The Raft state machine of one replica group on one node: applies each committed entry (one
 * object's batch, {@link BatchCodec}) to the group's own RocksDB copy, in log order, on every
 * member alike. Ratis calls {@link #applyTransaction}, {@link #takeSnapshot} and {@link
 * #reinitialize} on its state-machine updater thread, one at a time.
 *
 * <p><b>Files</b>, under the group's directory: {@code db/} the live copy, {@code
 * snapshots/TERM_INDEX/} RocksDB checkpoints (hard links; the newest two, and any younger than a
 * minute, are kept), {@code tmp/} where Ratis receives an installed snapshot.
 *
 * <p><b>Applied index.</b> Each batch is written together with its log index ({@link
 * ReplicaStore#apply}); an entry at or below the stored index is skipped, so replaying the log over
 * a copy that already has some of it changes nothing (as Ozone's OM does with its transaction
 * info).
 *
 * <p><b>Snapshots and compaction.</b> Ratis asks for a snapshot every {@code snapshot interval}
 * entries; it is a RocksDB checkpoint of the copy, and the log up to it is purged, so the log stays
 * bounded and a restart replays only what came after. A member whose needed entries were purged (a
 * new member, one back after a long absence, one whose disk was wiped) gets the checkpoint's files
 * from the leader (Ratis InstallSnapshot, in chunks, checked with MD5), then {@link #reinitialize}
 * swaps its copy for them. A crash anywhere in that leaves either the old copy, which is found
 * behind the newest snapshot at the next start and rebuilt from it, or the new one.
 *
 * <p><b>Fencing.</b> A batch whose ownership epoch is older than the one the copy holds for the
 * object is not applied; its answer is {@link #STALE}, which the submitting node turns into a
 * refused commit. Raft itself already refuses entries of a deposed leader (peers that voted in a
 * higher term reject its appends).
 */
final class GroupStateMachine extends BaseStateMachine {

  static final String APPLIED = "applied";
  static final String STALE = "stale";
  private static final int SNAPSHOTS_KEPT = 2;
  private static final long SNAPSHOT_MIN_AGE_SECONDS = 60;
  private static final System.Logger LOG = System.getLogger(GroupStateMachine.class.getName());

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
  private final Path root;
  private final boolean syncWrites;
  private final Events events;
  private final Snapshots snapshots = new Snapshots();
  private volatile ReplicaStore store;
  // The copy's applied index (store.appliedIndex()), kept here so an apply does not read it; only
  // the state-machine updater thread writes it.
  private volatile long storedIndex;

  /** A machine for {@code group} keeping its files under {@code root}; opens nothing yet. */
  GroupStateMachine(GroupLayout.Group group, Path root, boolean syncWrites, Events events) {
    this.group = group;
    this.root = root;
    this.syncWrites = syncWrites;
    this.events = events;
  }

  /** The group's copy on this node; replaced when a snapshot is installed. */
  StorageEngine engine() {
    ReplicaStore current = store;
    if (current == null) {
      throw new StorageException("replica group " + group.name() + " is not open on this node");
    }
    return current;
  }

  GroupLayout.Group group() {
    return group;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle()
        .startAndTransition(
            () -> {
              Files.createDirectories(snapshots.dir());
              Files.createDirectories(snapshots.tmp());
              openCopy();
            });
  }

  /**
   * Opens the live copy, first rebuilding it from the newest snapshot if it is behind it (a crash
   * during an install, or a wiped copy), and sets the applied index Ratis replays from.
   */
  private void openCopy() throws IOException {
    Optional<Snapshot> latest = snapshots.latest();
    ReplicaStore opened = StorageEngines.rocksDbReplica(db(), syncWrites);
    if (latest.isPresent() && opened.appliedIndex() < latest.get().termIndex().getIndex()) {
      opened.close();
      restore(latest.get());
      opened = StorageEngines.rocksDbReplica(db(), syncWrites);
    }
    store = opened;
    storedIndex = opened.appliedIndex();
    if (latest.isPresent()) {
      setLastAppliedTermIndex(latest.get().termIndex());
    }
  }

  private Path db() {
    return root.resolve("db");
  }

  /** Replaces the live copy with the snapshot's files: copies, with SSTs hard-linked. */
  private void restore(Snapshot snapshot) throws IOException {
    Path fresh = root.resolve("db.restore");
    deleteTree(fresh);
    Files.createDirectories(fresh);
    for (Path file : snapshot.files()) {
      Path target = fresh.resolve(file.getFileName().toString());
      if (file.getFileName().toString().endsWith(".sst")) {
        Files.createLink(target, file); // immutable in RocksDB; shared with the checkpoint
      } else {
        Files.copy(file, target); // MANIFEST, CURRENT, OPTIONS: RocksDB may rewrite them
      }
    }
    deleteTree(db());
    Files.move(fresh, db(), StandardCopyOption.ATOMIC_MOVE);
    LOG.log(
        System.Logger.Level.INFO,
        "replication: rebuilt the copy of " + group.name() + " from snapshot " + snapshot.dir());
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    String outcome = APPLIED;
    if (entry.getIndex() > storedIndex) {
      BatchCodec.Entry batch =
          BatchCodec.decode(entry.getStateMachineLogEntry().getLogData().toByteArray());
      try {
        store.apply(batch.object(), batch.batch(), entry.getIndex());
      } catch (StaleEpochException e) {
        outcome = STALE;
      }
      storedIndex = entry.getIndex();
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    return CompletableFuture.completedFuture(
        Message.valueOf(
            org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(
                outcome, StandardCharsets.US_ASCII)));
  }

  /** A configuration (or other non-data) entry: recorded so a checkpoint after it is complete. */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    super.notifyTermIndexUpdated(term, index);
    ReplicaStore current = store;
    if (current != null && index > storedIndex) {
      current.recordApplied(index);
      storedIndex = index;
    }
  }

  /**
   * Checkpoints the copy as it stands after the last applied entry (Ratis calls this between
   * applies); returns the index it covers, after which the log may be purged.
   */
  @Override
  public long takeSnapshot() throws IOException {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() <= 0) {
      return -1;
    }
    Path target = snapshots.dir().resolve(last.getTerm() + "_" + last.getIndex());
    if (Files.isDirectory(target)) {
      return last.getIndex();
    }
    Path building = snapshots.tmp().resolve("checkpoint-" + UUID.randomUUID());
    store.checkpoint(building);
    Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
    return last.getIndex();
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return snapshots.getLatestSnapshot();
  }

  /** Before an installed snapshot replaces the copy: stop serving it. */
  @Override
  public void pause() {
    if (getLifeCycleState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /** After Ratis put an installed snapshot in {@code snapshots/}: the copy becomes that. */
  @Override
  public void reinitialize() throws IOException {
    ReplicaStore old = store;
    if (old != null) {
      old.close();
    }
    Snapshot latest =
        snapshots
            .latest()
            .orElseThrow(() -> new IOException("no snapshot to reinitialize " + group.name()));
    restore(latest);
    store = StorageEngines.rocksDbReplica(db(), syncWrites);
    storedIndex = store.appliedIndex();
    setLastAppliedTermIndex(latest.termIndex());
    if (getLifeCycleState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public void notifyLeaderReady() {
    try {
      long term = getServer().get().getDivision(getGroupId()).getInfo().getCurrentTerm();
      events.leaderReady(group, term, engine());
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "leader-ready of " + group.name() + " failed", e);
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
    ReplicaStore current = store;
    if (current != null) {
      current.close();
    }
  }

  /** One checkpoint in {@code snapshots/}. */
  private record Snapshot(Path dir, TermIndex termIndex) {

    /** Its files (without the {@code .md5} files Ratis writes beside installed ones). */
    List<Path> files() throws IOException {
      try (Stream<Path> listing = Files.list(dir)) {
        return listing
            .filter(Files::isRegularFile)
            .filter(p -> !p.getFileName().toString().endsWith(".md5"))
            .sorted()
            .toList();
      }
    }
  }

  /**
   * Where Ratis finds this machine's snapshots: directories named {@code TERM_INDEX} under {@code
   * snapshots/}. Ratis sends their files to lagging members and, on a member, moves a received
   * snapshot's directory tree into place before calling {@link #reinitialize}.
   */
  private final class Snapshots implements StateMachineStorage {

    Path dir() {
      return root.resolve("snapshots");
    }

    Path tmp() {
      return root.resolve("tmp");
    }

    @Override
    public void init(RaftStorage raftStorage) {}

    @Override
    public File getSnapshotDir() {
      return dir().toFile();
    }

    @Override
    public File getTmpDir() {
      return tmp().toFile();
    }

    Optional<Snapshot> latest() throws IOException {
      return all().stream().reduce((a, b) -> b);
    }

    /** Every complete snapshot, oldest first. */
    private List<Snapshot> all() throws IOException {
      if (!Files.isDirectory(dir())) {
        return List.of();
      }
      List<Snapshot> found = new ArrayList<>();
      try (Stream<Path> listing = Files.list(dir())) {
        for (Path p : listing.filter(Files::isDirectory).toList()) {
          String[] parts = p.getFileName().toString().split("_");
          if (parts.length == 2 && parts[0].matches("\\d+") && parts[1].matches("\\d+")) {
            found.add(
                new Snapshot(
                    p, TermIndex.valueOf(Long.parseLong(parts[0]), Long.parseLong(parts[1]))));
          }
        }
      }
      found.sort(Comparator.comparingLong(s -> s.termIndex().getIndex()));
      return found;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
      try {
        Optional<Snapshot> latest = latest();
        if (latest.isEmpty()) {
          return null;
        }
        List<FileInfo> files = new ArrayList<>();
        for (Path file : latest.get().files()) {
          files.add(new FileInfo(file.toAbsolutePath(), null)); // Ratis digests while sending
        }
        return new FileListSnapshotInfo(files, latest.get().termIndex());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list the snapshots of " + group.name(), e);
      }
    }

    @Override
    public void format() {}

    /**
     * Keeps the newest {@value #SNAPSHOTS_KEPT}, and any taken in the last {@value
     * #SNAPSHOT_MIN_AGE_SECONDS} s: a snapshot may still be on its way to a member (Ratis reads its
     * files while sending and does not pin them).
     */
    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
      List<Snapshot> all = all();
      // File times are the system's wall clock, so the age is too (not the node's TimeSource).
      long cutoff = System.currentTimeMillis() - SNAPSHOT_MIN_AGE_SECONDS * 1000;
      for (int i = 0; i < all.size() - SNAPSHOTS_KEPT; i++) {
        Path dir = all.get(i).dir();
        if (Files.getLastModifiedTime(dir).toMillis() < cutoff) {
          deleteTree(dir);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
