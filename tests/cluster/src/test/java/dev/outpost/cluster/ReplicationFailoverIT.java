package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.Eventually;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
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

  private dev.outpost.runtime.internal.replication.GroupLayout layout;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps the node logs of a failed run
  Path dir;

  private final List<NodeProcess> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (NodeProcess node : nodes.reversed()) {
      node.close();
    }
  }

  private final String clusterName = "failover-" + UUID.randomUUID();

  private List<NodeProcess> startReplicatedCluster() throws Exception {
    List<NodeProcess> cluster = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      cluster.add(new NodeProcess("node-" + i, dir.resolve("node-" + i)));
    }
    String peers = String.join(",", cluster.stream().map(n -> n.replicaPeer("local")).toList());
    for (NodeProcess node : cluster) {
      node.withArgs("--replica-peers", peers);
    }
    layout =
        dev.outpost.runtime.internal.replication.GroupLayout.of(
            dev.outpost.runtime.ReplicationOptions.of(
                dev.outpost.runtime.ReplicationOptions.parsePeers(peers)),
            dev.outpost.runtime.RegionTopology.open());
    nodes.addAll(cluster);
    cluster.get(0).start(clusterName, List.of());
    cluster.get(1).start(clusterName, List.of(cluster.get(0).clusterAddress()));
    cluster.get(2).start(clusterName, List.of(cluster.get(0).clusterAddress()));
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () -> status(cluster.get(0), "/objects/counter/warm-up") == 200,
        "every replica group to elect a leader (cold keys wait for all of them)");
    // Leaders are handed to their preferred nodes every 5 s; fault a settled cluster.
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () ->
            layout.groups().stream()
                .allMatch(
                    g -> leaderOf(g.name(), cluster.get(0)).equals(g.preferredLeader().nodeId())),
        "every replica group to be led by its preferred node");
    return cluster;
  }

  @Test
  void killedNodeWithItsDiskGoneLosesNoAcknowledgedIncrement() throws Exception {
    List<NodeProcess> cluster = startReplicatedCluster();
    List<String> names = createCounters(cluster.get(0));
    NodeProcess victim = runnerOf(names.get(0), cluster);
    List<NodeProcess> survivors = cluster.stream().filter(n -> n != victim).toList();
    Load load = new Load(names, survivors);
    load.start();
    Thread.sleep(1500); // a "let the load run" wait: increments are in flight at the kill
    assertThat(runnerOf(names.get(0), cluster))
        .as("the victim still runs counter-0 when it is killed")
        .isSameAs(victim);
    long killedAt = System.nanoTime();
    victim.kill9();
    deleteTree(victim.dataDir);
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
    victim.start(clusterName, List.of(survivors.get(0).clusterAddress()));
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () ->
            caughtUp(victim.nodeId, survivors.get(0)) && caughtUp(victim.nodeId, survivors.get(1)),
        victim.nodeId + " to catch up in every replica group");
    NodeProcess second = survivors.get(0);
    second.kill9();
    List<NodeProcess> last = List.of(victim, survivors.get(1));
    Load after = new Load(names, last, load);
    after.start();
    after.awaitEveryCounterAnsweredAfter(System.nanoTime());
    after.stop();
    load.check(survivors.get(1));
  }

  /**
   * Whether {@code node} is no more than a few entries behind in every replica group that {@code
   * via} leads.
   */
  private static boolean caughtUp(String node, NodeProcess via) {
    try {
      var map = new io.vertx.core.json.JsonObject(via.get("/_outpost/cluster").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        var lag = ((io.vertx.core.json.JsonObject) g).getJsonObject("followerLagEntries");
        if (lag.containsKey(node) && lag.getLong(node) > 2) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void wholeClusterRestartUnderTrafficNeverTakesACounterBack() throws Exception {
    List<NodeProcess> cluster = startReplicatedCluster();
    List<String> names = createCounters(cluster.get(0));
    Load load = new Load(names, cluster);
    load.start();
    Thread.sleep(1500); // a "let the load run" wait
    for (NodeProcess node : cluster) {
      node.kill9();
    }
    Thread.sleep(300); // a "let answers already on the wire land" wait
    Map<String, Long> before = load.maxAcknowledged();
    long stoppedAt = System.nanoTime();
    // Started one by one, in another order, while the load keeps knocking on every router.
    cluster.get(2).start(clusterName, List.of());
    Thread.sleep(1000); // a "node alone for a while" wait: its groups have no majority yet
    cluster.get(0).start(clusterName, List.of(cluster.get(2).clusterAddress()));
    cluster.get(1).start(clusterName, List.of(cluster.get(2).clusterAddress()));
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
    List<String> names = createCounters(cluster.get(0));
    NodeProcess victim = runnerOf(names.get(0), cluster);
    List<NodeProcess> survivors = cluster.stream().filter(n -> n != victim).toList();
    Load load = new Load(names, survivors);
    load.start();
    Thread.sleep(1000); // a "let the load run" wait
    assertThat(runnerOf(names.get(0), cluster))
        .as("the victim still runs counter-0 when it is frozen")
        .isSameAs(victim);
    long frozenAt = System.nanoTime();
    victim.signalPause(true);
    System.out.println("SIGSTOP of " + victim.nodeId + " at " + java.time.Instant.now());
    load.awaitEveryCounterAnsweredAfter(frozenAt);
    Map<String, Long> recovery = load.unavailability(frozenAt);
    victim.signalPause(false);
    // Through the thawed node too: it must not answer from its old leadership.
    Load thawed = new Load(names, cluster, load);
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

  /**
   * The node that runs {@code counter}: the Raft leader of its replica group, read from the cluster
   * map of {@code via} (the group computed as every node computes it).
   */
  private NodeProcess runnerOf(String counter, List<NodeProcess> cluster) throws Exception {
    String group =
        layout
            .groupFor(
                "local",
                new dev.outpost.runtime.internal.bundle.ObjectIds(
                        dev.outpost.runtime.RuntimeOptions.defaults().idKey())
                    .fromName("counter", counter))
            .name();
    String leader =
        Eventually.waitUntil(
            Duration.ofSeconds(20),
            Duration.ofMillis(100),
            () -> leaderOf(group, cluster.get(0)),
            l -> !l.isEmpty(),
            "replica group " + group + " to have a leader");
    return cluster.stream().filter(n -> n.nodeId.equals(leader)).findFirst().orElseThrow();
  }

  private static String leaderOf(String group, NodeProcess via) {
    try {
      var map = new io.vertx.core.json.JsonObject(via.get("/_outpost/cluster").body());
      for (Object g : map.getJsonArray("replicaGroups")) {
        var json = (io.vertx.core.json.JsonObject) g;
        if (json.getString("name").equals(group) && json.getString("leader") != null) {
          return json.getString("leader");
        }
      }
      return "";
    } catch (Exception e) {
      return "";
    }
  }

  private static List<String> createCounters(NodeProcess via) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < COUNTERS; i++) {
      String name = "counter-" + i;
      HttpResponse<String> r = via.post("/objects/counter/" + name);
      assertThat(r.statusCode()).as("create %s: %s", name, r.body()).isEqualTo(200);
      names.add(name);
    }
    return names;
  }

  /**
   * Bounded increments of every counter, round-robin over routers, one request at a time per
   * router, recording every acknowledged value.
   */
  private static final class Load {
    final List<String> names;
    final List<NodeProcess> routers;
    final Map<String, List<Long>> acknowledged;
    final Map<String, List<Long>> answeredAtNanos;
    final Map<String, List<Ack>> timed;
    final AtomicBoolean running = new AtomicBoolean(true);
    final List<Thread> threads = new ArrayList<>();

    Load(List<String> names, List<NodeProcess> routers) {
      this.names = names;
      this.routers = routers;
      this.acknowledged = new ConcurrentHashMap<>();
      this.answeredAtNanos = new ConcurrentHashMap<>();
      this.timed = new ConcurrentHashMap<>();
      names.forEach(
          n -> {
            timed.put(n, new CopyOnWriteArrayList<>());
            acknowledged.put(n, new CopyOnWriteArrayList<>(List.of(1L))); // the create
            answeredAtNanos.put(n, new CopyOnWriteArrayList<>());
          });
    }

    /** Another load that records into {@code shared}'s tables. */
    Load(List<String> names, List<NodeProcess> routers, Load shared) {
      this.names = names;
      this.routers = routers;
      this.acknowledged = shared.acknowledged;
      this.answeredAtNanos = shared.answeredAtNanos;
      this.timed = shared.timed;
    }

    /**
     * One thread per router and counter, so a request stuck on a frozen node holds up only its own
     * counter; an unanswered request (1 s, as a retrying client would wait) is simply not
     * acknowledged.
     */
    void start() {
      for (NodeProcess router : routers) {
        for (String name : names) {
          threads.add(
              Thread.ofPlatform()
                  .name("load-" + router.nodeId + "-" + name)
                  .start(
                      () -> {
                        // Bounded: at most 5,000 requests per router and counter.
                        for (int i = 0; i < 5_000 && running.get(); i++) {
                          try {
                            HttpResponse<String> r =
                                router.post("/objects/counter/" + name, Duration.ofSeconds(1));
                            if (r.statusCode() == 200) {
                              long value = Long.parseLong(r.body().trim());
                              long now = System.nanoTime();
                              acknowledged.get(name).add(value);
                              answeredAtNanos.get(name).add(now);
                              timed.get(name).add(new Ack(value, now));
                            }
                          } catch (IOException e) {
                            // down, frozen or too slow: not acknowledged
                          } catch (InterruptedException e) {
                            return;
                          }
                        }
                      }));
        }
      }
    }

    /**
     * For each counter, its longest time without an acknowledged increment across the fault: the
     * largest gap between consecutive acknowledgements, the later one after {@code since}.
     */
    Map<String, Long> unavailability(long since) {
      Map<String, Long> result = new TreeMap<>();
      for (String name : names) {
        List<Long> times = answeredAtNanos.get(name).stream().sorted().toList();
        long worst = 0;
        for (int i = 1; i < times.size(); i++) {
          if (times.get(i) > since) {
            worst = Math.max(worst, times.get(i) - times.get(i - 1));
          }
        }
        result.put(name, TimeUnit.NANOSECONDS.toMillis(worst));
      }
      return result;
    }

    /** For each counter, ms from {@code since} to its first acknowledged increment after it. */
    Map<String, Long> awaitEveryCounterAnsweredAfter(long since) {
      Map<String, Long> result = new TreeMap<>();
      for (String name : names) {
        long at =
            Eventually.waitUntil(
                Duration.ofSeconds(20),
                Duration.ofMillis(20),
                () ->
                    answeredAtNanos.get(name).stream()
                        .filter(t -> t > since)
                        .min(Comparator.naturalOrder())
                        .orElse(0L),
                t -> t > 0,
                name + " to be incremented again after the fault");
        result.put(name, TimeUnit.NANOSECONDS.toMillis(at - since));
      }
      return result;
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) {
        t.join(30_000);
      }
    }

    /** The largest value acknowledged so far, per counter. */
    Map<String, Long> maxAcknowledged() {
      Map<String, Long> max = new TreeMap<>();
      names.forEach(
          n -> max.put(n, acknowledged.get(n).stream().mapToLong(Long::longValue).max().orElse(0)));
      return max;
    }

    /** The values acknowledged for {@code name} after {@code since}. */
    List<Long> acknowledgedAfter(String name, long since) {
      return timed.get(name).stream().filter(a -> a.atNanos() > since).map(Ack::value).toList();
    }

    /** No acknowledged value twice; none above the final value (so none lost). */
    void check(NodeProcess via) throws Exception {
      for (String name : names) {
        List<Long> acks = new ArrayList<>(acknowledged.get(name));
        HttpResponse<String> r = via.get("/objects/counter/" + name);
        assertThat(r.statusCode()).as("final read of %s: %s", name, r.body()).isEqualTo(200);
        long last = Long.parseLong(r.body().trim());
        assertThat(acks).as("values acknowledged for %s", name).doesNotHaveDuplicates();
        assertThat(acks.stream().mapToLong(Long::longValue).max().orElseThrow())
            .as("%s's final value holds every acknowledged increment", name)
            .isLessThanOrEqualTo(last);
      }
    }
  }

  /** One acknowledged increment: the value and when its answer arrived. */
  private record Ack(long value, long atNanos) {}

  private static int status(NodeProcess via, String path) {
    try {
      return via.post(path).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
