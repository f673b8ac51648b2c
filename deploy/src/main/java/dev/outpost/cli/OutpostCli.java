package dev.outpost.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The {@code outpost} command. {@code test}, {@code build} and {@code bench} run in the launcher
 * script ({@code ./outpost}); they are listed here so that {@code --help} and {@code outpost help
 * COMMAND} describe them.
 *
 * <p>Errors: every failure a user can cause prints one line to stderr, {@code outpost COMMAND: what
 * was wrong; what to do}, and exits with 2 (bad command line) or 1 (the command failed). The stack
 * trace is printed only with {@code --verbose}.
 */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    version = "outpost 0.1.0",
    description = "Durable objects on the JVM: run a node, a local demo, or a new project.",
    subcommands = {
      CommandLine.HelpCommand.class,
      NodeCommand.class,
      DemoCommand.class,
      DevCommand.class,
      NewCommand.class,
      DeployCommand.class,
      RollbackCommand.class,
      UndeployCommand.class,
      MoveCommand.class,
      LauncherCommands.Build.class,
      LauncherCommands.Test.class,
      LauncherCommands.Bench.class
    })
public final class OutpostCli implements Callable<Integer> {

  /** The option that asks for stack traces; accepted by every command. */
  static final String VERBOSE = "--verbose";

  @Option(
      names = VERBOSE,
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print the stack trace of an error, not only its one-line message.")
  boolean verbose;

  @picocli.CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** No command: the usage, as {@code outpost help} prints it. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Runs the command line and exits with its status (when it is not 0). */
  public static void main(String[] args) {
    int status =
        run(
            args,
            new PrintWriter(System.out, true, java.nio.charset.Charset.defaultCharset()),
            new PrintWriter(System.err, true, java.nio.charset.Charset.defaultCharset()));
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs {@code args} with usage and help going to {@code out}, errors to {@code err}; returns the
   * exit status: 0 done, 1 the command failed, 2 a bad command line.
   */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    return commandLine(out, err).execute(args);
  }

  /** The configured command line: defaults shown in every help, one-line errors. */
  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new OutpostCli());
    cli.setOut(out).setErr(err);
    showDefaults(cli);
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine command = e.getCommandLine();
          err.println(
              prefix(command)
                  + oneLine(e.getMessage())
                  + "; see '"
                  + command.getCommandSpec().qualifiedName()
                  + " --help'");
          if (verbose(cli.getParseResult(), args)) {
            e.printStackTrace(err);
          }
          err.flush();
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (e, command, parseResult) -> {
          if (e instanceof CliException cliError) {
            err.println(prefix(command) + oneLine(cliError.getMessage()));
          } else {
            err.println(
                prefix(command)
                    + oneLine(describe(e))
                    + " (run again with --verbose for the stack trace)");
          }
          if (verbose(parseResult, new String[0])) {
            e.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    return cli;
  }

  private static void showDefaults(CommandLine command) {
    command.getCommandSpec().usageMessage().showDefaultValues(true);
    command.getSubcommands().values().forEach(OutpostCli::showDefaults);
  }

  private static String prefix(CommandLine command) {
    return command.getCommandSpec().qualifiedName() + ": ";
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** The message of {@code e} and of its causes that add something. */
  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message == null || text.indexOf(message) >= 0) {
        continue;
      }
      if (!text.isEmpty()) {
        text.append(": ");
      }
      text.append(message);
    }
    return text.isEmpty() ? e.getClass().getName() : text.toString();
  }

  private static boolean verbose(ParseResult result, String[] args) {
    for (ParseResult r = result; r != null; r = r.subcommand()) {
      if (r.hasMatchedOption(VERBOSE)) {
        return true;
      }
    }
    return java.util.Arrays.asList(args).contains(VERBOSE);
  }
}
