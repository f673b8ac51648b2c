package dev.outpost.bench.workload;

import picocli.CommandLine.Option;

/** Warm-up, duration and the open- or closed-loop shape of a load. */
public final class LoadShape {

  @Option(
      names = "--warmup-s",
      defaultValue = "5",
      description = "Warm-up before measuring, seconds (default ${DEFAULT-VALUE}).")
  double warmupS;

  @Option(
      names = "--duration-s",
      defaultValue = "15",
      description = "Measurement window, seconds (default ${DEFAULT-VALUE}).")
  double durationS;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description =
          "Open loop: operations per second in total, sent at fixed intended times and timed from"
              + " them; 0 (default) means closed loop.")
  double rate;

  @Option(
      names = "--window",
      defaultValue = "1",
      description = "Closed loop: operations in flight per client (default ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--event-loops",
      defaultValue = "2",
      description = "Event loops of the load generator (default ${DEFAULT-VALUE}).")
  int eventLoops;

  void validate() {
    if (warmupS < 0 || durationS <= 0) {
      throw new IllegalArgumentException("--warmup-s must be >= 0 and --duration-s > 0");
    }
    if (rate < 0 || window < 1 || eventLoops < 1) {
      throw new IllegalArgumentException("--rate must be >= 0, --window and --event-loops >= 1");
    }
  }
}
