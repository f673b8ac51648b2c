/**
 * The servers under test and the child processes that run them: an Outpost node ({@link
 * dev.outpost.bench.server.BenchNode}) and the bare Vert.x baseline ({@link
 * dev.outpost.bench.server.BroadcastServer}), each in its own JVM, driven over stdin/stdout ({@link
 * dev.outpost.bench.server.ControlLoop}) and stopped by PID.
 */
package dev.outpost.bench.server;
