package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.Eventually;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated storage across a real network partition. Three node processes replicate every object's
 * data with Raft (3 copies), each in a Linux network namespace of its own, joined by a bridge in
 * another namespace ({@link TestNetwork}); the test reaches each node on a separate link. While
 * counters are incremented through the two routers of the majority, the node that leads the replica
 * group of {@code counter-0} is cut off from the other two (its bridge port goes down: its packets
 * to them are dropped, as with a pulled cable; nothing is frozen or killed), and the test keeps
 * sending increments and reads of every counter straight to the isolated node. The partition lasts
 * until Hazelcast on both sides has dropped the other side (a split brain) and 3 s more, then it
 * heals.
 *
 * <p>Asserted:
 *
 * <ul>
 *   <li>failover: on the majority side every counter answers again within 10 s of the cut (the
 *       issue's 5 s goal is for a dead node, which ReplicationFailoverIT holds; here requests
 *       already forwarded to the cut node wait out the client's timeout, and on a loaded 2-core
 *       machine the gap was 2-6 s);
 *   <li>no second live instance: once the majority acknowledged an increment of a counter after the
 *       cut (its replacement runs), the isolated node answers no request for that counter sent
 *       later with 200 before the heal (no increment and no read served from its old leadership);
 *       and no read through it, at any time, returns a value older than an increment acknowledged
 *       before the read was sent;
 *   <li>after the partition heals, the isolated node rejoins (Hazelcast merges, every replica group
 *       is led by one node all three agree on, every follower caught up) and serves through its
 *       router again;
 *   <li>no acknowledged increment was lost or handed out twice, the isolated node's answers
 *       included, and every router reads the same final value.
 * </ul>
 *
 * <p>Needs root (network namespaces); elsewhere it is skipped with a message, and {@code
 * ReplicationFailoverIT} still covers a cut-off leader with SIGSTOP. Every server listens only on
 * the addresses of the namespaces the test creates; {@link #stop} ends the node processes, then
 * deletes the namespaces. A failed run keeps its temp dir with the node logs ({@code node-N.log}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplicationPartitionIT {

  private static final int COUNTERS = 9;

  /**
   * How long the test waits for each answer of the isolated node: long enough to see every answer.
   * It answers some requests 503 and holds the others, answering them once the partition heals; the
   * longest took 18.5 s in a run with a 12 s partition.
   */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  /** How often the test sends a request for every counter to the isolated node. */
  private static final Duration PROBE_EVERY = Duration.ofSeconds(1);

  /**
   * At most this many requests of each kind per counter unanswered at once (at most 100 streams may
   * be open on the node's HTTP/2 connection; and the node holding many requests takes CPU from the
   * majority on a small machine).
   */
  private static final int PROBE_OUTSTANDING = 2;

  /** Entries a follower may be behind its leader and count as caught up while the load runs. */
  private static final long CAUGHT_UP_LAG = 50;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS) // keeps the node logs of a failed run
  Path dir;

  private TestNetwork network;
  private ReplicatedCluster replicated;

  @AfterEach
  void stop() throws Exception {
    try {
      if (replicated != null) {
        replicated.close();
      }
    } finally {
      if (network != null) {
        network.close();
      }
    }
  }

  /** One answer of the isolated node: what was asked, when, and what came back (-1: none). */
  private record Answer(
      String counter, String method, long sentAt, long answeredAt, int status, String body) {}

  @Test
  void isolatedLeaderAnswersNothingOnceReplacedAndNoAcknowledgedIncrementIsLost() throws Exception {
    network = TestNetwork.create(List.of("node-1", "node-2", "node-3"));
    System.out.println("partition: " + network);
    replicated =
        new ReplicatedCluster(
            dir,
            "partition",
            (id, data) -> new NodeProcess(id, data).inNetwork(network.host(id), network.exec(id)));
    long startAt = System.nanoTime();
    replicated.start();
    List<NodeProcess> nodes = replicated.nodes;
    System.out.printf("partition: cluster settled after %d ms%n", ms(System.nanoTime() - startAt));
    for (NodeProcess node : nodes) {
      assertThat(ProcessHandle.of(node.pid()).flatMap(h -> h.info().command()).orElse("?"))
          .as(
              "%s's process is java itself ('ip netns exec' execs it), so kills reach it",
              node.nodeId)
          .endsWith("/java");
    }
    List<String> names = CounterLoad.createCounters(nodes.get(0), COUNTERS);
    NodeProcess victim = replicated.runnerOf(names.get(0));
    List<NodeProcess> majority = nodes.stream().filter(n -> n != victim).toList();
    CounterLoad load = new CounterLoad(names, majority);
    load.start();
    Thread.sleep(1000); // a "let the load run" wait: increments are in flight at the cut
    List<String> ledByVictim =
        names.stream().filter(n -> replicated.runnerOf(n) == victim).toList();
    assertThat(ledByVictim)
        .as("counters run by %s when it is cut off", victim.nodeId)
        .contains(names.get(0));

    List<Answer> answers = new CopyOnWriteArrayList<>();
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread probe = probe(victim, names, probing, answers);
    long cutAt = System.nanoTime();
    network.cut(victim.nodeId);
    System.out.println("partition: " + victim.nodeId + " cut off at " + Instant.now());
    long healAt;
    String victimView;
    long splitMs;
    try {
      load.awaitEveryCounterAnsweredAfter(cutAt);
      // Hold the partition until Hazelcast split too: each side has dropped the other.
      Eventually.waitUntil(
          Duration.ofSeconds(30),
          Duration.ofMillis(200),
          () ->
              membersSeenBy(majority.get(0)) == 2
                  && membersSeenBy(majority.get(1)) == 2
                  && membersSeenBy(victim) == 1,
          split -> split,
          "Hazelcast on both sides to drop the other side");
      splitMs = ms(System.nanoTime() - cutAt);
      victimView = leadersSeenBy(victim).toString();
      Thread.sleep(3000); // a "let both sides run split" wait, the test asking the isolated node
    } finally {
      healAt = System.nanoTime();
      network.heal(victim.nodeId);
      probing.set(false); // requests under way get their answers
    }
    System.out.println("partition: healed at " + Instant.now());

    Eventually.waitUntil(
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> recoveryState(nodes),
        String::isEmpty,
        victim.nodeId + " to rejoin (every node sees 3, every group led and caught up)");
    long recoveredMs = ms(System.nanoTime() - healAt);
    probe.join(PROBE_TIMEOUT.toMillis() + 10_000); // every request sent has its outcome
    // Through the rejoined node too: it serves again, and not from a stale copy.
    CounterLoad all = new CounterLoad(names, nodes, load);
    long rejoinedAt = System.nanoTime();
    all.start();
    all.awaitEveryCounterAnsweredAfter(rejoinedAt);
    Thread.sleep(1500); // a "let the load run" wait through all three routers
    all.stop();
    load.stop();

    // The isolated node's acknowledged increments count like any other.
    Map<String, List<CounterLoad.Ack>> acks = new TreeMap<>();
    names.forEach(n -> acks.put(n, new ArrayList<>(load.timed.get(n))));
    for (Answer a : answers) {
      if (a.method().equals("POST") && a.status() == 200) {
        long value = Long.parseLong(a.body().trim());
        load.acknowledged.get(a.counter()).add(value);
        acks.get(a.counter()).add(new CounterLoad.Ack(value, a.answeredAt()));
      }
    }
    Map<String, Long> replacedAt = firstAcknowledgedAfter(load, cutAt);
    List<Answer> afterReplacement =
        answers.stream()
            .filter(a -> a.status() == 200)
            .filter(a -> a.sentAt() > replacedAt.get(a.counter()) && a.answeredAt() < healAt)
            .toList();
    List<String> staleReads = new ArrayList<>();
    for (Answer a : answers) {
      if (a.method().equals("GET") && a.status() == 200) {
        long value = Long.parseLong(a.body().trim());
        long known =
            acks.get(a.counter()).stream()
                .filter(ack -> ack.atNanos() < a.sentAt())
                .mapToLong(CounterLoad.Ack::value)
                .max()
                .orElse(0);
        if (value < known) {
          staleReads.add(
              a.counter()
                  + " read "
                  + value
                  + " at +"
                  + ms(a.sentAt() - cutAt)
                  + " ms after the cut, "
                  + known
                  + " acknowledged before");
        }
      }
    }
    Map<String, Long> gaps = unavailability(load, cutAt, healAt);
    long worst = gaps.values().stream().max(Long::compare).orElseThrow();
    Map<String, String> byStatus =
        outcomes(answers.stream().filter(a -> a.sentAt() > cutAt && a.sentAt() < healAt), healAt);
    System.out.printf(
        "partition summary: %s cut off for %d ms (leading %s); Hazelcast split after %d ms;"
            + " longest gap without an acknowledged increment on the majority side %d ms (%s);"
            + " the isolated node's answers to requests sent during the cut %s,"
            + " its view of the group leaders while cut off %s; rejoined %d ms after the heal;"
            + " %d acknowledged increments; load average %s; logs in %s%n",
        victim.nodeId,
        ms(healAt - cutAt),
        ledByVictim,
        splitMs,
        worst,
        gaps,
        byStatus,
        victimView,
        recoveredMs,
        load.acknowledgedIncrements(),
        loadAverage(),
        dir);

    assertThat(afterReplacement)
        .as(
            "answers (200) of the isolated %s, before the heal, to requests sent after the"
                + " majority's new leader acknowledged an increment of the same counter: a second"
                + " live instance",
            victim.nodeId)
        .isEmpty();
    assertThat(staleReads)
        .as("reads through %s older than an increment acknowledged before them", victim.nodeId)
        .isEmpty();
    Map<String, Long> finals = new TreeMap<>();
    for (String name : names) {
      for (NodeProcess router : nodes) {
        long value =
            Eventually.waitUntil(
                Duration.ofSeconds(20),
                Duration.ofMillis(100),
                () -> read(router, name),
                v -> v >= 0,
                "final read of " + name + " through " + router.nodeId + " to answer 200");
        Long seen = finals.putIfAbsent(name, value);
        assertThat(value)
            .as("%s read through %s, the load stopped, vs. through node-1", name, router.nodeId)
            .isEqualTo(seen == null ? value : seen);
      }
    }
    load.check(majority.get(0));
    assertThat(worst)
        .as("every counter answers again on the majority side within 10 s of the cut")
        .isLessThan(10_000);
  }

  /**
   * Until {@code running} is cleared, sends every {@link #PROBE_EVERY} one increment (POST) and one
   * read (GET) of every counter straight to {@code node}, each on a virtual thread of its own with
   * {@link #PROBE_TIMEOUT} to answer (so a request the node holds does not delay the next; at most
   * {@link #PROBE_OUTSTANDING} of a kind and counter at once), and records every outcome. Returns
   * the sending thread; it ends once every request has its outcome.
   */
  private static Thread probe(
      NodeProcess node, List<String> names, AtomicBoolean running, List<Answer> answers) {
    return Thread.ofPlatform()
        .name("probe-" + node.nodeId)
        .start(
            () -> {
              List<Thread> requests = new ArrayList<>();
              Map<String, Semaphore> outstanding = new TreeMap<>();
              // Bounded: the partition lasts well under a minute.
              for (int i = 0; i < 120 && running.get(); i++) {
                for (String name : names) {
                  for (String method : List.of("POST", "GET")) {
                    Semaphore slots =
                        outstanding.computeIfAbsent(
                            method + " " + name, k -> new Semaphore(PROBE_OUTSTANDING));
                    if (!slots.tryAcquire()) {
                      continue; // this counter's earlier requests are still held
                    }
                    requests.add(
                        Thread.ofVirtual()
                            .start(
                                () -> {
                                  try {
                                    answers.add(ask(node, method, name));
                                  } finally {
                                    slots.release();
                                  }
                                }));
                  }
                }
                try {
                  Thread.sleep(PROBE_EVERY);
                } catch (InterruptedException e) {
                  break;
                }
              }
              for (Thread t : requests) {
                try {
                  t.join(PROBE_TIMEOUT.toMillis() + 5_000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  /** Sends one {@code method} request for counter {@code name} to {@code node}; its outcome. */
  private static Answer ask(NodeProcess node, String method, String name) {
    String path = "/objects/counter/" + name;
    long sent = System.nanoTime();
    int status = -1;
    String body = "";
    try {
      HttpResponse<String> r =
          method.equals("POST") ? node.post(path, PROBE_TIMEOUT) : node.get(path, PROBE_TIMEOUT);
      status = r.statusCode();
      body = r.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      body = e.getClass().getSimpleName() + ": " + e.getMessage(); // no answer in time, or refused
    }
    return new Answer(name, method, sent, System.nanoTime(), status, body);
  }

  /**
   * The outcomes of {@code answers} by method and status (or none, and why), and whether they came
   * after {@code healAt}: how many, and how long they took.
   */
  private static Map<String, String> outcomes(Stream<Answer> answers, long healAt) {
    Map<String, List<Answer>> grouped =
        answers.collect(
            Collectors.groupingBy(
                a ->
                    a.method()
                        + " "
                        + (a.status() < 0 ? "none (" + a.body() + ")" : a.status())
                        + (a.answeredAt() < healAt ? "" : " after the heal"),
                TreeMap::new,
                Collectors.toList()));
    Map<String, String> result = new TreeMap<>();
    grouped.forEach(
        (outcome, list) -> {
          LongSummaryStatistics took =
              list.stream().mapToLong(a -> ms(a.answeredAt() - a.sentAt())).summaryStatistics();
          result.put(outcome, list.size() + " in " + took.getMin() + "-" + took.getMax() + " ms");
        });
    return result;
  }

  /** For each counter, when the first increment acknowledged after {@code since} was answered. */
  private static Map<String, Long> firstAcknowledgedAfter(CounterLoad load, long since) {
    Map<String, Long> first = new TreeMap<>();
    for (String name : load.names) {
      first.put(
          name,
          load.answeredAtNanos.get(name).stream()
              .filter(t -> t > since)
              .min(Long::compare)
              .orElse(Long.MAX_VALUE));
    }
    return first;
  }

  /**
   * For each counter, its longest time without an acknowledged increment that ended between {@code
   * from} and {@code to}, in ms.
   */
  private static Map<String, Long> unavailability(CounterLoad load, long from, long to) {
    Map<String, Long> result = new TreeMap<>();
    for (String name : load.names) {
      List<Long> times = load.answeredAtNanos.get(name).stream().sorted().toList();
      long worst = 0;
      for (int i = 1; i < times.size(); i++) {
        if (times.get(i) > from && times.get(i) <= to) {
          worst = Math.max(worst, times.get(i) - times.get(i - 1));
        }
      }
      result.put(name, ms(worst));
    }
    return result;
  }

  /** How many nodes {@code node}'s Hazelcast member sees, itself included; -1 if no answer. */
  private static int membersSeenBy(NodeProcess node) {
    try {
      return new JsonObject(node.get("/_outpost/cluster", Duration.ofSeconds(2)).body())
          .getInteger("nodes");
    } catch (Exception e) {
      return -1;
    }
  }

  /** Replica group → leader, as {@code node} sees them. */
  private static Map<String, String> leadersSeenBy(NodeProcess node) {
    Map<String, String> leaders = new TreeMap<>();
    try {
      var map = new JsonObject(node.get("/_outpost/cluster", Duration.ofSeconds(2)).body());
      for (Object o : map.getJsonArray("replicaGroups")) {
        JsonObject g = (JsonObject) o;
        leaders.put(g.getString("name"), String.valueOf(g.getString("leader")));
      }
    } catch (Exception e) {
      leaders.put("?", "no answer: " + e);
    }
    return leaders;
  }

  /**
   * What keeps the cluster from being whole, as seen now; empty when every node sees all three,
   * every replica group has a leader every node agrees on, and that leader sees every follower
   * caught up.
   */
  private String recoveryState(List<NodeProcess> nodes) {
    for (NodeProcess node : nodes) {
      try {
        JsonObject map =
            new JsonObject(node.get("/_outpost/cluster", Duration.ofSeconds(2)).body());
        if (map.getInteger("nodes") != nodes.size()) {
          return node.nodeId + " sees " + map.getInteger("nodes") + " nodes";
        }
      } catch (Exception e) {
        return node.nodeId + " does not answer: " + e;
      }
    }
    return replicated.unsettled(nodes, CAUGHT_UP_LAG, Duration.ofSeconds(2));
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

  /** This machine's load averages (1, 5, 15 minutes), or "?". */
  private static String loadAverage() {
    try (var in = new java.io.FileInputStream("/proc/loadavg")) {
      String[] fields =
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (Exception e) {
      return "?";
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
