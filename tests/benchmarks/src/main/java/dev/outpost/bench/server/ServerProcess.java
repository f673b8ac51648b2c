package dev.outpost.bench.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server under test running in its own process: an Outpost node or the bare baseline (JVMs that
 * answer memory and counters over the control protocol, {@link ControlLoop}), or workerd (no
 * control protocol, no JFR: profile it with {@code perf record -g -p PID}). Knows its port and PID.
 * {@link #close()} stops it by PID.
 */
public final class ServerProcess implements AutoCloseable {

  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(120);

  private final String target;
  private final ChildJvm jvm;
  private final int port;
  private final boolean controlled; // a benchmark JVM speaking ControlLoop; false for workerd

  private ServerProcess(String target, ChildJvm jvm, int port, boolean controlled) {
    this.target = target;
    this.jvm = jvm;
    this.port = port;
    this.controlled = controlled;
  }

  /** Waits for the child's ready line; closes it if that does not come within 90 s. */
  static ServerProcess awaitReady(String target, ChildJvm jvm) throws InterruptedException {
    try {
      String ready = jvm.awaitLine(ControlLoop.READY, Duration.ofSeconds(90));
      int port = Integer.parseInt(ready.replaceAll(".*port=(\\d+).*", "$1"));
      return new ServerProcess(target, jvm, port, true);
    } catch (RuntimeException | InterruptedException e) {
      jvm.close();
      throw e;
    }
  }

  /**
   * Waits until a server without the control protocol (workerd) answers any HTTP request on {@code
   * 127.0.0.1:port}; closes it and throws, quoting its log, if it exits or {@code timeout} passes
   * first.
   */
  static ServerProcess awaitAnswering(String target, ChildJvm child, int port, Duration timeout)
      throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(2))
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        if (!child.isAlive()) {
          throw new IllegalStateException(
              child.name() + ": exited before answering on port " + port + "; " + child.logTail());
        }
        try {
          http.send(probe, HttpResponse.BodyHandlers.discarding());
          return new ServerProcess(target, child, port, false);
        } catch (IOException notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                child.name()
                    + ": no answer on port "
                    + port
                    + " within "
                    + timeout
                    + "; "
                    + child.logTail());
          }
          Thread.sleep(50);
        }
      }
    } catch (RuntimeException | InterruptedException e) {
      child.close();
      throw e;
    } finally {
      http.close();
    }
  }

  /** {@code outpost}, {@code baseline}, {@code baseline-inline} or {@code workerd}. */
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

  /**
   * Memory after two full GCs, plus counters; takes as long as the GCs.
   *
   * @throws UnsupportedOperationException for workerd (no control protocol)
   */
  public MemoryReport memory() throws InterruptedException {
    requireControlled("memory figures");
    jvm.send(ControlLoop.MEM);
    return MemoryReport.parse(jvm.awaitLine(ControlLoop.MEM, REPLY_TIMEOUT));
  }

  /** Live objects, open sockets and open files (no GC; memory fields are -1). */
  public MemoryReport stats() throws InterruptedException {
    requireControlled("counters");
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

  private void requireControlled(String what) {
    if (!controlled) {
      throw new UnsupportedOperationException(
          target + " is not a benchmark JVM: it has no " + what + " to give");
    }
  }

  private String jcmd(String... command) throws IOException, InterruptedException {
    if (!controlled) {
      throw new UnsupportedOperationException(
          target
              + " is not a JVM: jcmd (JFR, heap histogram, thread dump) cannot reach it; profile it"
              + " with perf record -g -p "
              + pid());
    }
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
