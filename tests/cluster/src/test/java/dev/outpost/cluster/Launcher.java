package dev.outpost.cluster;

import dev.outpost.testkit.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code ./outpost ...} run as a user runs it, from the checkout, on what the build made ({@code
 * OUTPOST_NO_BUILD=1} unless a test asks otherwise). Ends only the processes it started, by their
 * handles.
 */
final class Launcher implements AutoCloseable {

  static final Path ROOT = Path.of(System.getProperty("outpost.root")).toAbsolutePath().normalize();

  /** A finished run: exit status, stdout, stderr. */
  record Result(int status, String out, String err) {}

  private final List<Process> started = new ArrayList<>();

  /** Runs {@code ./outpost args} to its end (at most {@code timeout}). */
  Result run(Duration timeout, boolean noBuild, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("outpost").toString()));
    command.addAll(List.of(args));
    return exec(new ProcessBuilder(command).directory(ROOT.toFile()), timeout, noBuild);
  }

  /** Runs {@code builder} to its end (at most {@code timeout}); stdout and stderr apart. */
  Result exec(ProcessBuilder builder, Duration timeout, boolean noBuild) throws Exception {
    if (noBuild) {
      builder.environment().put("OUTPOST_NO_BUILD", "1");
    }
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Path err = java.nio.file.Files.createTempFile("outpost-launcher", ".err");
    Process process = builder.redirectError(err.toFile()).start();
    started.add(process);
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError(builder.command() + " still running after " + timeout + ": " + out);
    }
    String errors = java.nio.file.Files.readString(err);
    java.nio.file.Files.delete(err);
    return new Result(process.exitValue(), out, errors);
  }

  /**
   * Starts {@code ./outpost args} with stdout and stderr going to {@code log}, and waits (at most
   * {@code timeout}) until a line of it matches {@code ready}; a process that exits first fails.
   */
  Process start(Duration timeout, Predicate<String> ready, Path log, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("outpost").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("OUTPOST_NO_BUILD", "1");
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = builder.start();
    started.add(process);
    String state =
        Eventually.waitUntil(
            timeout,
            Duration.ofMillis(100),
            () ->
                read(log).lines().anyMatch(ready)
                    ? "ready"
                    : process.isAlive() ? "starting" : "exited",
            seen -> !seen.equals("starting"),
            String.join(" ", args) + " to print its ready line in " + log);
    if (state.equals("exited")) {
      throw new AssertionError(
          command + " exited with " + process.waitFor() + " before it was ready:\n" + read(log));
    }
    return process;
  }

  /** The text of {@code file} so far. */
  static String read(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGTERM to every process this launcher started that still runs; SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    for (Process process : started) {
      List<ProcessHandle> children = process.descendants().toList();
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
      children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
  }
}
