package dev.outpost.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The world a cluster emulates: its regions, which jurisdictions each region belongs to, the
 * location hints that name each region, and the one-way latency between regions. Loaded from a JSON
 * file (see {@code deploy/regions.json}):
 *
 * <pre>{@code
 * {
 *   "regions": {
 *     "eu-west": {"jurisdictions": ["eu"], "hints": ["weur", "eeur"]},
 *     "us-east": {"jurisdictions": ["us"], "hints": ["enam", "wnam"]}
 *   },
 *   "oneWayLatencyMs": {"eu-west": {"us-east": 40}}
 * }
 * }</pre>
 *
 * Latency is symmetric unless both directions are given; a region to itself is 0 unless given.
 * Immutable and thread-safe.
 */
public final class RegionTopology {

  private final Map<String, Set<String>> jurisdictions;
  private final Map<String, String> hints; // hint or region name -> region
  private final Map<String, Map<String, Integer>> latencyMs;

  private RegionTopology(
      Map<String, Set<String>> jurisdictions,
      Map<String, String> hints,
      Map<String, Map<String, Integer>> latencyMs) {
    this.jurisdictions = jurisdictions;
    this.hints = hints;
    this.latencyMs = latencyMs;
  }

  /** A world with no regions declared: any region name is accepted, with no latency. */
  public static RegionTopology open() {
    return new RegionTopology(Map.of(), Map.of(), Map.of());
  }

  /**
   * Reads a topology file.
   *
   * @throws IllegalArgumentException naming the file and what is wrong in it
   */
  public static RegionTopology load(Path file) {
    JsonNode root;
    try {
      root = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read region topology " + file + ": " + e, e);
    }
    JsonNode regions = root.path("regions");
    if (!regions.isObject() || regions.isEmpty()) {
      throw new IllegalArgumentException(file + ": \"regions\" must name at least one region");
    }
    Map<String, Set<String>> jurisdictions = new LinkedHashMap<>();
    Map<String, String> hints = new LinkedHashMap<>();
    regions
        .properties()
        .forEach(
            e -> {
              String region = e.getKey();
              Set<String> js = new LinkedHashSet<>();
              e.getValue().path("jurisdictions").forEach(j -> js.add(j.asText()));
              jurisdictions.put(region, Set.copyOf(js));
              hints.put(region, region);
              e.getValue().path("hints").forEach(h -> hints.put(h.asText(), region));
            });
    Map<String, Map<String, Integer>> latency = new LinkedHashMap<>();
    root.path("oneWayLatencyMs")
        .properties()
        .forEach(
            from -> {
              requireRegion(file, jurisdictions, from.getKey());
              from.getValue()
                  .properties()
                  .forEach(
                      to -> {
                        requireRegion(file, jurisdictions, to.getKey());
                        latency
                            .computeIfAbsent(from.getKey(), k -> new LinkedHashMap<>())
                            .put(to.getKey(), to.getValue().asInt());
                      });
            });
    return new RegionTopology(Map.copyOf(jurisdictions), Map.copyOf(hints), latency);
  }

  private static void requireRegion(Path file, Map<String, Set<String>> regions, String region) {
    if (!regions.containsKey(region)) {
      throw new IllegalArgumentException(
          file + ": latency names region '" + region + "', which \"regions\" does not declare");
    }
  }

  /** The declared regions (empty for an open topology). */
  public Set<String> regions() {
    return jurisdictions.keySet();
  }

  /** Whether {@code region} may hold objects of {@code jurisdiction}. */
  public boolean allows(String region, Optional<String> jurisdiction) {
    return jurisdiction.isEmpty()
        || jurisdictions.getOrDefault(region, Set.of()).contains(jurisdiction.get());
  }

  /** The regions of a jurisdiction. */
  public List<String> regionsOf(String jurisdiction) {
    return jurisdictions.entrySet().stream()
        .filter(e -> e.getValue().contains(jurisdiction))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** The region a location hint names (a region name or one of its hints), if any. */
  public Optional<String> regionForHint(String hint) {
    return Optional.ofNullable(hints.get(hint));
  }

  /** One-way latency from one region to another. */
  public Duration oneWay(String from, String to) {
    Integer ms = latencyMs.getOrDefault(from, Map.of()).get(to);
    if (ms == null) {
      ms = latencyMs.getOrDefault(to, Map.of()).get(from);
    }
    return Duration.ofMillis(ms == null ? 0 : ms);
  }

  /** Of {@code candidates}, the region nearest to {@code from} (itself when it is one). */
  public Optional<String> nearest(String from, java.util.Collection<String> candidates) {
    return candidates.stream()
        .min(Comparator.comparing((String r) -> oneWay(from, r)).thenComparing(r -> r));
  }
}
