package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.internal.hibernation.HibernationManager;
import dev.outpost.runtime.spi.StorageEngine;
import java.util.concurrent.Executor;

/**
 * What every activation of a node shares.
 *
 * @param turnExecutor runs drain loops; a virtual thread per task
 * @param guard whether this node owns an object, and at which epoch
 * @param metrics where turns, commits, activations and alarms are counted
 */
public record NodeServices(
    RuntimeOptions options,
    TimeSource time,
    StorageEngine engine,
    Executor turnExecutor,
    HibernationManager hibernation,
    AlarmSink alarms,
    ObjectFactory factory,
    dev.outpost.runtime.OwnershipGuard guard,
    dev.outpost.runtime.internal.metrics.RuntimeMetrics metrics) {

  /** Where activations report alarm changes and failures. */
  public interface AlarmSink {
    /** The object's committed alarm is now {@code time} (null: none). */
    void committed(dev.outpost.runtime.ObjectAddress object, java.time.Instant time);

    /** Delivers the alarm for {@code scheduled} again after {@code delay}. */
    void retry(
        dev.outpost.runtime.ObjectAddress object,
        java.time.Instant scheduled,
        int retryCount,
        java.time.Duration delay);
  }
}
