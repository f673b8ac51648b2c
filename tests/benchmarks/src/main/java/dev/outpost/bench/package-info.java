/**
 * {@code outpost bench}: the entry point of the load generator, which starts server processes, runs
 * one workload against them and writes its results. Compiled with the rest; run only on demand.
 *
 * <p>Like every test module it may depend on anything; nothing in a node depends on it. Figures and
 * commands are in docs/benchmarks.md.
 */
package dev.outpost.bench;
