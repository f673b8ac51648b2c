package dev.outpost.bench.workload;

import dev.outpost.bench.load.CpuMeter;
import dev.outpost.bench.server.ServerProcess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of a run's measurement window: a CPU meter (and, with {@code --jfr-dir}, a JFR
 * recording) on each server process. A run against one server measures that one; a run against a
 * cluster ({@link #of(Map, WindowRecording)}) measures every node, whichever one the load enters
 * through, so that a forwarded request's cost on both nodes is seen.
 *
 * <p>Figures, in the run's {@code extra}: {@code server_cpu} (cores, summed over the servers) and,
 * for a cluster, {@code cpu_NAME} (cores of node NAME) and {@code cpu_us_per_op_NAME} (its CPU
 * microseconds per measured operation), with {@code cpu_us_per_op} for all nodes together.
 *
 * <p>Threads: one, the run's main thread; start and stop are called once each, in order.
 */
final class ServerMeters {

  private final Map<String, ServerProcess> servers; // empty name: a lone server
  private final Map<String, WindowRecording> recordings = new LinkedHashMap<>();
  private final Map<String, CpuMeter> meters = new LinkedHashMap<>();
  private final Map<String, Double> cores = new LinkedHashMap<>();

  private ServerMeters(Map<String, ServerProcess> servers, WindowRecording recording) {
    this.servers = servers;
    servers.keySet().forEach(name -> recordings.put(name, recording.suffixed(name)));
  }

  /** Measures one server; its JFR file is {@code recording}'s. */
  static ServerMeters of(ServerProcess server, WindowRecording recording) {
    return new ServerMeters(Map.of("", server), recording);
  }

  /**
   * Measures every node of a cluster, by name in the given order; each node's JFR file is {@code
   * recording}'s with {@code -NAME} before the extension.
   */
  static ServerMeters of(Map<String, ServerProcess> nodes, WindowRecording recording) {
    if (nodes.isEmpty() || nodes.containsKey("")) {
      throw new IllegalArgumentException("a cluster's nodes need names");
    }
    return new ServerMeters(new LinkedHashMap<>(nodes), recording);
  }

  /** Starts the JFR recordings, if any (a second or so before the window). */
  void startRecordings() {
    servers.forEach((name, server) -> recordings.get(name).start(server));
  }

  /** Starts the CPU meters, at the window's start. */
  void startCpu() {
    servers.forEach((name, server) -> meters.put(name, CpuMeter.start(server.pid())));
  }

  /** Reads the CPU meters, at the window's end; returns the cores used by all servers. */
  double stopCpu() {
    double total = 0;
    for (Map.Entry<String, CpuMeter> meter : meters.entrySet()) {
      double used = meter.getValue().cores();
      cores.put(meter.getKey(), used);
      total += used;
    }
    return total;
  }

  /** Stops the JFR recordings and writes their files, if any. */
  void stopRecordings() {
    servers.forEach((name, server) -> recordings.get(name).stop(server));
  }

  /**
   * Puts the figures into {@code extra}: {@code operations} measured over {@code seconds}; call
   * after {@link #stopCpu()}.
   */
  void putFigures(Map<String, Object> extra, long operations, double seconds) {
    double total = cores.values().stream().mapToDouble(Double::doubleValue).sum();
    extra.put("server_cpu", round2(total));
    if (cores.containsKey("")) {
      return;
    }
    for (Map.Entry<String, Double> node : cores.entrySet()) {
      extra.put("cpu_" + node.getKey(), round2(node.getValue()));
    }
    if (operations > 0) {
      for (Map.Entry<String, Double> node : cores.entrySet()) {
        extra.put(
            "cpu_us_per_op_" + node.getKey(), round2(node.getValue() * seconds * 1e6 / operations));
      }
      extra.put("cpu_us_per_op", round2(total * seconds * 1e6 / operations));
    }
  }

  /** The names of the measured servers, in order (empty for a lone server). */
  List<String> names() {
    return List.copyOf(servers.keySet());
  }

  private static double round2(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
