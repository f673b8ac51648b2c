package dev.outpost.bench.load;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes one invocation's results as JSON: the date, the machine, the command line, every run and
 * the workload's summary (for {@code chat}, the Outpost/baseline ratios).
 */
public final class ResultFile {

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /** The UTC time now as {@code yyyyMMdd-HHmmss}, for file names. */
  public static String stamp() {
    return STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
  }

  private ResultFile() {}

  /**
   * Writes {@code <dir>/<workload>-<UTC timestamp>.json}, creating {@code dir} if needed.
   *
   * @return the file written
   * @throws IOException if the directory or file cannot be written
   */
  public static Path write(
      Path dir, String workload, List<String> args, List<RunResult> runs, JsonObject summary)
      throws IOException {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    JsonArray results = new JsonArray();
    runs.forEach(r -> results.add(r.toJson()));
    JsonObject json =
        new JsonObject()
            .put("workload", workload)
            .put("date", now.toString())
            .put("command", new JsonArray(List.copyOf(args)))
            .put("machine", machine())
            .put("code", code())
            .put("results", results)
            .put("summary", summary);
    Files.createDirectories(dir);
    Path file = dir.resolve(workload + "-" + STAMP.format(now) + ".json");
    for (int i = 2; Files.exists(file); i++) {
      file = dir.resolve(workload + "-" + STAMP.format(now) + "-" + i + ".json");
    }
    Files.writeString(file, json.encodePrettily() + "\n");
    return file;
  }

  /**
   * The Outpost jars on the class path (which the server processes run too): name, modification
   * time and the start of their SHA-256, so that a result can be tied to the code it measured.
   */
  public static JsonArray code() {
    JsonArray jars = new JsonArray();
    String classPath = System.getProperty("java.class.path", "");
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      Path path = Path.of(entry);
      String name = path.getFileName() == null ? "" : path.getFileName().toString();
      if (name.matches("(durable-objects|runtime|router|samples|benchmarks)-.*\\.jar")) {
        try {
          byte[] digest =
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
          jars.add(
              new JsonObject()
                  .put("jar", name)
                  .put("modified", Files.getLastModifiedTime(path).toString())
                  .put("sha256", java.util.HexFormat.of().formatHex(digest).substring(0, 12)));
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
          jars.add(new JsonObject().put("jar", name).put("error", e.toString()));
        }
      }
    }
    return jars;
  }

  /** Processors, memory, kernel and JVM of this machine. */
  public static JsonObject machine() {
    return new JsonObject()
        .put("processors", Runtime.getRuntime().availableProcessors())
        .put("mem_total_kib", memTotalKib())
        .put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"))
        .put("arch", System.getProperty("os.arch"))
        .put(
            "java",
            System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
  }

  private static long memTotalKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
