package dev.outpost.runtime.internal.replication;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fixed table of replica groups every node derives from the same {@link ReplicationOptions}:
 * one group per peer, named after it and led by preference by it, whose members are that peer, the
 * next peers of its region in node-id order (a ring, as Cassandra and Dynamo place replicas), and
 * then the peers of the nearest regions by the topology's latency, up to {@code copies}. An object
 * of region R belongs to one of R's groups, chosen by a hash of its id, so the mapping never
 * changes while the configuration does not. Pure computation; immutable; thread-safe.
 */
public final class GroupLayout {

  /**
   * One replica group.
   *
   * @param name {@code g-<preferred leader>}, stable across restarts
   * @param region the region of its preferred leader
   * @param members its peers, the preferred leader first
   */
  public record Group(String name, String region, List<ReplicaPeer> members) {
    public Group {
      members = List.copyOf(members);
    }

    /** Whether {@code nodeId} holds a copy. */
    public boolean hasMember(String nodeId) {
      return members.stream().anyMatch(p -> p.nodeId().equals(nodeId));
    }

    /** The peer that leads by preference. */
    public ReplicaPeer preferredLeader() {
      return members.get(0);
    }
  }

  private final Map<String, Group> byName;
  private final Map<String, List<Group>> byRegion;
  private final RegionTopology topology;
  private final List<ReplicaPeer> peers;

  private GroupLayout(Map<String, Group> byName, RegionTopology topology, List<ReplicaPeer> peers) {
    this.byName = byName;
    this.topology = topology;
    this.peers = peers;
    Map<String, List<Group>> regions = new TreeMap<>();
    byName
        .values()
        .forEach(g -> regions.computeIfAbsent(g.region(), r -> new ArrayList<>()).add(g));
    this.byRegion = regions;
  }

  /** The layout of {@code options} in the world {@code topology}. */
  public static GroupLayout of(ReplicationOptions options, RegionTopology topology) {
    int copies = options.effectiveCopies();
    Map<String, List<ReplicaPeer>> regions = new TreeMap<>();
    options.peers().stream()
        .sorted(Comparator.comparing(ReplicaPeer::nodeId))
        .forEach(p -> regions.computeIfAbsent(p.region(), r -> new ArrayList<>()).add(p));
    Map<String, Group> groups = new LinkedHashMap<>();
    regions.forEach(
        (region, local) -> {
          List<ReplicaPeer> others =
              options.peers().stream()
                  .filter(p -> !p.region().equals(region))
                  .sorted(
                      Comparator.comparing((ReplicaPeer p) -> topology.oneWay(region, p.region()))
                          .thenComparing(ReplicaPeer::region)
                          .thenComparing(ReplicaPeer::nodeId))
                  .toList();
          for (int i = 0; i < local.size(); i++) {
            List<ReplicaPeer> members = new ArrayList<>();
            for (int k = 0; k < local.size() && members.size() < copies; k++) {
              members.add(local.get((i + k) % local.size()));
            }
            for (ReplicaPeer other : others) {
              if (members.size() >= copies) {
                break;
              }
              members.add(other);
            }
            String name = "g-" + local.get(i).nodeId();
            groups.put(name, new Group(name, region, members));
          }
        });
    return new GroupLayout(groups, topology, options.peers());
  }

  /**
   * Where a lost copy of {@code group} goes, best first: every peer, those of the group's region
   * first, then by the topology's latency from it, then by node id (as the layout placed the
   * copies). The caller skips current members and peers that are down.
   */
  public List<ReplicaPeer> replacementsFor(Group group) {
    return peers.stream()
        .sorted(
            Comparator.comparing((ReplicaPeer p) -> !p.region().equals(group.region()))
                .thenComparing(p -> topology.oneWay(group.region(), p.region()))
                .thenComparing(ReplicaPeer::region)
                .thenComparing(ReplicaPeer::nodeId))
        .toList();
  }

  /** Every group. */
  public List<Group> groups() {
    return List.copyOf(byName.values());
  }

  /** The group named {@code name}, if any. */
  public Optional<Group> group(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The groups {@code nodeId} holds a copy of. */
  public List<Group> groupsOf(String nodeId) {
    return byName.values().stream().filter(g -> g.hasMember(nodeId)).toList();
  }

  /**
   * The group of an object placed in {@code region}: one of that region's groups by a hash of the
   * id, or of the nearest region that has peers.
   */
  public Group groupFor(String region, DurableObjectId id) {
    List<Group> candidates = byRegion.get(region);
    if (candidates == null) {
      String nearest =
          byRegion.keySet().stream()
              .min(
                  Comparator.comparing((String r) -> topology.oneWay(region, r))
                      .thenComparing(r -> r))
              .orElseThrow();
      candidates = byRegion.get(nearest);
    }
    return candidates.get(Math.floorMod(hash(id.toString()), candidates.size()));
  }

  /** FNV-1a over the UTF-8 bytes: stable across JVMs, unlike {@code String.hashCode} in spirit. */
  private static int hash(String value) {
    int h = 0x811c9dc5;
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h;
  }
}
