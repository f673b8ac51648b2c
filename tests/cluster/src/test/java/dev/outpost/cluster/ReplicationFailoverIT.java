package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
    NodeProcess second = survivors.get(0);
    second.kill9();
    List<NodeProcess> last = List.of(victim, survivors.get(1));
    CounterLoad after = new CounterLoad(names, last, load);
    after.start();
    after.awaitEveryCounterAnsweredAfter(System.nanoTime());
    after.stop();
    load.check(survivors.get(1));
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
