package dev.outpost.runtime.internal.replication;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.ObjectDirectory;
import dev.outpost.runtime.spi.PlacementRecord;
import dev.outpost.runtime.spi.StorageException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which replica group an object belongs to: the group of its region (from its placement record)
 * chosen by {@link GroupLayout#groupFor}. The answer never changes for an object, so it is cached
 * for good once known. Thread-safe; a miss reads the directory (blocks briefly).
 */
public final class GroupResolver {

  private final GroupLayout layout;
  private final ObjectDirectory directory;
  private final ConcurrentHashMap<ObjectAddress, GroupLayout.Group> known =
      new ConcurrentHashMap<>();

  public GroupResolver(GroupLayout layout, ObjectDirectory directory) {
    this.layout = layout;
    this.directory = directory;
  }

  /** The layout the groups come from. */
  public GroupLayout layout() {
    return layout;
  }

  /** Records that {@code address} was placed in {@code region}; returns its group. */
  public GroupLayout.Group remember(ObjectAddress address, String region) {
    return known.computeIfAbsent(address, a -> layout.groupFor(region, a.id()));
  }

  /** Records the group of an object found in a group's storage. */
  public void remember(ObjectAddress address, GroupLayout.Group group) {
    known.putIfAbsent(address, group);
  }

  /** The object's group, if already known here. */
  public GroupLayout.Group cached(ObjectAddress address) {
    return known.get(address);
  }

  /**
   * The object's group.
   *
   * @throws StorageException if the object has no placement record
   */
  public GroupLayout.Group groupOf(ObjectAddress address) {
    GroupLayout.Group group = known.get(address);
    if (group != null) {
      return group;
    }
    PlacementRecord record =
        directory
            .lookup(address)
            .orElseThrow(
                () -> new StorageException(address + " has no placement, so no replica group"));
    return remember(address, record.region());
  }
}
