/**
 * Load-generator building blocks shared by every workload: latency histograms written per thread,
 * the open-loop pacer, CPU meters and the result line and JSON file.
 */
package dev.outpost.bench.load;
