/**
 * Test support shipped as a library, for Outpost's own tests and for users' tests of their objects.
 *
 * <ul>
 *   <li>Object unit tests: {@code ObjectHarness} runs object classes on a real object host with
 *       in-memory storage and a manual clock, {@code ObjectUnderTest} addresses one object, {@code
 *       RecordingSocket} records what an object sends to a WebSocket. No network, no Vert.x.
 *   <li>Real nodes in the test's JVM: {@code TestNode} (a node alone), {@code ClusterTestNode} and
 *       {@code TestCluster} (cluster nodes with real Hazelcast members on 127.0.0.1), all started
 *       through {@code OutpostNode}; code bundles compiled at test time ({@code TestBundle}).
 *   <li>Clients and waits: {@code TestHttpClient}, {@code TestWebSocketClient} and {@code
 *       CollectingWebSocket}, which record what they receive; {@code Eventually} for real-time
 *       waits in integration tests; {@code SkewableTimeSource}, a clock a test can move forward.
 * </ul>
 *
 * <p>May depend on the user API, the runtime's public and {@code spi} packages, the router and
 * {@code dev.outpost.node}, and Vert.x; never on {@code dev.outpost.runtime.internal}, and the
 * object harness classes never on Vert.x or the router. The runtime never depends on it. All three
 * rules are checked by {@code ArchitectureTest}. See tests/testkit/README.md.
 */
package dev.outpost.testkit;
