/**
 * The runtime's public surface: one node's object host ({@code ObjectHost}) behind the one seam
 * into it ({@code ObjectInbox}), time ({@code TimeSource}), options, and the cluster membership
 * with the roles it hands out ({@code Cluster}, {@code ObjectLocator}, {@code OwnershipGuard}).
 *
 * <p>May depend on {@code dev.outpost.api}, {@code runtime.spi} and the runtime's own {@code
 * internal} packages. Never on HTTP types ({@code io.vertx.core.http}, {@code io.vertx.ext}), the
 * router, the CLI or the test kit (checked by {@code ArchitectureTest}). The router, the CLI and
 * tests use this package and {@code runtime.spi}, never {@code runtime.internal}. See
 * docs/design.md §4.
 */
package dev.outpost.runtime;
