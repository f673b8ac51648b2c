package dev.outpost.bench.workload;

import dev.outpost.bench.load.Percentiles;
import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.objects.StoreObject;
import dev.outpost.bench.server.ChildProcesses;
import dev.outpost.runtime.internal.replication.GroupLayout;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rebuild}: how fast lost copies are rebuilt on another node. Four node processes replicate
 * with Raft (3 copies, so each node holds three groups' copies); {@code --objects} store objects
 * are filled with {@code --kib} KiB each; node r2 is killed with SIGKILL and its data directory
 * deleted. Once r2 has been gone for {@code --replace-after-ms}, each group that had a copy on it
 * builds one on another node (membership change; the new member gets a checkpoint and the log).
 * Measures the time from the kill until every such group has three members again, the part of it
 * after the replacement delay, and the bytes of the new copies.
 */
@Command(
    name = "rebuild",
    mixinStandardHelpOptions = true,
    description = "Copies rebuilt per second after a replicated node is lost for good.")
public final class RebuildCommand extends WorkloadCommand {

  private static final int NODES = 4;
  private static final int VICTIM = 1; // r2

  @Option(
      names = "--objects",
      defaultValue = "200",
      description = "Store objects to fill (default ${DEFAULT-VALUE}).")
  int objects;

  @Option(
      names = "--kib",
      defaultValue = "100",
      description = "KiB of data per object, in 1 KiB values (default ${DEFAULT-VALUE}).")
  int kib;

  @Option(
      names = "--replace-after-ms",
      defaultValue = "3000",
      description = "The nodes' --replace-lost-after-ms (default ${DEFAULT-VALUE}).")
  long replaceAfterMs;

  @Override
  protected String workload() {
    return "rebuild";
  }

  @Override
  protected void run(ChildProcesses children) throws Exception {
    if (objects < 1 || objects > 100_000 || kib < 1 || kib > 1024) {
      throw new IllegalArgumentException("--objects must be 1..100000 and --kib 1..1024");
    }
    awaitQuiet();
    try (ReplicatedRun.Cluster cluster = new ReplicatedRun.Cluster(children, common, NODES)) {
      cluster.extraArgs.addAll(
          List.of("--store-objects", "--replace-lost-after-ms", Long.toString(replaceAfterMs)));
      for (int i = 0; i < NODES; i++) {
        cluster.start(i);
      }
      String victim = "r" + (VICTIM + 1);
      for (GroupLayout.Group g : cluster.layout.groups()) {
        cluster.awaitPreferredLeader(g.name());
      }
      for (int i = 0; i < objects; i++) { // bounded: --objects requests
        String path =
            "/objects/"
                + StoreObject.NAMESPACE
                + "/rebuild-"
                + i
                + "/fill?keys="
                + kib
                + "&bytes=1024";
        ReplicatedRun.awaitStatus(cluster.http[i % NODES], path, 200);
      }
      List<String> affected =
          cluster.layout.groups().stream()
              .filter(g -> g.hasMember(victim))
              .map(GroupLayout.Group::name)
              .toList();
      int observer = cluster.other(VICTIM);
      long killed = System.nanoTime();
      cluster.kill9(VICTIM);
      deleteTree(cluster.dataDir(VICTIM));
      long deadline = killed + Duration.ofSeconds(120).toNanos();
      Map<String, List<String>> members = Map.of();
      while (System.nanoTime() < deadline) { // bounded: 120 s
        Map<String, List<String>> seen = members(cluster.http[observer]);
        members = seen;
        boolean done =
            affected.stream()
                .allMatch(
                    g ->
                        seen.getOrDefault(g, List.of()).size() == 3
                            && !seen.get(g).contains(victim));
        if (done) {
          break;
        }
        Thread.sleep(50);
      }
      long totalMs = (System.nanoTime() - killed) / 1_000_000;
      if (totalMs >= 120_000) {
        throw new IllegalStateException(
            "the lost copies were not rebuilt within 120 s: " + members);
      }
      long bytes = 0;
      for (String g : affected) {
        for (String node : members.get(g)) {
          if (!cluster.layout.group(g).orElseThrow().hasMember(node)) {
            int index = Integer.parseInt(node.substring(1)) - 1;
            bytes += size(cluster.dataDir(index).resolve("replication/groups/" + g + "/db"));
          }
        }
      }
      long rebuildMs = Math.max(1, totalMs - replaceAfterMs);
      System.out.printf(
          Locale.ROOT,
          "rebuild: %d copies (%.1f MB on disk) of %s rebuilt %d ms after the kill, %d ms after"
              + " the %d ms replacement delay: %.2f copies/s, %.1f MB/s%n",
          affected.size(),
          bytes / 1e6,
          affected,
          totalMs,
          rebuildMs,
          replaceAfterMs,
          affected.size() * 1000.0 / rebuildMs,
          bytes / 1e3 / rebuildMs);
      org.HdrHistogram.Histogram nanos = new org.HdrHistogram.Histogram(3);
      nanos.recordValue(rebuildMs * 1_000_000);
      report(
          new RunResult(
              "rebuild",
              "outpost x4 replicated",
              objects + " objects x " + kib + " KiB",
              rebuildMs / 1000.0,
              affected.size() * 1000.0 / rebuildMs,
              "copies/s",
              Percentiles.of(nanos),
              0,
              Map.of(
                  "copies", affected.size(),
                  "bytes", bytes,
                  "kill_to_rebuilt_ms", totalMs,
                  "replace_after_ms", replaceAfterMs,
                  "mb_per_s", bytes / 1e3 / rebuildMs)));
    }
  }

  private static Map<String, List<String>> members(int port) {
    try {
      JsonObject map = new JsonObject(ReplicatedRun.send(port, "/_outpost/cluster", "GET").body());
      Map<String, List<String>> result = new java.util.TreeMap<>();
      for (Object g : map.getJsonArray("replicaGroups")) {
        JsonObject json = (JsonObject) g;
        result.put(
            json.getString("name"),
            json.getJsonArray("members").stream().map(Object::toString).toList());
      }
      return result;
    } catch (Exception e) {
      return Map.of();
    }
  }

  private static long size(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              })
          .sum();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  protected JsonObject summarize(List<RunResult> runs, PrintWriter out) {
    if (runs.isEmpty()) {
      return new JsonObject();
    }
    RunResult r = runs.get(0);
    out.println(
        String.format(Locale.ROOT, "rebuild: %.2f copies/s (%s)", r.throughput(), r.extra()));
    return new JsonObject().put("copies_per_s", r.throughput());
  }
}
