/**
 * JMH micro-benchmarks of one node's runtime, driven through {@link
 * dev.outpost.runtime.ObjectInbox} with no HTTP: the turn path (inbox → turn → output gate → send)
 * and storage through an object. Not run by the build; see docs/benchmarks.md for the command.
 */
package dev.outpost.bench.jmh;
