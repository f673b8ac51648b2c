package dev.outpost.runtime.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * Where an object lives, as the cluster directory records it. Changed only by compare-and-set, and
 * every change of owner bumps {@code epoch}, which every storage batch of the owner carries.
 *
 * @param owner the node id of the owner
 * @param region the owner's region
 * @param epoch the ownership epoch, from 1; higher wins
 * @param codeVersion the code version the object was placed with
 * @param state whether the owner serves the object ({@code ACTIVE}), is handing it over ({@code
 *     MOVING}), or left and keeps its data offline ({@code PARKED})
 * @param jurisdiction the jurisdiction the object is restricted to, if any
 */
public record PlacementRecord(
    String owner,
    String region,
    long epoch,
    String codeVersion,
    State state,
    Optional<String> jurisdiction) {

  /** The lifecycle of a placement. */
  public enum State {
    ACTIVE,
    MOVING,
    PARKED
  }

  /** Validates the fields. */
  public PlacementRecord {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(codeVersion, "codeVersion");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
    }
    if (owner.contains("|") || region.contains("|") || codeVersion.contains("|")) {
      throw new IllegalArgumentException("'|' is not allowed in node ids, regions or versions");
    }
  }

  /** A first placement at epoch 1. */
  public static PlacementRecord first(
      String owner, String region, String codeVersion, Optional<String> jurisdiction) {
    return new PlacementRecord(owner, region, 1, codeVersion, State.ACTIVE, jurisdiction);
  }

  /** The same placement in another state. */
  public PlacementRecord withState(State next) {
    return new PlacementRecord(owner, region, epoch, codeVersion, next, jurisdiction);
  }

  /** The record after handing the object to {@code newOwner}: the epoch goes up by one. */
  public PlacementRecord movedTo(String newOwner, String newRegion) {
    return new PlacementRecord(
        newOwner, newRegion, epoch + 1, codeVersion, State.ACTIVE, jurisdiction);
  }

  /**
   * A compact text form, {@code owner|region|epoch|version|state|jurisdiction}, for maps that
   * compare values.
   */
  public String encode() {
    return String.join(
        "|",
        owner,
        region,
        Long.toString(epoch),
        codeVersion,
        state.name(),
        jurisdiction.orElse(""));
  }

  /** Parses {@link #encode()}'s form. */
  public static PlacementRecord decode(String text) {
    String[] parts = text.split("\\|", -1);
    if (parts.length != 6) {
      throw new IllegalArgumentException("not a placement record: " + text);
    }
    return new PlacementRecord(
        parts[0],
        parts[1],
        Long.parseLong(parts[2]),
        parts[3],
        State.valueOf(parts[4]),
        parts[5].isEmpty() ? Optional.empty() : Optional.of(parts[5]));
  }
}
