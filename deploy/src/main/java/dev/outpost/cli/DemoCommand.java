package dev.outpost.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost demo}: one node with the samples on 127.0.0.1:8080, and what to try. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Run a local node with the sample objects and print what to open.")
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--http-port", defaultValue = "8080", description = "Port for clients.")
  int httpPort;

  @Option(
      names = "--data-dir",
      defaultValue = ".outpost-data/demo",
      description = "Directory for the demo's data.")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    NodeSpec spec =
        new NodeSpec(
            "demo-1",
            "local",
            "127.0.0.1",
            httpPort,
            5701,
            dataDir,
            NodeSpec.samplesBundle(),
            false,
            1024 * 1024,
            Duration.ofSeconds(10),
            null,
            dev.outpost.runtime.RegionTopology.open(),
            false,
            NodeSpec.defaultAdminToken());
    try (RunningNode node = RunningNode.start(spec)) {
      String base = "http://127.0.0.1:" + node.port();
      System.out.println();
      System.out.println("Outpost demo: one node with the samples, data in " + dataDir);
      System.out.println();
      System.out.println("  open the chat page:   " + base + "/_outpost/demo/chat");
      System.out.println("  increment a counter:  curl -X POST " + base + "/objects/counter/demo");
      System.out.println("  read it:              curl " + base + "/objects/counter/demo");
      System.out.println(
          "  chat over WebSocket:  ws://127.0.0.1:" + node.port() + "/objects/chat/lobby");
      System.out.println("  health:               " + base + "/_outpost/health");
      System.out.println();
      System.out.println("Ctrl-C stops the node; the counter survives a restart.");
      node.awaitShutdownSignal();
    }
    return 0;
  }
}
