/**
 * The runtime's meters: what the object host records (turns, queues, activations, storage commits,
 * alarms, code reloads) into the Micrometer {@code MeterRegistry} it was built with ({@code
 * ObjectHost.Builder#meterRegistry}). The runtime depends on Micrometer's core only; the Prometheus
 * registry and the scrape endpoint belong to the router.
 *
 * <p>Internal to the runtime: only {@code dev.outpost.runtime} and other runtime internals use it.
 * The names, types and labels are listed in router/README.md (<i>Metrics</i>).
 */
package dev.outpost.runtime.internal.metrics;
