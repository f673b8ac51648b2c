package dev.outpost.cli;

import dev.outpost.router.DemoPages;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outpost demo}: a local world on one machine. Starts {@code regions × nodes-per-region}
 * nodes as separate processes on 127.0.0.1 with the samples and the topology's latencies, prints
 * every router and a page to open, and stops every process it started (by its handle) on Ctrl-C.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run a local multi-region cluster with the sample objects.")
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--regions",
      defaultValue = "3",
      description = "How many regions (of the topology).")
  int regions;

  @Option(names = "--nodes-per-region", defaultValue = "2", description = "Nodes in each region.")
  int nodesPerRegion;

  @Option(
      names = "--base-port",
      defaultValue = "8080",
      description = "Routers listen on base+1, base+2, ...; cluster ports start at base-2280+1.")
  int basePort;

  @Option(
      names = "--data-dir",
      defaultValue = ".outpost-data/demo",
      description = "Directory for the nodes' data (one subdirectory per node).")
  Path dataDir;

  @Option(
      names = "--emulate-latency",
      defaultValue = "true",
      negatable = true,
      description = "Add the topology's latencies (on by default; --no-emulate-latency).")
  boolean emulateLatency;

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  @Option(
      names = "--replication",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Replicate every object's data on 3 nodes with Raft (default), so killing a node loses"
              + " nothing; --no-replication keeps each object's data on its owner only.")
  boolean replication;

  @Override
  public Integer call() throws Exception {
    List<String> allRegions = new ArrayList<>(NodeSpec.defaultTopology().regions());
    allRegions.sort(null);
    if (allRegions.isEmpty()) {
      allRegions = List.of("local");
    }
    if (regions < 1 || regions > allRegions.size() || nodesPerRegion < 1) {
      System.err.printf(
          "outpost demo: --regions must be 1..%d (the topology has %s), --nodes-per-region >= 1%n",
          allRegions.size(), allRegions);
      return 2;
    }
    List<DemoNode> nodes = new ArrayList<>();
    int clusterBase = basePort - 2280;
    for (int r = 0; r < regions; r++) {
      for (int i = 1; i <= nodesPerRegion; i++) {
        int n = nodes.size() + 1;
        String region = allRegions.get(r);
        nodes.add(new DemoNode(region + "-" + i, region, basePort + n, clusterBase + n, dataDir));
      }
    }
    Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> stopAll(nodes)));
    Files.createDirectories(dataDir);
    String seed = "127.0.0.1:" + nodes.get(0).clusterPort;
    if (replication) {
      String peers =
          String.join(
              ",",
              nodes.stream()
                  .map(n -> n.nodeId + "@" + n.region + "=127.0.0.1:" + (n.clusterPort + 1000))
                  .toList());
      nodes.forEach(n -> n.extraArgs.addAll(List.of("--replica-peers", peers)));
    }
    // Every demo router's pages may call every other router (connectNearest, SSE, long polling).
    String origins =
        String.join(
            ",",
            nodes.stream()
                .flatMap(
                    n ->
                        java.util.stream.Stream.of(
                            "http://127.0.0.1:" + n.httpPort, "http://localhost:" + n.httpPort))
                .toList());
    nodes.forEach(n -> n.extraArgs.addAll(List.of("--allow-origin", origins)));
    nodes.get(0).start(List.of(), emulateLatency);
    nodes.get(0).awaitHealthy();
    for (DemoNode node : nodes.subList(1, nodes.size())) {
      node.start(List.of(seed), emulateLatency);
    }
    for (DemoNode node : nodes) {
      node.awaitHealthy();
    }
    if (replication) {
      awaitReplicaGroups(nodes.get(0));
    }
    printWelcome(nodes);
    for (DemoNode node : nodes) {
      node.process.waitFor();
    }
    return 0;
  }

  /**
   * Waits (at most 60 s) until every replica group has a leader that listed its objects (before
   * that, new objects are refused with 503) and is its preferred node (so that leadership does not
   * move, with its objects, while the first visitors connect).
   */
  private static void awaitReplicaGroups(DemoNode first) throws InterruptedException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) { // bounded: 60 s
      try {
        String body =
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(
                                "http://127.0.0.1:" + first.httpPort + "/_outpost/cluster"))
                        .timeout(java.time.Duration.ofSeconds(5))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        var groups =
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("replicaGroups");
        boolean ready = groups.size() > 0;
        for (var group : groups) {
          // Listed, and led by its preferred node: leaders are handed back to their preferred
          // nodes a few seconds after start, which closes the moved objects' sockets with 1012.
          ready &=
              group.path("listed").asBoolean(false)
                  && group.path("name").asText().equals("g-" + group.path("leader").asText());
        }
        if (ready) {
          return;
        }
      } catch (java.io.IOException e) {
        // not yet
      }
      Thread.sleep(250);
    }
    System.err.println("outpost demo: replica groups still electing leaders after 60 s; see logs");
  }

  private void printWelcome(List<DemoNode> nodes) {
    String first = "http://127.0.0.1:" + nodes.get(0).httpPort;
    System.out.println();
    System.out.printf(
        "Outpost demo: %d regions x %d nodes, latency emulation %s, data in %s%n%n",
        regions, nodesPerRegion, emulateLatency ? "on" : "off", dataDir);
    for (DemoNode node : nodes) {
      System.out.printf(
          "  router %-12s region %-10s http://127.0.0.1:%d%n",
          node.nodeId, node.region, node.httpPort);
    }
    System.out.println();
    System.out.println("  cluster map:          " + first + "/_outpost/cluster.html");
    for (var page : DemoPages.all().entrySet()) {
      System.out.printf(
          "  %-21s %s%s%s  (%s)%n",
          page.getKey() + " page:", first, DemoPages.PREFIX, page.getKey(), page.getValue());
    }
    System.out.println("  routers (JSON):       " + first + "/_outpost/routers");
    System.out.println("  increment a counter:  curl -X POST " + first + "/objects/counter/demo");
    System.out.println(
        "  from another region:  curl -X POST 'http://127.0.0.1:"
            + nodes.get(nodes.size() - 1).httpPort
            + "/objects/counter/demo?clientRegion="
            + nodes.get(nodes.size() - 1).region
            + "'");
    System.out.println();
    System.out.println("Node logs are in " + dataDir + "/<node>.log. Ctrl-C stops every node.");
    System.out.flush();
  }

  private static void stopAll(List<DemoNode> nodes) {
    for (DemoNode node : nodes) {
      if (node.process != null && node.process.isAlive()) {
        node.process.destroy();
      }
    }
    for (DemoNode node : nodes) {
      try {
        if (node.process != null && !node.process.waitFor(20, TimeUnit.SECONDS)) {
          node.process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One node process of the demo. */
  private static final class DemoNode {
    final String nodeId;
    final String region;
    final int httpPort;
    final int clusterPort;
    final Path dataDir;
    final List<String> extraArgs = new ArrayList<>();
    Process process;

    DemoNode(String nodeId, String region, int httpPort, int clusterPort, Path base) {
      this.nodeId = nodeId;
      this.region = region;
      this.httpPort = httpPort;
      this.clusterPort = clusterPort;
      this.dataDir = base.resolve(nodeId);
    }

    void start(List<String> join, boolean latency) throws IOException {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx384m");
      for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!arg.startsWith("-Xmx") && !arg.startsWith("-agentlib")) {
          command.add(arg);
        }
      }
      command.addAll(
          List.of(
              "-cp",
              System.getProperty("java.class.path"),
              OutpostCli.class.getName(),
              "node",
              "--node-id",
              nodeId,
              "--region",
              region,
              "--http-port",
              Integer.toString(httpPort),
              "--cluster-port",
              Integer.toString(clusterPort),
              "--data-dir",
              dataDir.toString(),
              "--no-handover-on-exit"));
      if (latency) {
        command.add("--emulate-latency");
      }
      if (!join.isEmpty()) {
        command.add("--join");
        command.add(String.join(",", join));
      }
      command.addAll(extraArgs);
      Path log = dataDir.resolveSibling(nodeId + ".log");
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
              .start();
    }

    void awaitHealthy() throws InterruptedException {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      long attempts = START_TIMEOUT.toMillis() / 200;
      for (long i = 0; i < attempts; i++) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "node " + nodeId + " exited with " + process.exitValue() + "; see its log");
        }
        try {
          HttpResponse<Void> r =
              http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + httpPort + "/_outpost/health"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      throw new IllegalStateException("node " + nodeId + " not healthy within " + START_TIMEOUT);
    }
  }
}
