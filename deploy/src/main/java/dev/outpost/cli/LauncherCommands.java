package dev.outpost.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * The commands the launcher script ({@code ./outpost}) runs itself, before any JVM of ours: {@code
 * build} and {@code test} call Maven, {@code bench} starts the benchmarks' own JVM. They are
 * declared here only so that {@code outpost --help} lists them and {@code outpost help COMMAND} (or
 * {@code COMMAND --help}, which the launcher passes on) describes them; run directly on the JVM
 * they say to use the launcher.
 */
final class LauncherCommands {
  private LauncherCommands() {}

  private abstract static class InLauncher implements Callable<Integer> {
    @Unmatched List<String> args = new ArrayList<>();

    abstract String name();

    @Override
    public Integer call() {
      throw new CliException(
          "runs in the launcher script, not on the JVM: use ./outpost " + name() + " instead");
    }
  }

  /** {@code outpost build}. */
  @Command(
      name = "build",
      mixinStandardHelpOptions = true,
      description = {
        "Build everything and install it in the local Maven repository.",
        "Runs mvn install -DskipTests: the CLI, the samples, the API"
            + " (dev.outpost:durable-objects, with its -sources and -javadoc jars) and the test kit"
            + " (dev.outpost:testkit, likewise) that projects made by 'outpost new' use.",
        "Other commands build by themselves when a source changed."
      })
  static final class Build extends InLauncher {
    @Override
    String name() {
      return "build";
    }
  }

  /** {@code outpost test}. */
  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Run the whole test suite (mvn -B verify).",
        "Unit, contract, integration, cluster and architecture tests. Further arguments go to"
            + " Maven, e.g. 'outpost test -pl runtime'."
      })
  static final class Test extends InLauncher {
    @Override
    String name() {
      return "test";
    }
  }

  /** {@code outpost bench}. */
  @Command(
      name = "bench",
      mixinStandardHelpOptions = true,
      description = {
        "Run a benchmark against a node in its own JVM on 127.0.0.1.",
        "'outpost bench --help' lists the workloads (chat, counter, idle, activate, ...) and"
            + " their options; see docs/benchmarks.md."
      })
  static final class Bench extends InLauncher {
    @Override
    String name() {
      return "bench";
    }
  }
}
