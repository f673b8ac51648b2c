package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.ManualTimeSource;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminRateLimiterTest {

  private final ManualTimeSource time = new ManualTimeSource(Instant.parse("2030-01-01T00:00:00Z"));

  private AdminRateLimiter limiter(double perSecond, int burst) {
    return new AdminRateLimiter(AdminOptions.defaults().withRateLimit(perSecond, burst), time);
  }

  @Test
  void aBurstPassesThenCallsWaitForTheRate() {
    AdminRateLimiter limiter = limiter(0.5, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("10.0.0.1")).as("call %d", i + 1).isEmpty();
    }
    assertThat(limiter.acquire("10.0.0.1")).contains(Duration.ofSeconds(2));
    time.advance(Duration.ofMillis(1999));
    assertThat(limiter.acquire("10.0.0.1")).as("one ms early").contains(Duration.ofSeconds(1));
    time.advance(Duration.ofMillis(1));
    assertThat(limiter.acquire("10.0.0.1")).isEmpty();
    assertThat(limiter.acquire("10.0.0.1")).isPresent();
  }

  @Test
  void eachAddressHasItsOwnBucket() {
    AdminRateLimiter limiter = limiter(1, 1);
    assertThat(limiter.acquire("10.0.0.1")).isEmpty();
    assertThat(limiter.acquire("10.0.0.1")).contains(Duration.ofSeconds(1));
    assertThat(limiter.acquire("10.0.0.2")).isEmpty();
  }

  @Test
  void aQuietAddressGetsNoMoreThanTheBurstBack() {
    AdminRateLimiter limiter = limiter(10, 2);
    limiter.acquire("a");
    limiter.acquire("a");
    time.advance(Duration.ofHours(1));
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).isEmpty();
    assertThat(limiter.acquire("a")).isPresent();
  }

  @Test
  void theTableIsBoundedAndForgetsOnlyFullBuckets() {
    AdminRateLimiter limiter = limiter(1, 1);
    for (int i = 0; i < AdminRateLimiter.MAX_ADDRESSES; i++) {
      assertThat(limiter.acquire("addr-" + i)).isEmpty();
    }
    assertThat(limiter.acquire("one-too-many"))
        .as("no bucket has refilled: a new address is refused")
        .contains(Duration.ofSeconds(1));
    assertThat(limiter.size()).isEqualTo(AdminRateLimiter.MAX_ADDRESSES);
    time.advance(Duration.ofSeconds(1));
    assertThat(limiter.acquire("one-too-many")).as("refilled buckets were dropped").isEmpty();
    assertThat(limiter.size()).isEqualTo(1);
    assertThat(limiter.acquire("addr-0")).as("a forgotten address starts full").isEmpty();
  }

  @Test
  void optionsRefuseNonsense() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AdminOptions.defaults().withRateLimit(0, 1))
        .hasMessageContaining("outpost.admin.rate-per-second");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> AdminOptions.defaults().withRateLimit(1, 0))
        .hasMessageContaining("outpost.admin.burst");
    assertThat(Optional.of(AdminOptions.defaults().burst())).contains(60);
  }
}
