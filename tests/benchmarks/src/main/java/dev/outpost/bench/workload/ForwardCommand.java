package dev.outpost.bench.workload;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code forward}: the chat and counter loads through a non-owner router against the owner. This
 * JVM generator does not start clusters yet; the figures in docs/benchmarks.md come from {@code
 * tests/benchmarks/scripts/forward.mjs} run against two {@code outpost node} processes, and this
 * command says so.
 */
@Command(
    name = "forward",
    mixinStandardHelpOptions = true,
    description = "Load through a non-owner router against the owner (needs the cluster).")
public final class ForwardCommand implements Callable<Integer> {

  /** Exit status when a workload cannot run on this build. */
  public static final int NOT_AVAILABLE = 3;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println(
            "forward: this generator does not start a cluster yet. Start two nodes (outpost node"
                + " ... --join) and run: node tests/benchmarks/scripts/forward.mjs OWNER_URL"
                + " OTHER_URL [seconds] [callers] [chatClients] (see docs/benchmarks.md)");
    return NOT_AVAILABLE;
  }
}
