/**
 * Live objects on one node: the catalog (address → at most one activation), each activation's
 * lifecycle state machine, its turn queue (the input gate), turns on virtual threads, group commit,
 * the output gate, resets, eviction and the watchdog, and the {@code DurableObjectState} users see.
 *
 * <p>Internal to the runtime: may depend on {@code api}, {@code runtime}, {@code runtime.spi},
 * {@code internal.storage} and {@code internal.hibernation}. Only {@code dev.outpost.runtime} and
 * other runtime internals may depend on it; never the router, the CLI or user code (the router is
 * checked by {@code ArchitectureTest}). See docs/design.md §3 and §4.
 */
package dev.outpost.runtime.internal.activation;
