package dev.outpost.bench.server;

import java.util.HashMap;
import java.util.Map;

/**
 * A server's answer to {@code mem} or {@code stats} (see {@link ControlLoop}); sizes in bytes, -1
 * where the answer had no such field.
 *
 * @param heapUsed heap in use right after two {@code System.gc()} calls
 * @param heapCommitted heap committed by the JVM
 * @param rss resident set size of the process
 * @param objects live objects (0 on the baseline)
 * @param sockets open WebSockets
 * @param fds open file descriptors
 */
public record MemoryReport(
    long heapUsed, long heapCommitted, long rss, long objects, long sockets, long fds) {

  /** Parses {@code word key=value key=value ...}. */
  public static MemoryReport parse(String line) {
    Map<String, Long> values = new HashMap<>();
    for (String token : line.trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq > 0) {
        try {
          values.put(token.substring(0, eq), Long.parseLong(token.substring(eq + 1)));
        } catch (NumberFormatException e) {
          // not a number: not one of ours
        }
      }
    }
    return new MemoryReport(
        values.getOrDefault("heap_used", -1L),
        values.getOrDefault("heap_committed", -1L),
        values.getOrDefault("rss", -1L),
        values.getOrDefault("objects", -1L),
        values.getOrDefault("sockets", -1L),
        values.getOrDefault("fds", -1L));
  }
}
