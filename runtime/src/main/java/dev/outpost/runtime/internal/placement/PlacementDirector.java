package dev.outpost.runtime.internal.placement;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.PlacementHints;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.spi.ClusterMembership;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Chooses the region and node for a new object (Orleans' placement directors). The region: the one
 * the location hint names, else the region of the router that saw the first request, else the
 * nearest region that may hold the object; a jurisdiction is a hard filter on all three, never a
 * preference. The node: the least-loaded live node of that region, never a node that is leaving;
 * among equally loaded nodes this one is preferred (the first caller is here), then any at random.
 * Stateless apart from what it reads; thread-safe.
 */
final class PlacementDirector {

  /** The outcome: a node, or why there is none. */
  record Choice(Optional<NodeInfo> node, String refusal) {}

  private final RegionTopology topology;
  private final ClusterMembership membership;
  private final Supplier<Map<String, Integer>> loads;

  PlacementDirector(
      RegionTopology topology, ClusterMembership membership, Supplier<Map<String, Integer>> loads) {
    this.topology = topology;
    this.membership = membership;
    this.loads = loads;
  }

  Choice choose(ObjectAddress address, PlacementHints hints, boolean selfLeaving) {
    NodeInfo self = membership.self();
    Optional<String> jurisdiction = address.id().jurisdiction();
    List<NodeInfo> live =
        membership.liveNodes().stream()
            .filter(n -> !(selfLeaving && n.nodeId().equals(self.nodeId())))
            .toList();
    String region;
    if (hints.locationHint().isPresent()) {
      String hint = hints.locationHint().get();
      Optional<String> hinted =
          topology.regions().isEmpty() ? Optional.of(hint) : topology.regionForHint(hint);
      if (hinted.isEmpty()) {
        return refuse("unknown location hint '" + hint + "'; known regions: " + topology.regions());
      }
      region = hinted.get();
      if (!topology.allows(region, jurisdiction)) {
        return refuse(
            "location hint '"
                + hint
                + "' names region "
                + region
                + ", outside jurisdiction "
                + jurisdiction.get()
                + " of "
                + address);
      }
    } else if (topology.allows(self.region(), jurisdiction)) {
      region = self.region();
    } else {
      List<String> allowed = topology.regionsOf(jurisdiction.get());
      List<String> withNodes =
          allowed.stream().filter(r -> live.stream().anyMatch(n -> n.region().equals(r))).toList();
      Optional<String> nearest = topology.nearest(self.region(), withNodes);
      if (nearest.isEmpty()) {
        return refuse(
            "no live node in jurisdiction "
                + jurisdiction.get()
                + " (regions "
                + allowed
                + ") to hold "
                + address);
      }
      region = nearest.get();
    }
    String chosenRegion = region;
    Map<String, Integer> load = loads.get();
    List<NodeInfo> candidates = live.stream().filter(n -> n.region().equals(chosenRegion)).toList();
    if (candidates.isEmpty()) {
      return refuse("no live node in region " + chosenRegion + " to hold " + address);
    }
    int least = candidates.stream().mapToInt(n -> load.getOrDefault(n.nodeId(), 0)).min().orElse(0);
    List<NodeInfo> best =
        candidates.stream()
            .filter(n -> load.getOrDefault(n.nodeId(), 0) == least)
            .sorted(Comparator.comparing(NodeInfo::nodeId))
            .toList();
    Optional<NodeInfo> local =
        best.stream().filter(n -> n.nodeId().equals(self.nodeId())).findFirst();
    return new Choice(
        Optional.of(
            local.orElseGet(() -> best.get(ThreadLocalRandom.current().nextInt(best.size())))),
        null);
  }

  private static Choice refuse(String why) {
    return new Choice(Optional.empty(), why);
  }
}
