package dev.outpost.realtime;

import dev.outpost.router.OutpostServer;
import dev.outpost.router.RouterOptions;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.RuntimeOptions;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.testkit.TestNode;
import java.nio.file.Path;

/**
 * A single node in the test's JVM with real-time options of the test's choosing (short heartbeats
 * and windows): in-memory storage, a code bundle (the samples by default), a server on a free
 * loopback port.
 */
final class RealtimeNode implements AutoCloseable {

  private final SystemTimeSource time;
  private final StorageEngine engine;
  private final ObjectHost host;
  private final OutpostServer server;

  private RealtimeNode(
      SystemTimeSource time, StorageEngine engine, ObjectHost host, OutpostServer server) {
    this.time = time;
    this.engine = engine;
    this.host = host;
    this.server = server;
  }

  /** A node serving the samples bundle. */
  static RealtimeNode start(RealtimeOptions realtime) {
    return start(TestNode.samplesBundle(), realtime);
  }

  /** A node serving {@code bundle}. */
  static RealtimeNode start(Path bundle, RealtimeOptions realtime) {
    SystemTimeSource time = new SystemTimeSource();
    StorageEngine engine = StorageEngines.inMemory();
    ObjectHost host =
        ObjectHost.builder()
            .options(RuntimeOptions.defaults())
            .time(time)
            .storage(engine)
            .bundle(bundle)
            .build();
    try {
      OutpostServer server = OutpostServer.start(host, RouterOptions.defaults(), null, realtime);
      return new RealtimeNode(time, engine, host, server);
    } catch (RuntimeException e) {
      host.close();
      engine.close();
      time.close();
      throw e;
    }
  }

  int port() {
    return server.port();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  ObjectHost host() {
    return host;
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      host.close();
      engine.close();
      time.close();
    }
  }
}
