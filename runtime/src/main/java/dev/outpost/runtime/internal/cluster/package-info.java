/**
 * The embedded Hazelcast member: membership, the placement directory map, node lease entries,
 * published load figures, and two-phase code rollouts across the cluster.
 *
 * <p>The only package that imports {@code com.hazelcast} (checked by {@code ArchitectureTest});
 * everything else sees it through {@code runtime.spi.ObjectDirectory} and {@code
 * ClusterMembership}. Depends on {@code api}, {@code runtime} and {@code runtime.spi}. Only {@code
 * dev.outpost.runtime.Cluster} builds it; nothing outside the runtime may depend on it. See
 * docs/design.md §5 and §7.
 */
package dev.outpost.runtime.internal.cluster;
