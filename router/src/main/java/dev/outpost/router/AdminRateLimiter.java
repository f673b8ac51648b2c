package dev.outpost.router;

import dev.outpost.runtime.TimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admin calls per client address: a token bucket per address ({@link AdminOptions#ratePerSecond}
 * refilled, {@link AdminOptions#burst} saved up), on the node's {@link TimeSource}.
 *
 * <p>Bounded: past {@value #MAX_ADDRESSES} addresses, buckets that have filled up again (whose
 * address has been quiet long enough to be owed a full burst) are dropped, which forgets nothing
 * that matters; if none has, the call is refused as if its own bucket were empty, so a flood of
 * addresses cannot grow the table. Thread-safe: event loops call it concurrently.
 */
final class AdminRateLimiter {

  /** Most addresses tracked at once. */
  static final int MAX_ADDRESSES = 10_000;

  private final AdminOptions options;
  private final TimeSource time;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  AdminRateLimiter(AdminOptions options, TimeSource time) {
    this.options = Objects.requireNonNull(options, "options");
    this.time = Objects.requireNonNull(time, "time");
  }

  /**
   * Takes one call for {@code address}: empty if allowed, else how long until the next one would be
   * (at least 1 s, for {@code Retry-After}).
   */
  java.util.Optional<Duration> acquire(String address) {
    Instant now = time.now();
    Bucket bucket = buckets.get(address);
    if (bucket == null) {
      if (buckets.size() >= MAX_ADDRESSES) {
        buckets.values().removeIf(b -> b.isFull(now));
        if (buckets.size() >= MAX_ADDRESSES) {
          return java.util.Optional.of(Duration.ofSeconds(1));
        }
      }
      bucket = buckets.computeIfAbsent(address, a -> new Bucket(now));
    }
    return bucket.take(now);
  }

  /** Addresses tracked now. */
  int size() {
    return buckets.size();
  }

  private final class Bucket {
    private double tokens = options.burst();
    private Instant last;

    Bucket(Instant now) {
      this.last = now;
    }

    synchronized java.util.Optional<Duration> take(Instant now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return java.util.Optional.empty();
      }
      double seconds = (1 - tokens) / options.ratePerSecond();
      return java.util.Optional.of(Duration.ofSeconds(Math.max(1, (long) Math.ceil(seconds))));
    }

    synchronized boolean isFull(Instant now) {
      refill(now);
      return tokens >= options.burst();
    }

    private void refill(Instant now) {
      if (now.isAfter(last)) {
        double seconds = Duration.between(last, now).toNanos() / 1e9;
        tokens = Math.min(options.burst(), tokens + seconds * options.ratePerSecond());
        last = now;
      }
    }
  }
}
