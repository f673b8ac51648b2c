package dev.outpost.bench;

import dev.outpost.bench.load.RunResult;
import dev.outpost.bench.workload.ActivateCommand;
import dev.outpost.bench.workload.ChatCommand;
import dev.outpost.bench.workload.CounterCommand;
import dev.outpost.bench.workload.FailoverCommand;
import dev.outpost.bench.workload.ForwardCommand;
import dev.outpost.bench.workload.IdleCommand;
import dev.outpost.bench.workload.RebuildCommand;
import dev.outpost.bench.workload.WorkloadCommand;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code outpost bench WORKLOAD [options]}: runs one workload of the load generator against server
 * processes it starts and stops itself, prints a line per run and writes a JSON file. {@code
 * --help} on a workload lists its options.
 */
@Command(
    name = "outpost bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks: a load generator against an Outpost node and the bare Vert.x baseline, each"
            + " in its own JVM on 127.0.0.1.",
    subcommands = {
      ChatCommand.class,
      CounterCommand.class,
      IdleCommand.class,
      ActivateCommand.class,
      ForwardCommand.class,
      FailoverCommand.class,
      RebuildCommand.class
    })
public final class BenchMain implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  /**
   * Runs a workload in this JVM and returns its results (tests and embedding).
   *
   * @throws IllegalStateException if the command line is wrong or the workload fails
   */
  public static List<RunResult> run(String... args) {
    CommandLine line = new CommandLine(new BenchMain());
    int status = line.execute(args);
    if (status != 0) {
      throw new IllegalStateException(
          "outpost bench " + String.join(" ", args) + " exited with " + status);
    }
    Object command = line.getParseResult().subcommand().commandSpec().userObject();
    return command instanceof WorkloadCommand workload ? workload.results() : List.of();
  }
}
