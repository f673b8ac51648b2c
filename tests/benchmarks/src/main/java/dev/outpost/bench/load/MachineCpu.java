package dev.outpost.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Busy CPU of the whole machine over a measurement window, in cores, from the first line of {@code
 * /proc/stat}. Subtracting the server's and the generator's own CPU gives what other processes used
 * meanwhile: on a shared 2-core machine, a run with other work going on is not a clean figure, and
 * its result says so ({@code other_cpu}).
 */
public final class MachineCpu {

  /** USER_HZ: the unit of /proc/stat, 100 on Linux. */
  private static final double TICKS_PER_SECOND = 100;

  private final long[] start;
  private final long startWallNanos;

  private MachineCpu() {
    this.start = read();
    this.startWallNanos = System.nanoTime();
  }

  /** Starts measuring. */
  public static MachineCpu start() {
    return new MachineCpu();
  }

  /** Busy cores since the start, or -1 if /proc/stat is unreadable. */
  public double busyCores() {
    long[] now = read();
    long wall = System.nanoTime() - startWallNanos;
    if (now == null || start == null || wall <= 0) {
      return -1;
    }
    long busyTicks = now[0] - start[0];
    return busyTicks * (1e9 / TICKS_PER_SECOND) / wall;
  }

  /**
   * Waits until the machine's busy CPU over {@code window} is at most {@code maxCores}, or {@code
   * timeout} passed.
   *
   * @return the busy cores of the last window
   */
  public static double awaitQuiet(
      io.vertx.core.Vertx vertx, double maxCores, Duration window, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      MachineCpu cpu = start();
      EventLoops.pause(vertx, window.toNanos());
      double busy = cpu.busyCores();
      if (busy <= maxCores || System.nanoTime() >= deadline) {
        return busy;
      }
    }
  }

  /** {busy ticks, total ticks}, or null. */
  private static long[] read() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal guest guest_nice
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long total = 0;
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
