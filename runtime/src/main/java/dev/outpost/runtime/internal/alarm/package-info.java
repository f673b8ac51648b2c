/**
 * Persistent alarms: one timer per object with a committed alarm, re-armed at start from the
 * storage engine's alarm index, turned into alarm events for the object; retries with backoff.
 *
 * <p>Internal to the runtime: depends on {@code runtime} ({@code TimeSource}), {@code runtime.spi}
 * and {@code internal.activation}. Only the object host and the activations use it; nothing outside
 * the runtime may. See docs/design.md §3.
 */
package dev.outpost.runtime.internal.alarm;
