package dev.outpost.bench.workload;

import dev.outpost.bench.load.CpuMeter;
import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.HttpCalls;
import dev.outpost.bench.load.LatencyHistograms;
import dev.outpost.bench.load.MachineCpu;
import dev.outpost.bench.load.Pacer;
import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.server.ServerProcess;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.HdrHistogram.Histogram;

/**
 * One counter run: persisted increments ({@code POST /objects/counter/{name}}) over K objects.
 *
 * <p><b>Load.</b> Closed loop: N callers, caller {@code c} on object {@code c % K}, each with one
 * request in flight. Open loop: {@code rate} requests/s in total, round-robin over the objects,
 * timed from their intended send times; at most {@value #MAX_IN_FLIGHT} in flight, beyond which a
 * due request is skipped and counted as an error.
 *
 * <p><b>Checks.</b> Every answer must be 200 with a number. A caller's answers must strictly
 * increase (closed loop), no object may give the same answer twice, and after the run each object's
 * value (read with GET) must equal the increments acknowledged for it: an acknowledged increment is
 * never lost and none is applied twice. Violations count as errors.
 *
 * <p><b>Threads.</b> Callers and pacers live on the generator's event loops; latency is recorded
 * per loop and merged after a barrier; the duplicate check takes a per-object lock.
 */
final class CounterLoad {

  /**
   * The shape of a run.
   *
   * @param rate open loop: requests/s in total; 0 for closed loop
   */
  record Settings(
      int objects,
      int callers,
      double rate,
      double warmupS,
      double durationS,
      int eventLoops,
      int connections,
      String namePrefix,
      WindowRecording recording) {

    String scenario() {
      String shape = "K=" + objects;
      return rate > 0
          ? shape + " open " + RunResult.format(rate) + "/s"
          : shape + " N=" + callers + " closed";
    }
  }

  static final int MAX_IN_FLIGHT = 10_000;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final ServerProcess server;
  private final Settings settings;
  private final ServerMeters meters;
  private final List<Context> contexts;
  private final HttpClient client;
  private final String[] uris;
  private final BitSet[] seen;
  private final AtomicLongArray acked;
  private final LatencyHistograms latencies = new LatencyHistograms();
  private final LongAdder completed = new LongAdder(); // sent in the window, answered well
  private final LongAdder errors = new LongAdder();
  private final LongAdder violations = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();
  private long windowStart;
  private long windowEnd;

  private CounterLoad(Vertx vertx, ServerProcess server, ServerMeters meters, Settings settings) {
    this.vertx = vertx;
    this.server = server;
    this.meters = meters;
    this.settings = settings;
    this.contexts = EventLoops.contexts(vertx, settings.eventLoops());
    this.client = HttpCalls.client(vertx, settings.connections());
    this.uris = new String[settings.objects()];
    this.seen = new BitSet[settings.objects()];
    this.acked = new AtomicLongArray(settings.objects());
    for (int k = 0; k < settings.objects(); k++) {
      uris[k] = "/objects/counter/" + settings.namePrefix() + "-" + k;
      seen[k] = new BitSet();
    }
  }

  /** Runs the load against {@code server} and checks the answers. */
  static RunResult run(ServerProcess server, Settings settings) {
    return run(server, ServerMeters.of(server, settings.recording()), settings);
  }

  /**
   * Runs the load through {@code server} (in a cluster, the node the requests enter by) and checks
   * the answers; {@code meters} measure the servers over the window.
   */
  static RunResult run(ServerProcess server, ServerMeters meters, Settings settings) {
    Vertx vertx = EventLoops.create(settings.eventLoops());
    try {
      return new CounterLoad(vertx, server, meters, settings).execute();
    } finally {
      EventLoops.close(vertx);
    }
  }

  private RunResult execute() {
    long start = System.nanoTime();
    windowStart = start + seconds(settings.warmupS());
    windowEnd = windowStart + seconds(settings.durationS());
    boolean closedLoop = settings.rate() <= 0;
    if (closedLoop) {
      for (int c = 0; c < settings.callers(); c++) {
        int caller = c;
        contexts.get(c % contexts.size()).runOnContext(v -> new Caller(caller).next());
      }
    } else {
      startPacers(start);
    }
    EventLoops.pauseUntil(vertx, windowStart - ChatLoad.PROFILE_LEAD_NANOS);
    meters.startRecordings();
    EventLoops.pauseUntil(vertx, windowStart);
    meters.startCpu();
    CpuMeter generatorCpu = CpuMeter.startSelf();
    MachineCpu machineCpu = MachineCpu.start();
    EventLoops.pauseUntil(vertx, windowEnd);
    double serverCores = meters.stopCpu();
    double generatorCores = generatorCpu.cores();
    double otherCores = machineCpu.busyCores() - serverCores - generatorCores;
    meters.stopRecordings();
    long drainEnd = System.nanoTime() + REQUEST_TIMEOUT.toNanos() + seconds(1);
    while (inFlight.get() > 0 && System.nanoTime() < drainEnd) {
      EventLoops.pause(vertx, TimeUnit.MILLISECONDS.toNanos(20));
    }
    EventLoops.barrier(contexts);
    long lostUpdates = verifyFinalValues();

    double seconds = settings.durationS();
    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("violations", violations.sum() + lostUpdates);
    extra.put("acknowledged", sum(acked));
    meters.putFigures(extra, completed.sum(), seconds);
    extra.put("generator_cpu", Math.round(generatorCores * 100) / 100.0);
    extra.put("other_cpu", Math.round(Math.max(0, otherCores) * 100) / 100.0);
    return new RunResult(
        "counter",
        server.target(),
        settings.scenario(),
        seconds,
        completed.sum() / seconds,
        "increments/s",
        Percentiles.of(latencies.merged()),
        errors.sum() + violations.sum() + lostUpdates,
        extra);
  }

  /** One closed-loop caller: one request in flight, answers strictly increasing. */
  private final class Caller {
    private final int object;
    private long last;

    Caller(int index) {
      this.object = index % settings.objects();
    }

    void next() {
      long sent = System.nanoTime();
      if (sent >= windowEnd) {
        return;
      }
      increment(
          object,
          sent,
          value -> {
            if (value <= last) {
              violations.increment();
            }
            last = value;
            next();
          });
    }
  }

  private void startPacers(long start) {
    int loops = contexts.size();
    for (int l = 0; l < loops; l++) {
      int loop = l;
      double share = settings.rate() / loops;
      contexts
          .get(l)
          .runOnContext(
              v -> {
                Pacer pacer = new Pacer(start, windowEnd, share, (int) Math.max(64, share / 50));
                int[] next = {loop};
                vertx.setPeriodic(
                    1,
                    id -> {
                      pacer.tick(
                          System.nanoTime(),
                          intended -> {
                            int object = next[0] % settings.objects();
                            next[0] += loops;
                            if (inFlight.get() >= MAX_IN_FLIGHT) {
                              errors.increment(); // skipped: the server is far behind
                            } else {
                              increment(object, intended, value -> {});
                            }
                          });
                      if (pacer.finished()) {
                        vertx.cancelTimer(id);
                      }
                    });
              });
    }
  }

  /** Sends one increment stamped {@code stamp}; {@code then} gets the answer if it is good. */
  private void increment(int object, long stamp, LongConsumer then) {
    inFlight.incrementAndGet();
    Histogram latency = latencies.current();
    HttpCalls.call(client, HttpMethod.POST, server.port(), uris[object], null, REQUEST_TIMEOUT)
        .onComplete(
            result -> {
              inFlight.decrementAndGet();
              long now = System.nanoTime();
              long value = result.succeeded() ? parse(result.result()) : -1;
              if (value <= 0) {
                errors.increment();
                return;
              }
              acked.incrementAndGet(object);
              synchronized (seen[object]) {
                if (value > Integer.MAX_VALUE || seen[object].get((int) value)) {
                  violations.increment();
                } else {
                  seen[object].set((int) value);
                }
              }
              if (stamp >= windowStart && stamp < windowEnd) {
                completed.increment();
                LatencyHistograms.record(latency, now - stamp);
              }
              then.accept(value);
            });
  }

  private static long parse(HttpCalls.Reply reply) {
    if (reply.status() != 200) {
      return -1;
    }
    try {
      return Long.parseLong(reply.body().trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** GETs every object; returns how many disagree with the acknowledged increments. */
  private long verifyFinalValues() {
    long wrong = 0;
    boolean exact = errors.sum() == 0; // a failed request may or may not have been applied
    for (int k = 0; k < settings.objects(); k++) {
      HttpCalls.Reply reply = read(k);
      long value = parse(reply);
      if (value < 0 || (exact ? value != acked.get(k) : value < acked.get(k))) {
        wrong++;
      }
    }
    return wrong;
  }

  /**
   * Reads object {@code k}'s value after the run. If no answer comes, the server's threads are
   * dumped next to the scratch files and the failure says whether a fresh connection fares better.
   */
  private HttpCalls.Reply read(int k) {
    try {
      io.vertx.core.Promise<HttpCalls.Reply> reply = io.vertx.core.Promise.promise();
      contexts
          .get(k % contexts.size())
          .runOnContext(
              v ->
                  HttpCalls.call(
                          client, HttpMethod.GET, server.port(), uris[k], null, REQUEST_TIMEOUT)
                      .onComplete(reply));
      return EventLoops.await(reply.future(), REQUEST_TIMEOUT.plusSeconds(1), "reading " + uris[k]);
    } catch (RuntimeException e) {
      String dump = "no thread dump";
      try {
        Path file = Files.createTempFile("outpost-bench-threads-", ".txt");
        server.threadDump(file);
        dump = "server threads dumped to " + file;
      } catch (Exception dumpFailure) {
        dump = "thread dump failed: " + dumpFailure;
      }
      String fresh;
      try {
        HttpCalls.Reply again =
            EventLoops.await(
                HttpCalls.call(
                    HttpCalls.client(vertx, 1),
                    HttpMethod.GET,
                    server.port(),
                    uris[k],
                    null,
                    REQUEST_TIMEOUT),
                REQUEST_TIMEOUT.plusSeconds(1),
                "reading " + uris[k] + " again");
        fresh = "a fresh connection got " + again.status() + " " + again.body().trim();
      } catch (RuntimeException again) {
        fresh = "a fresh connection got no answer either (" + again.getMessage() + ")";
      }
      throw new IllegalStateException(
          "after the run, GET "
              + uris[k]
              + " got no answer within "
              + REQUEST_TIMEOUT
              + " ("
              + inFlight.get()
              + " increments still in flight); "
              + fresh
              + "; "
              + dump,
          e);
    }
  }

  private static long sum(AtomicLongArray values) {
    long total = 0;
    for (int i = 0; i < values.length(); i++) {
      total += values.get(i);
    }
    return total;
  }

  private static long seconds(double s) {
    return (long) (s * 1e9);
  }
}
