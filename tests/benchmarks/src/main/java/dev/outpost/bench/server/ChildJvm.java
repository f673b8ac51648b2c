package dev.outpost.bench.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One child JVM of the benchmark: this JVM's {@code java} ({@code java.home}) with the JVM flags of
 * {@code ./outpost}, the benchmark's class path, a main class and its arguments. Its stdout is read
 * line by line on the given executor (the control protocol, see {@link ControlLoop}); its stderr
 * goes to a log file, whose tail is quoted when the child fails. {@link #startCommand} runs another
 * program the same way (workerd), with both its stdout and stderr in the log and no control
 * protocol.
 *
 * <p>{@link #close()} stops it by PID: SIGTERM, then SIGKILL if it has not exited after 15 s.
 */
public final class ChildJvm implements AutoCloseable {

  /**
   * The JVM flags of the {@code ./outpost} launcher (Hazelcast's and RocksDB's needs; on JDK 23+
   * also the one that keeps {@code sun.misc.Unsafe} warnings out of the log).
   */
  public static final List<String> OUTPOST_JVM_FLAGS = launcherFlags();

  private static List<String> launcherFlags() {
    List<String> flags =
        new java.util.ArrayList<>(
            List.of(
                "--add-modules",
                "java.se",
                "--add-exports",
                "java.base/jdk.internal.ref=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.lang=ALL-UNNAMED",
                "--add-opens",
                "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens",
                "java.management/sun.management=ALL-UNNAMED",
                "--add-opens",
                "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED",
                "-Dhazelcast.phone.home.enabled=false"));
    if (Runtime.version().feature() >= 23) { // the flag is unknown before JDK 23
      flags.add("--sun-misc-unsafe-memory-access=allow");
    }
    return List.copyOf(flags);
  }

  private static final String END = "\u0000end-of-stdout";
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);

  private final String name;
  private final Process process;
  private final Path log;
  private final PrintWriter stdin;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /**
   * Starts {@code mainClass} in a new JVM.
   *
   * @param jvmOptions options after the launcher's flags (heap size, for example)
   * @param log where the child's stderr goes
   * @param readers runs the task that reads the child's stdout
   */
  static ChildJvm start(
      String name,
      String mainClass,
      List<String> jvmOptions,
      List<String> args,
      String classPath,
      Path log,
      Executor readers)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(OUTPOST_JVM_FLAGS);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ChildJvm child = new ChildJvm(name, process, log);
    readers.execute(child::pumpStdout);
    return child;
  }

  /**
   * Starts a program that is not a benchmark JVM (workerd): {@code command} as given, its stdout
   * and stderr appended to {@code log}. It speaks no control protocol: {@link #awaitLine} and
   * {@link #send} have no use on it.
   */
  static ChildJvm startCommand(String name, List<String> command, Path log, Executor readers)
      throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ChildJvm child = new ChildJvm(name, process, log);
    readers.execute(child::pumpStdout);
    return child;
  }

  private void pumpStdout() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the child went away; END below tells the waiter
    } finally {
      lines.add(END);
    }
  }

  /**
   * Waits for the next stdout line whose first word is {@code word}; other lines are skipped.
   *
   * @throws IllegalStateException if the child exits or {@code timeout} passes first, quoting the
   *     end of its log
   */
  public String awaitLine(String word, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new IllegalStateException(
            name + ": no '" + word + "' line within " + timeout + "; " + logTail());
      }
      if (line.equals(END)) {
        lines.add(END);
        throw new IllegalStateException(
            name + ": exited while waiting for '" + word + "'; " + logTail());
      }
      if (line.equals(word) || line.startsWith(word + " ")) {
        return line;
      }
    }
  }

  /** Sends one line to the child's stdin. */
  public void send(String line) {
    stdin.println(line);
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  /** The child's resident set size from /proc, in bytes; -1 if unreadable. */
  public long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Whether the child is running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** The child's name, for messages. */
  public String name() {
    return name;
  }

  /** The last lines of the child's log, for error messages. */
  public String logTail() {
    try {
      List<String> all = Files.readAllLines(log);
      List<String> tail = all.subList(Math.max(0, all.size() - 25), all.size());
      return "end of its log " + log + ":\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "its log " + log + " is unreadable: " + e.getMessage();
    }
  }

  /** Stops the child by PID: SIGTERM, then SIGKILL after 15 s. Idempotent. */
  @Override
  public void close() {
    ProcessHandle.of(process.pid())
        .ifPresent(
            handle -> {
              handle.destroy();
              try {
                handle.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
              } catch (TimeoutException | ExecutionException e) {
                handle.destroyForcibly();
              } catch (InterruptedException e) {
                handle.destroyForcibly();
                Thread.currentThread().interrupt();
              }
            });
    stdin.close();
  }
}
