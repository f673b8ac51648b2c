package dev.outpost.bench.jmh;

import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.spi.ClientConnection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ClientConnection} that only counts what the runtime sends it, into a counter shared by
 * all connections of a benchmark, so that the benchmark thread can wait for a whole fan-out.
 */
final class CountingConnection implements ClientConnection {

  private final AtomicLong sends;
  private final String name;

  CountingConnection(AtomicLong sends, String name) {
    this.sends = sends;
    this.name = name;
  }

  @Override
  public void send(WebSocketMessage message) {
    sends.incrementAndGet();
  }

  @Override
  public void close(int code, String reason) {}

  @Override
  public String describe() {
    return name;
  }

  /**
   * Spins until {@code sends} reaches {@code target}.
   *
   * @throws IllegalStateException after 10 s, naming what was expected and seen
   */
  static void awaitSends(AtomicLong sends, long target) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sends.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "expected " + target + " sends within 10 s, saw " + sends.get());
      }
      Thread.onSpinWait();
    }
  }
}
