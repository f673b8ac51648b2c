package dev.outpost.runtime.internal.activation;

import dev.outpost.api.AlarmInfo;
import dev.outpost.api.DurableObject;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.storage.StorageCache;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Runs one object's alarm events and decides what follows each (workerd's alarm handler in {@code
 * ActorCache}). A due alarm runs only if it is still the committed one; a handler that returns
 * deletes it unless the handler set or deleted an alarm itself; a handler that throws is retried
 * through the {@link NodeServices.AlarmSink} after {@code alarmRetryStart} doubled per earlier
 * failure, and dropped after {@code alarmMaxRetries} retries; one whose namespace no app serves
 * (undeployed) is kept, neither retried nor dropped. Used only by the activation's drain thread,
 * inside its turns.
 */
final class AlarmRetries {

  private static final System.Logger LOG = System.getLogger(AlarmRetries.class.getName());

  private final ObjectAddress address;
  private final StorageCache cache;
  private final NodeServices node;

  AlarmRetries(ObjectAddress address, StorageCache cache, NodeServices node) {
    this.address = address;
    this.cache = cache;
    this.node = node;
  }

  /** Runs the alarm handler in {@code turn}, unless the alarm was replaced or deleted since. */
  void run(DurableObject object, Event.Alarm alarm, TurnContext turn) throws Exception {
    if (!alarm.scheduled().equals(cache.committedAlarm().orElse(null))
        || cache.pending().alarmChanged()) {
      return; // replaced or deleted since it was scheduled
    }
    node.metrics().alarmFired(address.namespace());
    object.alarm(new AlarmInfo(alarm.retryCount()));
    if (turn.layers.get(0).alarmChanged()) {
      return; // the handler set a new alarm or deleted it
    }
    turn.layers.get(0).setAlarm(null, true);
  }

  /** The turn running {@code alarm} failed: schedules a retry, or drops the alarm. */
  void failed(Event.Alarm alarm) {
    if (node.factory().version(address) == null) {
      // No app serves the namespace (undeployed): the handler never ran. The alarm is the app's
      // stored data, which an undeploy keeps: neither retried nor dropped. It runs again when the
      // object's alarms are next armed (the node restarts or the object changes owner).
      LOG.log(
          Level.WARNING,
          "alarm of " + address + " not run: no app serves its namespace; kept in storage");
      return;
    }
    int retries = alarm.retryCount() + 1;
    if (retries <= node.options().alarmMaxRetries()) {
      Duration delay = node.options().alarmRetryStart().multipliedBy(1L << alarm.retryCount());
      node.alarms().retry(address, alarm.scheduled(), retries, delay);
      node.metrics().alarmRetried(address.namespace());
    } else if (alarm.scheduled().equals(cache.committedAlarm().orElse(null))
        && !cache.pending().alarmChanged()) {
      LOG.log(Level.WARNING, "alarm of " + address + " failed " + retries + " times; dropped");
      cache.pending().setAlarm(null, false);
      node.metrics().alarmAbandoned(address.namespace());
    }
  }
}
