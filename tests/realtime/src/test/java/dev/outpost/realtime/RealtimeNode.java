package dev.outpost.realtime;

import dev.outpost.node.OutpostNode;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.testkit.TestNode;
import java.nio.file.Path;

/**
 * A single node in the test's JVM with real-time options of the test's choosing (short heartbeats
 * and windows): in-memory storage, a code bundle (the samples by default), a server on a free
 * loopback port.
 */
final class RealtimeNode implements AutoCloseable {

  private final OutpostNode node;

  private RealtimeNode(OutpostNode node) {
    this.node = node;
  }

  /** A node serving the samples bundle. */
  static RealtimeNode start(RealtimeOptions realtime) {
    return start(TestNode.samplesBundle(), realtime);
  }

  /** A node serving {@code bundle}. */
  static RealtimeNode start(Path bundle, RealtimeOptions realtime) {
    return new RealtimeNode(
        OutpostNode.builder()
            .storage(StorageEngines.inMemory())
            .bundle(bundle)
            .realtimeOptions(realtime)
            .start());
  }

  int port() {
    return node.port();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  ObjectHost host() {
    return node.host();
  }

  /** The count of client connections closed over {@code transport} for {@code reason}. */
  double closes(String transport, String reason) {
    return node.server()
        .metrics()
        .registry()
        .get("outpost.connection.closes")
        .tags("transport", transport, "reason", reason)
        .counter()
        .count();
  }

  @Override
  public void close() {
    node.close();
  }
}
