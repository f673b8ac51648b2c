/**
 * Test support shipped as a library: real nodes in the test's JVM ({@code TestNode}, {@code
 * ClusterTestNode}, {@code TestCluster}), code bundles compiled at test time, HTTP and WebSocket
 * clients that record what they receive, and clocks a test can skew.
 *
 * <p>May depend on anything (api, runtime, router, CLI, Vert.x). The runtime must never depend on
 * it (checked by {@code ArchitectureTest}); production modules do not either.
 */
package dev.outpost.testkit;
