/**
 * The workloads ({@code chat}, {@code counter}, {@code idle}, {@code activate}, {@code forward})
 * and their command-line front ({@link dev.outpost.bench.BenchMain}).
 */
package dev.outpost.bench.workload;
