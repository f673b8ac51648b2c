package dev.outpost.runtime.internal.activation;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectDetails;
import dev.outpost.runtime.internal.alarm.AlarmScheduler;
import dev.outpost.runtime.internal.hibernation.HibernationManager;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import dev.outpost.runtime.spi.WriteBatch;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an operator does to one object of this node: look at it, evict it, delete its data (the
 * contracts are on {@code ObjectHost.details}, {@code evict} and {@code delete}).
 *
 * <p>Evict and delete go through the hand-over's seal: the catalog refuses new events for the
 * object (callers get "not owner" and routers retry), queued and running turns finish and commit,
 * and the activation evicts itself; only then are its sockets closed and, for a delete, its data
 * cleared in one batch, before the catalog takes events again. If the turns do not finish in time
 * nothing is closed or cleared; the activation still evicts itself once they do (a seal cannot be
 * taken back), so events are refused until then. Any thread but a turn's; blocks.
 */
public final class OperatorActions {

  private static final System.Logger LOG = System.getLogger(OperatorActions.class.getName());

  private final ObjectCatalog catalog;
  private final HibernationManager hibernation;
  private final StorageEngine engine;
  private final AlarmScheduler alarms;

  public OperatorActions(
      ObjectCatalog catalog,
      HibernationManager hibernation,
      StorageEngine engine,
      AlarmScheduler alarms) {
    this.catalog = catalog;
    this.hibernation = hibernation;
    this.engine = engine;
    this.alarms = alarms;
  }

  public ObjectDetails details(ObjectAddress address) {
    Objects.requireNonNull(address, "address");
    long[] keysAndBytes = new long[2];
    engine.scan(
        address,
        null,
        null,
        false,
        (key, value) -> {
          keysAndBytes[0]++;
          keysAndBytes[1] += key.length + value.length;
          return true;
        });
    return new ObjectDetails(
        catalog.isActive(address),
        hibernation.sockets(address, null).size(),
        keysAndBytes[0],
        keysAndBytes[1],
        engine.alarm(address).map(StoredAlarm::time),
        engine.epoch(address));
  }

  public boolean evict(ObjectAddress address, Duration timeout, String reason) {
    boolean wasActive = catalog.isActive(address);
    seal(address, timeout, "evicted");
    try {
      closeSockets(address, reason);
    } finally {
      catalog.unseal(address);
    }
    return wasActive;
  }

  public ObjectDetails delete(ObjectAddress address, long epoch, Duration timeout, String reason) {
    seal(address, timeout, "deleted");
    try {
      ObjectDetails before = details(address);
      closeSockets(address, reason);
      engine.commit(address, new WriteBatch(epoch).clearAll().alarm(null));
      alarms.committed(address, null);
      LOG.log(
          Level.INFO,
          "deleted "
              + address
              + " ("
              + before.storedKeys()
              + " keys, "
              + before.storedBytes()
              + " bytes) at epoch "
              + epoch);
      return before;
    } finally {
      catalog.unseal(address);
    }
  }

  private void closeSockets(ObjectAddress address, String reason) {
    for (SocketRecord record : hibernation.sockets(address, null)) {
      hibernation.closeByObject(record, 1012, reason);
    }
  }

  private void seal(ObjectAddress address, Duration timeout, String what) {
    try {
      catalog.seal(address).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      catalog.unseal(address);
      throw new IllegalStateException(
          address
              + " still has turns queued or running after "
              + (timeout.toMillis() < 1000
                  ? timeout.toMillis() + " ms"
                  : timeout.toSeconds() + " s")
              + ", so it was not "
              + what
              + "; retry when it is quieter");
    } catch (InterruptedException e) {
      catalog.unseal(address);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sealing " + address, e);
    } catch (ExecutionException e) {
      catalog.unseal(address);
      throw new IllegalStateException("cannot seal " + address + ": " + e.getCause(), e.getCause());
    }
  }
}
