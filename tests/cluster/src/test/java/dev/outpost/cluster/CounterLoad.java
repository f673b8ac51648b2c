package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.Eventually;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounded increments of every counter, round-robin over routers, one request at a time per router
 * and counter, recording every acknowledged value and when its answer arrived; {@link #check} then
 * proves that no acknowledged value was handed out twice or lost.
 *
 * <p>Threads: one platform thread per router and counter, so a request stuck on a frozen node holds
 * up only its own counter. The tables are concurrent; read them from the test thread at any time.
 */
final class CounterLoad {

  /** The default bound on requests per router and counter. */
  static final int DEFAULT_MAX_REQUESTS = 5_000;

  final List<String> names;
  final List<NodeProcess> routers;
  final Map<String, List<Long>> acknowledged;
  final Map<String, List<Long>> answeredAtNanos;
  final Map<String, List<Ack>> timed;
  final AtomicBoolean running = new AtomicBoolean(true);
  final List<Thread> threads = new ArrayList<>();
  private int maxRequests = DEFAULT_MAX_REQUESTS;

  /** How long a caller waits after an answer other than 200 before asking again. */
  private static final Duration REFUSED_PAUSE = Duration.ofMillis(50);

  private Duration pauseAfterRefused = Duration.ofMillis(100);
  private Duration thinkTime = Duration.ZERO;

  CounterLoad(List<String> names, List<NodeProcess> routers) {
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
  CounterLoad(List<String> names, List<NodeProcess> routers, CounterLoad shared) {
    this.names = names;
    this.routers = routers;
    this.acknowledged = shared.acknowledged;
    this.answeredAtNanos = shared.answeredAtNanos;
    this.timed = shared.timed;
  }

  /** Bounds each thread to {@code max} requests (default 5,000). Call before {@link #start}. */
  CounterLoad maxRequestsPerRouterAndCounter(int max) {
    this.maxRequests = max;
    return this;
  }

  /**
   * Waits {@code pause} after a refused connection (a router that is down), as a client would,
   * instead of spending its bounded requests at once. Default zero. Call before {@link #start}.
   */
  CounterLoad pauseAfterRefused(Duration pause) {
    this.pauseAfterRefused = pause;
    return this;
  }

  /**
   * Waits {@code pause} after every answered request, as a client between two actions, so that the
   * load leaves CPU to nodes that restart. Default zero. Call before {@link #start}.
   */
  CounterLoad thinkTime(Duration pause) {
    this.thinkTime = pause;
    return this;
  }

  /** The counters {@code counter-0} to {@code counter-(count-1)}, created through {@code via}. */
  static List<String> createCounters(NodeProcess via, int count) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String name = "counter-" + i;
      HttpResponse<String> r = via.post("/objects/counter/" + name);
      assertThat(r.statusCode()).as("create %s: %s", name, r.body()).isEqualTo(200);
      names.add(name);
    }
    return names;
  }

  /**
   * Starts one thread per router and counter; an unanswered request (1 s, as a retrying client
   * would wait) is simply not acknowledged.
   */
  void start() {
    for (NodeProcess router : routers) {
      for (String name : names) {
        threads.add(
            Thread.ofPlatform()
                .name("load-" + router.nodeId + "-" + name)
                .start(
                    () -> {
                      // Bounded: at most maxRequests requests per router and counter.
                      for (int i = 0; i < maxRequests && running.get(); i++) {
                        try {
                          HttpResponse<String> r =
                              router.post("/objects/counter/" + name, Duration.ofSeconds(1));
                          if (r.statusCode() != 200 && !pause(REFUSED_PAUSE)) {
                            return; // a client backs off after a refusal (503, Retry-After)
                          }
                          if (r.statusCode() == 200) {
                            long value = Long.parseLong(r.body().trim());
                            long now = System.nanoTime();
                            acknowledged.get(name).add(value);
                            answeredAtNanos.get(name).add(now);
                            timed.get(name).add(new Ack(value, now));
                          }
                          if (thinkTime.isPositive() && !pause(thinkTime)) {
                            return;
                          }
                        } catch (ConnectException e) {
                          // down: not acknowledged
                          if (pauseAfterRefused.isPositive() && !pause(pauseAfterRefused)) {
                            return;
                          }
                        } catch (IOException e) {
                          // frozen or too slow: not acknowledged
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    }));
      }
    }
  }

  /** Sleeps {@code pause}; false if interrupted. */
  private static boolean pause(Duration pause) {
    try {
      Thread.sleep(pause);
      return true;
    } catch (InterruptedException e) {
      return false;
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

  /** How many increments were acknowledged so far, over every counter (the creates not counted). */
  long acknowledgedIncrements() {
    return names.stream().mapToLong(n -> acknowledged.get(n).size() - 1).sum();
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

  /** One acknowledged increment: the value and when its answer arrived. */
  record Ack(long value, long atNanos) {}
}
