package dev.outpost.bench.load;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * CPU time of a process over a measurement window, as cores used (1.0 = one core busy all the
 * time). Reads the kernel's accounting ({@code /proc/PID/stat} through {@link ProcessHandle}), so
 * it sees every thread, JIT and GC included.
 */
public final class CpuMeter {

  private final long pid;
  private final long startCpuNanos;
  private final long startWallNanos;

  private CpuMeter(long pid) {
    this.pid = pid;
    this.startCpuNanos = cpuNanos(pid);
    this.startWallNanos = System.nanoTime();
  }

  /** Starts measuring the process {@code pid}. */
  public static CpuMeter start(long pid) {
    return new CpuMeter(pid);
  }

  /** Starts measuring this process. */
  public static CpuMeter startSelf() {
    return new CpuMeter(ProcessHandle.current().pid());
  }

  /** Cores used since the start, or -1 if the process is gone or its CPU time unknown. */
  public double cores() {
    long cpu = cpuNanos(pid);
    long wall = System.nanoTime() - startWallNanos;
    if (cpu < 0 || startCpuNanos < 0 || wall <= 0) {
      return -1;
    }
    return (double) (cpu - startCpuNanos) / wall;
  }

  private static long cpuNanos(long pid) {
    if (pid == ProcessHandle.current().pid()
        && ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return ProcessHandle.of(pid)
        .flatMap(p -> p.info().totalCpuDuration())
        .map(Duration::toNanos)
        .orElse(-1L);
  }
}
