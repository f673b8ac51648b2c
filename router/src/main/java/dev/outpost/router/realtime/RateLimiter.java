package dev.outpost.router.realtime;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket: {@code rate} tokens per second, at most {@code burst} saved up. Time comes from
 * the caller (the session's {@code TimeSource}). Not thread-safe: its session guards it.
 */
final class RateLimiter {

  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private Instant last;

  RateLimiter(int ratePerSecond, int burst, Instant now) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  boolean tryAcquire(Instant now) {
    if (now.isAfter(last)) {
      long nanos = Duration.between(last, now).toNanos();
      tokens = Math.min(burst, tokens + nanos * ratePerNano);
      last = now;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
