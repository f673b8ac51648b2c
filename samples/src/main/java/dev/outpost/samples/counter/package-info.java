/**
 * The {@code counter} sample: {@code POST} increments a persisted value and answers it, {@code GET}
 * answers the current value.
 *
 * <p>Loaded as a code bundle like any user's: depends on {@code dev.outpost.api} and the JDK only
 * (checked by {@code ArchitectureTest}). Nothing in the node depends on it at compile time; tests
 * and benchmarks load it by name.
 */
package dev.outpost.samples.counter;
