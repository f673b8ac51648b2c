package dev.outpost.router;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node's router runs connect guards ({@link dev.outpost.api.ConnectGuard}).
 *
 * @param guardTimeout {@code outpost.auth.guard-timeout}: how long the whole guard chain of one
 *     request may take; past it the client gets 503 with {@code Retry-After} and the guard's thread
 *     is interrupted. 5 s by default; 1 ms to 60 s.
 * @param jwt the keys and checks of the built-in {@code jwt} guard; empty: a namespace that lists
 *     {@code jwt} is refused with 503 saying the node has no JWT keys (it fails closed)
 */
public record AuthOptions(Duration guardTimeout, Optional<JwtOptions> jwt) {

  /** Largest guard timeout. */
  public static final Duration MAX_GUARD_TIMEOUT = Duration.ofSeconds(60);

  /** Checks the fields. */
  public AuthOptions {
    Objects.requireNonNull(guardTimeout, "guardTimeout");
    Objects.requireNonNull(jwt, "jwt");
    if (guardTimeout.toMillis() < 1 || guardTimeout.compareTo(MAX_GUARD_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "the guard timeout (outpost.auth.guard-timeout) must be 1 ms to 60 s, was "
              + guardTimeout);
    }
  }

  /** 5 s per guard chain, no JWT keys. */
  public static AuthOptions defaults() {
    return new AuthOptions(Duration.ofSeconds(5), Optional.empty());
  }

  /** With another guard timeout. */
  public AuthOptions withGuardTimeout(Duration value) {
    return new AuthOptions(value, jwt);
  }

  /** With the {@code jwt} guard's keys and checks. */
  public AuthOptions withJwt(JwtOptions value) {
    return new AuthOptions(guardTimeout, Optional.of(value));
  }
}
