/**
 * The assembly of one Outpost node: {@code OutpostNode} and its builder, the one place that knows
 * the wiring order (storage → join the cluster → claim local objects → network → object host → code
 * rollouts → HTTP front → load stats) and closes what it opened, in reverse, when a step fails. The
 * CLI, the test kit, the benchmarks and the integration tests start nodes through it.
 *
 * <p>Lives in the router module because it wires the router to the runtime. May depend on {@code
 * dev.outpost.api}, the runtime's public and {@code spi} packages and {@code dev.outpost.router};
 * never on {@code dev.outpost.runtime.internal} (by convention: {@code ArchitectureTest} checks the
 * {@code dev.outpost.router} packages only). Nothing in the runtime or the router depends on it.
 * See docs/design.md §4.
 */
package dev.outpost.node;
