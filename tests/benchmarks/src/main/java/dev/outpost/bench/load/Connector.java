package dev.outpost.bench.load;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Opens many WebSockets with a bounded number of handshakes in flight. Socket {@code i} is opened
 * from, and lives on, context {@code i % contexts.size()}, so callers know which event loop each
 * socket's callbacks run on. Every handshake has a timeout, so a server that never answers fails
 * the socket instead of hanging the run.
 */
public final class Connector {

  /**
   * What happened.
   *
   * @param opened sockets whose handshake completed
   * @param failed sockets that failed or timed out
   * @param firstFailure the first failure's message, or empty
   * @param nanos time from the first attempt to the last outcome
   */
  public record Outcome(int opened, int failed, String firstFailure, long nanos) {}

  /** Receives each socket once its handshake completed, on its event loop. */
  @FunctionalInterface
  public interface OnOpen {
    /** Socket {@code index} is open. */
    void opened(int index, WebSocket socket);
  }

  private Connector() {}

  /**
   * Opens {@code count} sockets and waits for every outcome.
   *
   * @param options the connect options of socket {@code i}; their handshake timeout is set here
   * @param maxInFlight most handshakes at a time (rounded up to a multiple of the contexts)
   * @param timeout the longest wait for all outcomes, and for each handshake
   * @param handshakes receives the time of each successful handshake; readable once this returns
   * @throws IllegalStateException if the outcomes are not all in after {@code timeout}
   */
  public static Outcome connect(
      List<Context> contexts,
      WebSocketClient client,
      int count,
      IntFunction<WebSocketConnectOptions> options,
      OnOpen onOpen,
      int maxInFlight,
      Duration timeout,
      LatencyHistograms handshakes) {
    int loops = contexts.size();
    int chains = Math.max(loops, (maxInFlight + loops - 1) / loops * loops);
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicReference<String> firstFailure = new AtomicReference<>("");
    AtomicInteger outcomes = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    long start = System.nanoTime();
    if (count == 0) {
      all.complete();
    }
    for (int c = 0; c < Math.min(chains, count); c++) {
      int chain = c;
      contexts
          .get(chain % loops)
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
                      long attempt = System.nanoTime();
                      client
                          .connect(options.apply(index).setTimeout(timeout.toMillis()))
                          .onComplete(
                              result -> {
                                if (result.succeeded()) {
                                  LatencyHistograms.record(
                                      handshakes.current(), System.nanoTime() - attempt);
                                  opened.incrementAndGet();
                                  onOpen.opened(index, result.result());
                                } else {
                                  failed.incrementAndGet();
                                  firstFailure.compareAndSet(
                                      "", "socket " + index + ": " + result.cause());
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
        timeout.multipliedBy(Math.max(1, count / Math.max(1, maxInFlight))).plus(timeout),
        "opening " + count + " WebSockets");
    return new Outcome(opened.get(), failed.get(), firstFailure.get(), System.nanoTime() - start);
  }
}
