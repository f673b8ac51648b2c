package dev.outpost.bench.workload;

import dev.outpost.bench.load.ResultFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every workload takes: where results go and how the server JVMs are started. */
public final class CommonOptions {

  /** System property giving the default results directory (the tests point it into target/). */
  public static final String RESULTS_DIR_PROPERTY = "outpost.bench.results-dir";

  @Option(
      names = "--results-dir",
      description = "Directory for the JSON result file (default: bench-results).")
  Path resultsDir;

  @Option(
      names = "--server-jvm-opts",
      description =
          "JVM options of each server process, after the ./outpost flags"
              + " (default per workload: -Xms1g -Xmx1g; idle: -Xms256m -Xmx1g).")
  String serverJvmOpts;

  @Option(
      names = "--server-event-loops",
      defaultValue = "2",
      description = "Event loops of each server (default ${DEFAULT-VALUE}).")
  int serverEventLoops;

  @Option(
      names = "--quiet-wait-s",
      defaultValue = "0",
      description =
          "Before each run, wait up to this long for the machine to be idle (other processes"
              + " below 0.15 cores), since server and generator share the cores (default: no wait).")
  double quietWaitS;

  @Option(
      names = "--jfr-dir",
      description =
          "Record a JFR CPU profile of each server over the measurement window into this"
              + " directory (summarise it with dev.outpost.bench.load.JfrSummary).")
  Path jfrDir;

  /** The results directory: the option, else the system property, else {@code bench-results}. */
  Path resultsDir() {
    if (resultsDir != null) {
      return resultsDir;
    }
    return Path.of(System.getProperty(RESULTS_DIR_PROPERTY, "bench-results"));
  }

  /** A recording into {@code --jfr-dir}, named after the run, or {@link WindowRecording#NONE}. */
  WindowRecording recording(String name) {
    if (jfrDir == null) {
      return WindowRecording.NONE;
    }
    try {
      Files.createDirectories(jfrDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + jfrDir, e);
    }
    return new WindowRecording(jfrDir.resolve(name + "-" + ResultFile.stamp() + ".jfr"));
  }

  /** The server JVM options, or {@code fallback} if none were given. */
  List<String> serverJvmOptions(String fallback) {
    String value = serverJvmOpts == null ? fallback : serverJvmOpts;
    return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }
}
