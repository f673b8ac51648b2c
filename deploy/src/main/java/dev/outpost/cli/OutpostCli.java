package dev.outpost.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code outpost} command: {@code node}, {@code demo}. {@code test} lives in the launcher. */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    version = "outpost 0.1.0",
    description = "Durable objects on the JVM: run a node, or a local demo.",
    subcommands = {
      NodeCommand.class,
      DemoCommand.class,
      DevCommand.class,
      DeployCommand.class,
      RollbackCommand.class,
      UndeployCommand.class,
      MoveCommand.class
    })
public final class OutpostCli implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    int status = new CommandLine(new OutpostCli()).execute(args);
    if (status != 0) {
      System.exit(status);
    }
  }
}
