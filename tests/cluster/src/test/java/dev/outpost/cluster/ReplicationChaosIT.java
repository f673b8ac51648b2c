package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.Eventually;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated storage under a seeded random schedule of faults: three node processes replicate every
 * object's data with Raft (3 copies) while counters are incremented through every router, and for
 * {@code outpost.chaos.seconds} (15 in the default build, 60 under {@code -Pchaos}) one node at a
 * time is killed with SIGKILL and restarted after a random pause (sometimes with its data directory
 * deleted) or frozen with SIGSTOP for 1-6 s, with random gaps between faults.
 *
 * <p>Invariants checked at the end, once every node runs again: every counter answers through every
 * router, all routers read the same value, no acknowledged value was handed out twice and none is
 * above the final value (so no acknowledged increment was lost).
 *
 * <p>Replay: the seed is printed first ({@code chaos seed: N}); {@code -Doutpost.chaos.seed=N}
 * draws the same faults, victims and pauses in the same order (the timing of the processes, and so
 * the interleaving with the load, is not replayed). A failed run keeps its temp dir with the node
 * logs ({@code node-N.log}).
 *
 * <p>A majority always stays: a fault ends with the node running again, every replica group led,
 * every follower caught up and every counter incremented again, before the next gap starts.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ReplicationChaosIT {

  private static final int COUNTERS = 9;

  /**
   * Entries a follower may be behind its leader and count as caught up: the load keeps appending,
   * so a follower that has caught up is a batch or so behind, not 0; a rebuilt one starts thousands
   * behind.
   */
  private static final long CAUGHT_UP_LAG = 50;

  /**
   * The longest wait for a restarted node to answer health checks: it starts while the load runs on
   * the two others, on a shared 2-core machine.
   */
  private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(60);

  /** The longest wait for a faulted node to be back in every group. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps the node logs of a failed run
  java.nio.file.Path dir;

  private ReplicatedCluster replicated;

  @AfterEach
  void stop() throws Exception {
    if (replicated != null) {
      replicated.close();
    }
  }

  /** A fault of the schedule, drawn whole from the seed before it is applied. */
  private record Fault(long gapMs, int victim, Kind kind, long downMs, boolean wipe) {

    enum Kind {
      SIGKILL,
      SIGSTOP
    }

    /** Always draws the same six numbers, so the schedule depends on the seed alone. */
    static Fault draw(Random random, int nodes) {
      long gapMs = 500 + random.nextInt(2_500);
      int victim = random.nextInt(nodes);
      Kind kind = random.nextBoolean() ? Kind.SIGKILL : Kind.SIGSTOP;
      long killedMs = 200 + random.nextInt(3_800);
      long frozenMs = 1_000 + random.nextInt(5_001);
      boolean wipe = random.nextInt(3) == 0;
      return kind == Kind.SIGKILL
          ? new Fault(gapMs, victim, kind, killedMs, wipe)
          : new Fault(gapMs, victim, kind, frozenMs, false);
    }

    @Override
    public String toString() {
      return switch (kind) {
        case SIGKILL ->
            "SIGKILL node-"
                + (victim + 1)
                + ", restarted after "
                + downMs
                + " ms"
                + (wipe ? " with its data directory deleted" : "");
        case SIGSTOP -> "SIGSTOP node-" + (victim + 1) + ", SIGCONT after " + downMs + " ms";
      };
    }
  }

  @Test
  void noAcknowledgedIncrementIsLostOrRepeatedUnderRandomFaults() throws Exception {
    long seed = Long.getLong("outpost.chaos.seed", ThreadLocalRandom.current().nextLong());
    int seconds = Integer.getInteger("outpost.chaos.seconds", 15);
    System.out.println("chaos seed: " + seed);
    try {
      run(seed, Duration.ofSeconds(seconds));
    } catch (Throwable t) {
      System.out.printf(
          "chaos seed %d FAILED (replay with -Doutpost.chaos.seed=%d); node logs in %s%n",
          seed, seed, dir);
      throw t;
    }
  }

  private void run(long seed, Duration duration) throws Exception {
    replicated = new ReplicatedCluster(dir, "chaos");
    replicated.start();
    List<NodeProcess> nodes = replicated.nodes;
    List<String> names = CounterLoad.createCounters(nodes.get(0), COUNTERS);
    CounterLoad load =
        new CounterLoad(names, nodes)
            // ~30 answers a second per thread at most on this load; room for 3x the duration
            .maxRequestsPerRouterAndCounter(
                Math.max(CounterLoad.DEFAULT_MAX_REQUESTS, (int) duration.toSeconds() * 100))
            .pauseAfterRefused(Duration.ofMillis(50))
            .thinkTime(Duration.ofMillis(20));
    load.start();

    Random random = new Random(seed);
    long chaosStart = System.nanoTime();
    long deadline = chaosStart + duration.toNanos();
    List<String> journal = new ArrayList<>();
    Map<Fault.Kind, Integer> injected = new TreeMap<>();
    int wiped = 0;
    // Bounded by the deadline, and by a count no run of the schedule can reach.
    for (int i = 1; i <= 10_000 && System.nanoTime() < deadline; i++) {
      Fault fault = Fault.draw(random, nodes.size());
      long gapMs = Math.min(fault.gapMs(), Math.max(0, ms(deadline - System.nanoTime())));
      Thread.sleep(gapMs); // a chaos gap: the load runs on a healthy cluster
      if (System.nanoTime() >= deadline) {
        break;
      }
      NodeProcess victim = nodes.get(fault.victim());
      long at = System.nanoTime();
      String line = String.format("fault %d at +%.1f s: %s", i, (at - chaosStart) / 1e9, fault);
      System.out.println("chaos " + line);
      inject(fault, victim, nodes);
      long settledAt = awaitRecovered(nodes, line);
      // Groups settled is not enough: every counter must be served again before the next fault.
      load.awaitEveryCounterAnsweredAfter(settledAt);
      long recoveredMs = ms(System.nanoTime() - at);
      System.out.println("chaos   recovered after " + recoveredMs + " ms");
      journal.add(line + "; recovered after " + recoveredMs + " ms");
      injected.merge(fault.kind(), 1, Integer::sum);
      wiped += fault.wipe() ? 1 : 0;
    }
    long chaosEnd = System.nanoTime();

    // Every node runs again (awaitRecovered), every counter answers, through every router.
    Map<String, Long> firstAnswer = load.awaitEveryCounterAnsweredAfter(chaosEnd);
    load.stop();
    // Requests the load gave up on (1 s) may still be applied after it stopped: they wait, bounded,
    // in an object's queue while its group recovers. So every router must agree on a value that no
    // longer changes (two rounds of reads 1 s apart), not on the first read.
    Map<String, Long> finalValues = new TreeMap<>();
    for (String name : names) {
      long[] previous = {-1};
      List<Long> agreed =
          Eventually.waitUntil(
              Duration.ofSeconds(30),
              Duration.ofSeconds(1),
              () -> {
                List<Long> values = new ArrayList<>();
                for (NodeProcess router : nodes) {
                  values.add(read(router, name));
                }
                return values;
              },
              values -> {
                boolean settled =
                    values.stream().allMatch(v -> v >= 0 && v.equals(values.get(0)))
                        && values.get(0) == previous[0];
                previous[0] =
                    values.stream().allMatch(v -> v.equals(values.get(0))) ? values.get(0) : -1;
                return settled;
              },
              "every router to answer the same final value of " + name + ", twice in a row");
      finalValues.put(name, agreed.get(0));
    }
    load.check(nodes.get(0));

    Map<String, Long> gaps = load.unavailability(chaosStart);
    long worst = gaps.values().stream().max(Long::compare).orElse(0L);
    String worstCounter =
        gaps.entrySet().stream()
            .filter(e -> e.getValue() == worst)
            .map(Map.Entry::getKey)
            .findFirst()
            .orElse("-");
    System.out.printf(
        "chaos summary: seed %d, %d s, %d faults %s (%d with the data directory deleted);"
            + " %d acknowledged increments; longest gap without an acknowledged increment %d ms"
            + " (%s; all %s); first answers after the last fault %s ms; final values %s%n",
        seed,
        duration.toSeconds(),
        journal.size(),
        injected,
        wiped,
        load.acknowledgedIncrements(),
        worst,
        worstCounter,
        gaps,
        firstAnswer,
        finalValues);
    journal.forEach(l -> System.out.println("chaos   " + l));
    assertThat(journal).as("faults injected in %s", duration).isNotEmpty();
  }

  /** Applies {@code fault} to {@code victim}; returns once the victim runs again. */
  private void inject(Fault fault, NodeProcess victim, List<NodeProcess> nodes) throws Exception {
    switch (fault.kind()) {
      case SIGKILL -> {
        victim.kill9();
        if (fault.wipe()) {
          ReplicatedCluster.deleteTree(victim.dataDir);
        }
        Thread.sleep(fault.downMs()); // the node stays down
        NodeProcess seed = nodes.stream().filter(n -> n != victim).findFirst().orElseThrow();
        long startedAt = System.nanoTime();
        victim.start(replicated.name, List.of(seed.clusterAddress()), RESTART_TIMEOUT);
        System.out.printf(
            "chaos   %s healthy %d ms after its restart%n",
            victim.nodeId, ms(System.nanoTime() - startedAt));
      }
      case SIGSTOP -> {
        victim.signalPause(true);
        try {
          Thread.sleep(fault.downMs()); // the node stays frozen
        } finally {
          victim.signalPause(false);
        }
      }
    }
  }

  /**
   * Waits until every replica group has a leader that every node agrees on, and that leader sees
   * every other member caught up; returns when.
   */
  private long awaitRecovered(List<NodeProcess> nodes, String fault) {
    Eventually.waitUntil(
        RECOVERY_TIMEOUT,
        Duration.ofMillis(200),
        () -> recoveryState(nodes),
        String::isEmpty,
        "the cluster to recover from " + fault + " (every group led, every follower caught up)");
    return System.nanoTime();
  }

  /** What is not recovered yet, as seen now; empty when every group is led and caught up. */
  private String recoveryState(List<NodeProcess> nodes) {
    return replicated.unsettled(nodes, CAUGHT_UP_LAG, Duration.ofSeconds(20));
  }

  /** The counter's value read through {@code router}; -1 if it did not answer 200. */
  private static long read(NodeProcess router, String name) {
    try {
      HttpResponse<String> r = router.get("/objects/counter/" + name);
      return r.statusCode() == 200 ? Long.parseLong(r.body().trim()) : -1;
    } catch (Exception e) {
      return -1;
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
