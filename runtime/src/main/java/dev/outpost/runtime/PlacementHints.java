package dev.outpost.runtime;

import java.util.Objects;
import java.util.Optional;

/**
 * What the first request for an object says about where to place it. Honoured only when the object
 * is placed; objects never move by themselves afterwards. The jurisdiction comes from the object's
 * id, not from here.
 *
 * @param locationHint a region name or a hint naming one ({@code weur}, {@code enam}, ...)
 */
public record PlacementHints(Optional<String> locationHint) {

  /** No hint: the object goes to the region of the router that saw it first. */
  public static final PlacementHints NONE = new PlacementHints(Optional.empty());

  /** Checks for null. */
  public PlacementHints {
    Objects.requireNonNull(locationHint, "locationHint");
  }
}
