package dev.outpost.bench.workload;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code forward}: the chat and counter loads through a non-owner router against the owner. It
 * needs a cluster of nodes (issue 3); the benchmarks start single nodes only, so it says so and
 * fails.
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
            "forward: not available: it needs the cluster issue (issue 3: many nodes, one owner"
                + " per key, every connection forwarded to it). This workload measures a non-owner"
                + " router forwarding to the owner; these benchmarks start single nodes only.");
    return NOT_AVAILABLE;
  }
}
