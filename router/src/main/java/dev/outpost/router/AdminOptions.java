package dev.outpost.router;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a cluster node's admin API ({@code /_outpost/admin/*}).
 *
 * @param ratePerSecond admin calls each client address may make per second, sustained ({@code
 *     outpost.admin.rate-per-second}); calls past it get 429 with {@code Retry-After}. Counted per
 *     node: a call another node forwards counts on both, under the forwarding node's address
 * @param burst calls an address may make at once after being quiet ({@code outpost.admin.burst});
 *     the admin page makes about one per namespace when it loads
 * @param settleTimeout how long evict and delete wait for an object's queued and running turns to
 *     finish before refusing with 409 ({@code outpost.admin.settle-timeout})
 */
public record AdminOptions(double ratePerSecond, int burst, Duration settleTimeout) {

  /** Validates the fields. */
  public AdminOptions {
    Objects.requireNonNull(settleTimeout, "settleTimeout");
    if (!(ratePerSecond > 0) || ratePerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "outpost.admin.rate-per-second must be > 0 and at most 1000000, was " + ratePerSecond);
    }
    if (burst < 1 || burst > 1_000_000) {
      throw new IllegalArgumentException("outpost.admin.burst must be 1..1000000, was " + burst);
    }
    if (settleTimeout.toMillis() < 1) {
      throw new IllegalArgumentException(
          "outpost.admin.settle-timeout must be at least 1 ms, was " + settleTimeout);
    }
  }

  /** 5 calls a second per address, bursts of 60, 10 s for an object to settle. */
  public static AdminOptions defaults() {
    return new AdminOptions(5, 60, Duration.ofSeconds(10));
  }

  /** With another sustained rate and burst. */
  public AdminOptions withRateLimit(double perSecond, int burstSize) {
    return new AdminOptions(perSecond, burstSize, settleTimeout);
  }

  /** With another settle timeout. */
  public AdminOptions withSettleTimeout(Duration value) {
    return new AdminOptions(ratePerSecond, burst, value);
  }
}
