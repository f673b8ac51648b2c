package dev.outpost.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Sends {@code count} HTTP requests over {@code concurrency} chains, each chain one request at a
 * time (closed loop), and times each from send to full response on the event loop. With concurrency
 * 1 the requests go strictly one after another, so each latency is that request's alone.
 */
public final class RequestChains {

  /**
   * What happened.
   *
   * @param ok requests answered as expected
   * @param failed requests that failed, timed out or were answered otherwise
   * @param firstFailure the first failure, or empty
   * @param latency latency of the good requests, in nanoseconds
   * @param nanos time from the first request to the last answer
   */
  public record Outcome(
      long ok, long failed, String firstFailure, org.HdrHistogram.Histogram latency, long nanos) {}

  private RequestChains() {}

  /**
   * Sends the requests and waits for every answer.
   *
   * @param uri the URI of request {@code i}
   * @param expected whether an answer is the right one
   */
  public static Outcome run(
      List<Context> contexts,
      HttpClient client,
      int port,
      HttpMethod method,
      int count,
      IntFunction<String> uri,
      Predicate<HttpCalls.Reply> expected,
      int concurrency,
      Duration timeout) {
    int chains = Math.max(1, Math.min(concurrency, count));
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstFailure = new AtomicReference<>("");
    AtomicInteger outcomes = new AtomicInteger();
    LatencyHistograms latencies = new LatencyHistograms();
    Promise<Void> all = Promise.promise();
    long start = System.nanoTime();
    if (count == 0) {
      all.complete();
    }
    for (int c = 0; c < chains && c < count; c++) {
      int chain = c;
      contexts
          .get(chain % contexts.size())
          .runOnContext(
              v ->
                  new Runnable() {
                    private int next = chain;

                    @Override
                    public void run() {
                      if (next >= count) {
                        return;
                      }
                      int index = next;
                      next += chains;
                      long sent = System.nanoTime();
                      HttpCalls.call(client, method, port, uri.apply(index), null, timeout)
                          .onComplete(
                              result -> {
                                long took = System.nanoTime() - sent;
                                if (result.succeeded() && expected.test(result.result())) {
                                  LatencyHistograms.record(latencies.current(), took);
                                  ok.incrementAndGet();
                                } else {
                                  failed.incrementAndGet();
                                  firstFailure.compareAndSet(
                                      "",
                                      uri.apply(index)
                                          + ": "
                                          + (result.succeeded()
                                              ? result.result().status()
                                                  + " "
                                                  + result.result().body().trim()
                                              : result.cause().toString()));
                                }
                                if (outcomes.incrementAndGet() == count) {
                                  all.complete();
                                }
                                run();
                              });
                    }
                  }.run());
    }
    EventLoops.await(
        all.future(),
        timeout.multipliedBy(Math.max(1, count / chains)).plus(timeout),
        count + " requests");
    return new Outcome(
        ok.get(), failed.get(), firstFailure.get(), latencies.merged(), System.nanoTime() - start);
  }
}
