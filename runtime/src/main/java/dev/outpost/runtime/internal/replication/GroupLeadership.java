package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import dev.outpost.runtime.spi.ReplicaGroupDirectory;
import dev.outpost.runtime.spi.ReplicaGroupDirectory.GroupLeader;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StoredAlarm;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What this node does when it becomes the ready leader of a replica group: lists the group's
 * objects in the placement directory (put-if-absent, so a directory lost with a whole-cluster
 * restart is rebuilt from what the nodes hold), publishes itself as the group's leader, and hands
 * the group's stored alarms to the object host to arm here. Ratis calls it on its own threads; the
 * work runs on {@code blocking} so Raft is never held up by Hazelcast.
 */
public final class GroupLeadership implements GroupStateMachine.Events {

  private static final System.Logger LOG = System.getLogger(GroupLeadership.class.getName());
  private static final int TAKEOVER_ATTEMPTS = 60;
  private static final java.time.Duration TAKEOVER_RETRY = java.time.Duration.ofSeconds(1);

  private final String self;
  private final String codeVersion;
  private final ObjectDirectory directory;
  private final ReplicaGroupDirectory groups;
  private final Executor blocking;
  private final dev.outpost.runtime.TimeSource time;
  private final List<Consumer<List<StoredAlarm>>> alarmListeners = new CopyOnWriteArrayList<>();
  private final GroupResolver resolver;

  public GroupLeadership(
      String self,
      String codeVersion,
      ObjectDirectory directory,
      ReplicaGroupDirectory groups,
      Executor blocking,
      dev.outpost.runtime.TimeSource time,
      GroupResolver resolver) {
    this.self = self;
    this.codeVersion = codeVersion;
    this.directory = directory;
    this.groups = groups;
    this.blocking = blocking;
    this.time = time;
    this.resolver = resolver;
  }

  /** Hears the stored alarms of every group this node comes to lead, to arm them. */
  public void onAlarmsAcquired(Consumer<List<StoredAlarm>> listener) {
    alarmListeners.add(listener);
  }

  @Override
  public void leaderReady(GroupLayout.Group group, long term, StorageEngine engine) {
    LOG.log(
        System.Logger.Level.INFO,
        "replication: node " + self + " is the ready leader of " + group.name() + ", term " + term);
    blocking.execute(() -> takeOver(group, term, engine));
  }

  private void takeOver(GroupLayout.Group group, long term, StorageEngine engine) {
    // Alarms first: they need nothing but the local copy.
    List<StoredAlarm> alarms = engine.alarms();
    alarmListeners.forEach(l -> l.accept(alarms));
    list(group, term, engine, alarms.size(), 1);
  }

  /**
   * Lists the group's objects in the directory and publishes this node as its leader. Both need
   * Hazelcast, whose partitions may be migrating during a failover: a failed attempt is tried again
   * {@link #TAKEOVER_RETRY} later, on the node's clock (bounded: about a minute).
   */
  private void list(
      GroupLayout.Group group, long term, StorageEngine engine, int alarms, int attempt) {
    try {
      int listed = listObjects(group, engine);
      groups.publishLeader(group.name(), new GroupLeader(self, term, true));
      LOG.log(
          System.Logger.Level.INFO,
          "replication: node "
              + self
              + " listed "
              + group.name()
              + "'s objects for term "
              + term
              + " ("
              + listed
              + " objects, "
              + alarms
              + " alarms)");
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "listing " + group.name() + " for term " + term + " failed (attempt " + attempt + ")",
          e);
      if (attempt < TAKEOVER_ATTEMPTS) {
        time.schedule(
            TAKEOVER_RETRY,
            () -> blocking.execute(() -> list(group, term, engine, alarms, attempt + 1)));
      }
    }
  }

  private int listObjects(GroupLayout.Group group, StorageEngine engine) {
    int listed = 0;
    for (ObjectAddress object : engine.objects()) {
      resolver.remember(object, group);
      directory.register(
          object,
          new PlacementRecord(
              self,
              group.region(),
              Math.max(1, engine.epoch(object)),
              codeVersion,
              PlacementRecord.State.ACTIVE,
              object.id().jurisdiction()));
      listed++;
    }
    return listed;
  }

  @Override
  public void leaderChanged(GroupLayout.Group group, String leader) {
    // Only a ready leader publishes itself; routers of member nodes ask Raft directly.
  }
}
