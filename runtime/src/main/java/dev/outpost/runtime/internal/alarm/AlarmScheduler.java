package dev.outpost.runtime.internal.alarm;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.TimeSource;
import dev.outpost.runtime.internal.activation.NodeServices;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one timer per object with an alarm (workerd's {@code AlarmScheduler}). Timers follow what
 * is committed: a commit that sets, moves or deletes an alarm re-arms or cancels its timer; at
 * start every stored alarm is armed again, so alarms survive a restart. A due alarm becomes an
 * event for the object, which checks it is still current before running the handler. A failing
 * handler is retried through {@link #retry}. Delivery is at least once. Thread-safe.
 *
 * <p>Due alarms go out through a {@link Delivery} rather than the catalog itself, so the scheduler
 * can be built before the catalog that reports to it (workerd's scheduler likewise takes a {@code
 * GetActorFn}).
 */
public final class AlarmScheduler implements NodeServices.AlarmSink {

  private static final System.Logger LOG = System.getLogger(AlarmScheduler.class.getName());
  private static final Duration OVERLOAD_RETRY = Duration.ofSeconds(1);

  private final TimeSource time;
  private final Delivery delivery;
  private final ConcurrentHashMap<ObjectAddress, Armed> timers = new ConcurrentHashMap<>();

  /** Where a due alarm goes: an event for the object. */
  @FunctionalInterface
  public interface Delivery {
    /**
     * Delivers the alarm set for {@code scheduled} to {@code object}; runs on a timer thread.
     *
     * @return false if the object's queue is full (the scheduler tries again later)
     */
    boolean deliver(ObjectAddress object, Instant scheduled, int retryCount);
  }

  public AlarmScheduler(TimeSource time, Delivery delivery) {
    this.time = time;
    this.delivery = delivery;
  }

  /** Arms every alarm the engine holds. */
  public void start(StorageEngine engine) {
    for (StoredAlarm alarm : engine.alarms()) {
      arm(alarm.object(), alarm.time(), 0, Duration.between(time.now(), alarm.time()));
    }
  }

  @Override
  public void committed(ObjectAddress object, Instant alarm) {
    if (alarm == null) {
      Armed old = timers.remove(object);
      if (old != null) {
        old.handle.cancel();
      }
    } else {
      arm(object, alarm, 0, Duration.between(time.now(), alarm));
    }
  }

  @Override
  public void retry(ObjectAddress object, Instant scheduled, int retryCount, Duration delay) {
    arm(object, scheduled, retryCount, delay);
  }

  /** How many objects have an armed alarm timer. */
  public int armedCount() {
    return timers.size();
  }

  private void arm(ObjectAddress object, Instant scheduled, int retryCount, Duration delay) {
    Armed armed = new Armed(scheduled);
    Armed old = timers.put(object, armed);
    if (old != null) {
      old.handle.cancel();
    }
    armed.handle = time.schedule(delay, () -> fire(object, armed, retryCount));
  }

  private void fire(ObjectAddress object, Armed armed, int retryCount) {
    if (!timers.remove(object, armed)) {
      return; // replaced meanwhile
    }
    if (!delivery.deliver(object, armed.scheduled, retryCount)) {
      LOG.log(Level.WARNING, "alarm of " + object + " found its queue full; retrying in 1 s");
      arm(object, armed.scheduled, retryCount, OVERLOAD_RETRY);
    }
  }

  private static final class Armed {
    final Instant scheduled;
    volatile TimeSource.Cancellable handle = () -> {};

    Armed(Instant scheduled) {
      this.scheduled = scheduled;
    }
  }
}
