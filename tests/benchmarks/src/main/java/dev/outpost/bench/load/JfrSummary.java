package dev.outpost.bench.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording: samples per thread
 * group, the hottest top frames, and the hottest first Outpost frame of each stack (which part of
 * Outpost the time is spent under). JFR samples threads running Java code only: time in the kernel
 * (socket writes, scheduling) shows up with {@code perf}, not here.
 *
 * <p>{@code java -cp ... dev.outpost.bench.load.JfrSummary FILE.jfr [TOP]}
 */
public final class JfrSummary {

  private JfrSummary() {}

  /** Prints the summary of the recording named by {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE.jfr [TOP]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    List<RecordedEvent> samples =
        RecordingFile.readAllEvents(Path.of(args[0])).stream()
            .filter(e -> e.getEventType().getName().equals("jdk.ExecutionSample"))
            .toList();
    System.out.println(samples.size() + " CPU samples in " + args[0]);
    print("by thread", samples, JfrSummary::threadGroup, top);
    print("top frame", samples, e -> frame(e, 0), top);
    print("first Outpost frame (dev.outpost.*)", samples, JfrSummary::firstOutpostFrame, top);
  }

  private static void print(
      String title, List<RecordedEvent> samples, Function<RecordedEvent, String> key, int top) {
    Map<String, Integer> counts = new HashMap<>();
    samples.forEach(e -> counts.merge(key.apply(e), 1, Integer::sum));
    System.out.println();
    System.out.println("== " + title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .forEach(
            entry ->
                System.out.printf(
                    "%6.1f%%  %s%n", 100.0 * entry.getValue() / samples.size(), entry.getKey()));
  }

  private static String threadGroup(RecordedEvent e) {
    var thread = e.getThread("sampledThread");
    String name = thread == null ? "?" : thread.getJavaName();
    if (name == null || name.isEmpty()) {
      return thread != null && thread.isVirtual() ? "(virtual)" : "?";
    }
    return name.replaceAll("[-#]?\\d+$", "");
  }

  private static String frame(RecordedEvent e, int index) {
    RecordedStackTrace stack = e.getStackTrace();
    if (stack == null || stack.getFrames().size() <= index) {
      return "(no stack)";
    }
    return describe(stack.getFrames().get(index));
  }

  private static String firstOutpostFrame(RecordedEvent e) {
    RecordedStackTrace stack = e.getStackTrace();
    if (stack == null) {
      return "(no stack)";
    }
    for (RecordedFrame f : stack.getFrames()) {
      if (f.getMethod().getType().getName().startsWith("dev.outpost.")) {
        return describe(f);
      }
    }
    return "(none: Vert.x/Netty/JDK only)";
  }

  private static String describe(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }
}
