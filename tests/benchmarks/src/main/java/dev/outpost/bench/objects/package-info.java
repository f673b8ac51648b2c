/**
 * Objects the benchmarks serve besides the samples (a small key-value store), written against the
 * user API only, like user code.
 *
 * <p>Depends on {@code dev.outpost.api} and the JDK only; the benchmark servers and JMH benchmarks
 * depend on it.
 */
package dev.outpost.bench.objects;
