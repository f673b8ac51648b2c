package dev.outpost.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost rollback --to URL}: returns the whole cluster to the previous code version. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = "Return every node to the previous code version.")
final class RollbackCommand implements Callable<Integer> {

  @Option(names = "--to", defaultValue = "http://127.0.0.1:8081", description = "Any router.")
  String to;

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    return DeployCommand.AdminCall.post(to, "/_outpost/admin/rollback", new byte[0], token);
  }
}
