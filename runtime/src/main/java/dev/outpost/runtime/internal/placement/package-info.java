/**
 * Placement and single ownership on top of the directory: locating and placing objects (region by
 * hint, first router or jurisdiction; least-loaded live node), the node lease that stops a node
 * serving by its own clock, the ownership check at activation, and the graceful hand-over.
 *
 * <p>Internal to the runtime: depends on {@code runtime} and {@code runtime.spi} only, never on
 * Hazelcast (it sees the directory through {@code ObjectDirectory}). Reached from outside only
 * through {@code Cluster}, {@code ObjectLocator} and {@code OwnershipGuard}. See docs/design.md §5
 * and §6.
 */
package dev.outpost.runtime.internal.placement;
