package dev.outpost.bench.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test running in its own JVM: an Outpost node or the bare baseline. Knows its port
 * and PID and asks it for memory and counters over the control protocol ({@link ControlLoop}).
 * {@link #close()} stops it by PID.
 */
public final class ServerProcess implements AutoCloseable {

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(120);

  private final String target;
  private final ChildJvm jvm;
  private final int port;

  private ServerProcess(String target, ChildJvm jvm, int port) {
    this.target = target;
    this.jvm = jvm;
    this.port = port;
  }

  /** Waits for the child's ready line; closes it if that does not come within 90 s. */
  static ServerProcess awaitReady(String target, ChildJvm jvm) throws InterruptedException {
    try {
      String ready = jvm.awaitLine(ControlLoop.READY, Duration.ofSeconds(90));
      int port = Integer.parseInt(ready.replaceAll(".*port=(\\d+).*", "$1"));
      return new ServerProcess(target, jvm, port);
    } catch (RuntimeException | InterruptedException e) {
      jvm.close();
      throw e;
    }
  }

  /** {@code outpost} or {@code baseline}. */
  public String target() {
    return target;
  }

  /** The port it listens on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its process id. */
  public long pid() {
    return jvm.pid();
  }

  /** Memory after two full GCs, plus counters; takes as long as the GCs. */
  public MemoryReport memory() throws InterruptedException {
    jvm.send(ControlLoop.MEM);
    return MemoryReport.parse(jvm.awaitLine(ControlLoop.MEM, REPLY_TIMEOUT));
  }

  /** Live objects, open sockets and open files (no GC; memory fields are -1). */
  public MemoryReport stats() throws InterruptedException {
    jvm.send(ControlLoop.STATS);
    return MemoryReport.parse(jvm.awaitLine(ControlLoop.STATS, REPLY_TIMEOUT));
  }

  /**
   * Starts a JFR recording ({@code settings=profile}) in the server with {@code jcmd}; blocks until
   * jcmd returns.
   */
  public void startRecording() throws IOException, InterruptedException {
    jcmd("JFR.start", "name=bench", "settings=profile");
  }

  /** Stops the recording and writes it to {@code file}; blocks until jcmd returns. */
  public void stopRecording(Path file) throws IOException, InterruptedException {
    jcmd("JFR.stop", "name=bench", "filename=" + file.toAbsolutePath());
  }

  /**
   * The server's live-object heap histogram ({@code jcmd GC.class_histogram}, which runs a full
   * GC): class name → {instances, bytes}.
   */
  public Map<String, long[]> classHistogram() throws IOException, InterruptedException {
    Map<String, long[]> classes = new HashMap<>();
    for (String line : jcmd("GC.class_histogram").lines().toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].endsWith(":")) {
        classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    return classes;
  }

  /** Writes the server's thread dump ({@code jcmd Thread.print}) to {@code file}, for diagnosis. */
  public void threadDump(Path file) throws IOException, InterruptedException {
    Files.writeString(file, jcmd("Thread.print"));
  }

  private String jcmd(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    line.add(Long.toString(pid()));
    line.addAll(List.of(command));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("jcmd " + String.join(" ", command) + " failed: " + output.trim());
    }
    return output;
  }

  /** The end of its log, for error messages. */
  public String logTail() {
    return jvm.logTail();
  }

  /** Stops it by PID. */
  @Override
  public void close() {
    jvm.close();
  }
}
