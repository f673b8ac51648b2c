package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.internal.replication.GroupLayout;
import dev.outpost.testkit.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated storage against real faults: three node processes replicate every object's data with
 * Raft (3 copies); counters are incremented through the surviving routers while a node is killed
 * with SIGKILL and its data directory deleted, or frozen with SIGSTOP and thawed after a new leader
 * took over. Every counter answers again from the survivors within 5 s, and no acknowledged value
 * is lost or handed out twice.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicationFailoverIT {

  private static final int COUNTERS = 9;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps the node logs of a failed run
  Path dir;

  private ReplicatedCluster replicated;

  @AfterEach
  void stop() throws Exception {
    if (replicated != null) {
      replicated.close();
    }
  }

  private List<NodeProcess> startReplicatedCluster() throws Exception {
    replicated = new ReplicatedCluster(dir, "failover");
    replicated.start();
    return replicated.nodes;
  }

  @Test
  void killedNodeWithItsDiskGoneLosesNoAcknowledgedIncrement() throws Exception {
    List<NodeProcess> cluster = startReplicatedCluster();
    List<String> names = CounterLoad.createCounters(cluster.get(0), COUNTERS);
    NodeProcess victim = replicated.runnerOf(names.get(0));
    List<NodeProcess> survivors = cluster.stream().filter(n -> n != victim).toList();
    CounterLoad load = new CounterLoad(names, survivors);
    load.start();
    Thread.sleep(1500); // a "let the load run" wait: increments are in flight at the kill
    assertThat(replicated.runnerOf(names.get(0)))
        .as("the victim still runs counter-0 when it is killed")
        .isSameAs(victim);
    long killedAt = System.nanoTime();
    victim.kill9();
    ReplicatedCluster.deleteTree(victim.dataDir);
    load.awaitEveryCounterAnsweredAfter(killedAt);
    Thread.sleep(1500); // a "let the load run" wait on the two survivors
    load.stop();
    load.check(survivors.get(0));
    Map<String, Long> recovery = load.unavailability(killedAt);
    long worst = recovery.values().stream().max(Long::compare).orElseThrow();
    System.out.printf(
        "SIGKILL failover: longest gap without an acknowledged increment %d ms (%s)%n",
        worst, recovery);
    assertThat(worst).as("every counter answers again within 5 s of the kill").isLessThan(5000);

    // The node comes back with an empty disk: it is rebuilt from its groups' logs. Then another
    // node dies, so the rebuilt copy is part of every majority: nothing may be missing from it.
    long restartAt = System.nanoTime();
    victim.start(replicated.name, List.of(survivors.get(0).clusterAddress()));
    long healthyAt = System.nanoTime();
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () ->
            ReplicatedCluster.caughtUp(victim.nodeId, survivors.get(0))
                && ReplicatedCluster.caughtUp(victim.nodeId, survivors.get(1)),
        victim.nodeId + " to catch up in every replica group");
    System.out.printf(
        "rebuild: %s restarted with an empty disk: healthy after %d ms, caught up in every group"
            + " %d ms later (%d counters)%n",
        victim.nodeId,
        TimeUnit.NANOSECONDS.toMillis(healthyAt - restartAt),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healthyAt),
        names.size());
    assertThat(java.nio.file.Files.readString(victim.log))
        .as(
            "the survivors compacted their logs (a snapshot every %d entries), so the empty node"
                + " got a snapshot, not the whole log",
            ReplicatedCluster.SNAPSHOT_INTERVAL)
        .contains("rebuilt the copy of");
    NodeProcess second = survivors.get(0);
    second.kill9();
    List<NodeProcess> last = List.of(victim, survivors.get(1));
    CounterLoad after = new CounterLoad(names, last, load);
    after.start();
    after.awaitEveryCounterAnsweredAfter(System.nanoTime());
    after.stop();
    load.check(survivors.get(1));
  }

  /**
   * Re-replication: four nodes, three copies. A node is killed and its disk is gone for good; after
   * {@code --replace-lost-after-ms} every group that had a copy on it builds a new copy on the
   * fourth node (Raft membership change, the new copy filled by snapshot and log) while the load
   * goes on. Then a second original member dies: with the copies rebuilt, every group still has a
   * majority, so every counter answers, and no acknowledged increment is lost.
   */
  @Test
  void aLostCopyIsRebuiltOnAnotherNodeSoASecondLossIsSurvived() throws Exception {
    replicated = new ReplicatedCluster(dir, "rereplication", 4, "--replace-lost-after-ms", "5000");
    replicated.start();
    List<NodeProcess> cluster = replicated.nodes;
    List<String> names = CounterLoad.createCounters(cluster.get(0), COUNTERS);
    NodeProcess victim = cluster.get(1);
    List<String> affected =
        replicated.groups().stream()
            .filter(g -> g.hasMember(victim.nodeId))
            .map(GroupLayout.Group::name)
            .toList();
    List<NodeProcess> survivors = cluster.stream().filter(n -> n != victim).toList();
    CounterLoad load = new CounterLoad(names, survivors);
    load.start();
    Thread.sleep(1000); // a "let the load run" wait
    long killedAt = System.nanoTime();
    victim.kill9();
    ReplicatedCluster.deleteTree(victim.dataDir);
    NodeProcess observer = survivors.get(0);
    Eventually.waitUntil(
        Duration.ofSeconds(60),
        () ->
            affected.stream()
                .allMatch(
                    g -> {
                      List<String> members = ReplicatedCluster.membersOf(g, observer);
                      return members.size() == 3 && !members.contains(victim.nodeId);
                    }),
        "every group that had a copy on " + victim.nodeId + " to have three copies without it");
    long rebuiltMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
    System.out.printf(
        "re-replication: %d copies rebuilt %d ms after the kill (replace-lost-after 5000 ms)%n",
        affected.size(), rebuiltMs);
    // A second original member of every affected group dies: only the rebuilt copies make a
    // majority now.
    NodeProcess second = cluster.get(2);
    second.kill9();
    List<NodeProcess> last = List.of(cluster.get(0), cluster.get(3));
    CounterLoad after = new CounterLoad(names, last, load);
    after.start();
    after.awaitEveryCounterAnsweredAfter(System.nanoTime());
    after.stop();
    load.stop();
    load.check(cluster.get(3));
  }

  @Test
  void wholeClusterRestartUnderTrafficNeverTakesACounterBack() throws Exception {
    List<NodeProcess> cluster = startReplicatedCluster();
    List<String> names = CounterLoad.createCounters(cluster.get(0), COUNTERS);
    CounterLoad load = new CounterLoad(names, cluster);
    load.start();
    Thread.sleep(1500); // a "let the load run" wait
    for (NodeProcess node : cluster) {
      node.kill9();
    }
    Thread.sleep(300); // a "let answers already on the wire land" wait
    Map<String, Long> before = load.maxAcknowledged();
    long stoppedAt = System.nanoTime();
    // Started one by one, in another order, while the load keeps knocking on every router.
    cluster.get(2).start(replicated.name, List.of());
    Thread.sleep(1000); // a "node alone for a while" wait: its groups have no majority yet
    cluster.get(0).start(replicated.name, List.of(cluster.get(2).clusterAddress()));
    cluster.get(1).start(replicated.name, List.of(cluster.get(2).clusterAddress()));
    load.awaitEveryCounterAnsweredAfter(stoppedAt);
    Thread.sleep(1000); // a "let the load run" wait on the restarted cluster
    load.stop();
    load.check(cluster.get(1));
    for (String name : names) {
      assertThat(load.acknowledgedAfter(name, stoppedAt))
          .as(
              "%s after the restart: every value above the %d acknowledged before",
              name, before.get(name))
          .allMatch(v -> v > before.get(name))
          .isNotEmpty();
    }
  }

  @Test
  void frozenOwnerNeverAcknowledgesAfterANewLeaderTookOver() throws Exception {
    List<NodeProcess> cluster = startReplicatedCluster();
    List<String> names = CounterLoad.createCounters(cluster.get(0), COUNTERS);
    NodeProcess victim = replicated.runnerOf(names.get(0));
    List<NodeProcess> survivors = cluster.stream().filter(n -> n != victim).toList();
    CounterLoad load = new CounterLoad(names, survivors);
    load.start();
    Thread.sleep(1000); // a "let the load run" wait
    assertThat(replicated.runnerOf(names.get(0)))
        .as("the victim still runs counter-0 when it is frozen")
        .isSameAs(victim);
    long frozenAt = System.nanoTime();
    victim.signalPause(true);
    System.out.println("SIGSTOP of " + victim.nodeId + " at " + java.time.Instant.now());
    load.awaitEveryCounterAnsweredAfter(frozenAt);
    Map<String, Long> recovery = load.unavailability(frozenAt);
    victim.signalPause(false);
    // Through the thawed node too: it must not answer from its old leadership.
    CounterLoad thawed = new CounterLoad(names, cluster, load);
    thawed.start();
    Thread.sleep(2000); // a "let the load run" wait across the thaw
    thawed.stop();
    load.stop();
    load.check(survivors.get(1));
    long worst = recovery.values().stream().max(Long::compare).orElseThrow();
    System.out.printf(
        "SIGSTOP failover: longest gap without an acknowledged increment %d ms (%s; logs in %s)%n",
        worst, recovery, dir);
    assertThat(worst).as("every counter answers again within 5 s of the freeze").isLessThan(5000);
  }
}
