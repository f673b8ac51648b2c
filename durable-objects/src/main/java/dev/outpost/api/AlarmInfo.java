package dev.outpost.api;

/**
 * Describes one delivery of an alarm.
 *
 * @param retryCount 0 on the first attempt, then 1, 2, ... for each retry after an exception
 */
public record AlarmInfo(int retryCount) {

  /** Creates the info; {@code retryCount} must not be negative. */
  public AlarmInfo {
    if (retryCount < 0) {
      throw new IllegalArgumentException("retryCount must be >= 0, was " + retryCount);
    }
  }

  /** Whether this delivery is a retry of an attempt that threw. */
  public boolean isRetry() {
    return retryCount > 0;
  }
}
