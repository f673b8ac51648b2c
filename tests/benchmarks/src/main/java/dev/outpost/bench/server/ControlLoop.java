package dev.outpost.bench.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

/**
 * The child side of the control protocol every server process speaks on stdin/stdout. It is the
 * benchmark's admin channel: nothing of it is exposed over the network, and the router has no
 * benchmark endpoint.
 *
 * <pre>
 * child:  ready port=8123 pid=4711            once, when the server listens
 * parent: stats       child: stats objects=3 sockets=150 fds=212
 * parent: mem         child: mem heap_used=... heap_committed=... rss=... objects=... sockets=... fds=...
 *                     (after two System.gc() calls; sizes in bytes)
 * parent: quit        (or closes stdin) the child stops its server and exits
 * </pre>
 *
 * The parent also stops children by PID (SIGTERM); servers close themselves in a shutdown hook.
 */
public final class ControlLoop {

  /** First word of the line announcing the listening port. */
  public static final String READY = "ready";

  /** Asks for counters; answered by a line starting with the same word. */
  public static final String STATS = "stats";

  /** Asks for memory after GC; answered by a line starting with the same word. */
  public static final String MEM = "mem";

  /** Asks the child to stop. */
  public static final String QUIT = "quit";

  private ControlLoop() {}

  /** Starts a server; answers the port it listens on. */
  @FunctionalInterface
  public interface Starter {
    /** Starts listening; answers the port. */
    int start() throws Exception;
  }

  /**
   * A child server's whole life: a shutdown hook that closes it (SIGTERM), {@code start}, the ready
   * line, commands until {@code quit} or the end of stdin, then {@code server.close()}.
   *
   * @param objects live objects, for {@code stats}
   * @param sockets open WebSockets, for {@code stats}
   * @return 0, the process's exit status
   */
  public static int serve(
      AutoCloseable server, Starter start, LongSupplier objects, LongSupplier sockets)
      throws Exception {
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> closeQuietly(server)));
    try {
      announceReady(start.start());
      run(objects, sockets);
    } finally {
      server.close();
    }
    return 0;
  }

  private static void closeQuietly(AutoCloseable server) {
    try {
      server.close();
    } catch (Exception e) {
      System.err.println("closing on SIGTERM failed: " + e);
    }
  }

  /**
   * Closes {@code vertx}, waiting at most 10 s; a timeout is reported on stderr as {@code who:
   * Vert.x did not close ...}, not thrown (the process is ending anyway).
   */
  public static void closeVertx(io.vertx.core.Vertx vertx, String who) {
    try {
      vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println(who + ": Vert.x did not close within 10 s: " + e);
    }
  }

  /** Prints the ready line. */
  public static void announceReady(int port) {
    System.out.println(READY + " port=" + port + " pid=" + ProcessHandle.current().pid());
    System.out.flush();
  }

  /**
   * Answers commands until {@code quit} or the end of stdin.
   *
   * @param objects live objects (0 for the baseline)
   * @param sockets open WebSockets
   */
  public static void run(LongSupplier objects, LongSupplier sockets) throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case STATS -> reply(STATS + counters(objects, sockets));
        case MEM -> reply(MEM + memory() + counters(objects, sockets));
        case QUIT -> {
          return;
        }
        default -> reply("error unknown command '" + line.trim() + "'");
      }
    }
  }

  private static void reply(String line) {
    System.out.println(line);
    System.out.flush();
  }

  private static String counters(LongSupplier objects, LongSupplier sockets) {
    return " objects="
        + objects.getAsLong()
        + " sockets="
        + sockets.getAsLong()
        + " fds="
        + openFiles();
  }

  private static String memory() {
    System.gc();
    System.gc();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return String.format(
        Locale.ROOT,
        " heap_used=%d heap_committed=%d rss=%d",
        heap.getUsed(),
        heap.getCommitted(),
        residentBytes());
  }

  /** VmRSS from /proc/self/status, in bytes; -1 if unreadable (e.g. at the open-file limit). */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  private static long openFiles() {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
