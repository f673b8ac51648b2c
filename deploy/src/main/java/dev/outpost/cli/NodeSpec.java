package dev.outpost.cli;

import java.nio.file.Path;
import java.time.Duration;

/** Everything needed to start one node; {@code cluster} is null for a node alone (the demo). */
record NodeSpec(
    String nodeId,
    String region,
    String host,
    int httpPort,
    int clusterPort,
    Path dataDir,
    java.util.List<Path> bundles,
    boolean syncWrites,
    int maxMessageSize,
    Duration idleTimeout,
    dev.outpost.runtime.ClusterOptions cluster,
    dev.outpost.runtime.RegionTopology topology,
    boolean emulateLatency,
    String adminToken,
    dev.outpost.runtime.ReplicationOptions replication,
    java.util.List<String> allowedOrigins,
    dev.outpost.router.ListenerOptions listener,
    dev.outpost.router.WebSocketCompressionOptions compression) {

  /** The admin token: {@code OUTPOST_ADMIN_TOKEN}, or the development default. */
  static String defaultAdminToken() {
    return NodeSecrets.adminToken(null, System.getenv());
  }

  /** The region topology the launcher points to ({@code -Doutpost.topology}), or an open one. */
  static dev.outpost.runtime.RegionTopology defaultTopology() {
    String path = System.getProperty("outpost.topology");
    return path == null
        ? dev.outpost.runtime.RegionTopology.open()
        : dev.outpost.runtime.RegionTopology.load(Path.of(path));
  }

  /** The samples bundle, as located by the launcher ({@code -Doutpost.samples.bundle}). */
  static Path samplesBundle() {
    String path = System.getProperty("outpost.samples.bundle");
    if (path == null) {
      throw new IllegalStateException(
          "no --bundle given and the samples bundle is unknown: start through ./outpost, or set"
              + " -Doutpost.samples.bundle=/path/to/samples.jar");
    }
    return Path.of(path);
  }
}
