package dev.outpost.cli;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code outpost rollback --router URL}: returns the whole cluster to the previous version. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = "Return every node to the previous code version.")
final class RollbackCommand implements Callable<Integer> {

  @Mixin RouterOption router;

  @Option(names = "--to", hidden = true, converter = RouterOption.RouterUrl.class)
  URI to; // the older name of --router

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    return new AdminClient(token)
        .post(
            router.or(Optional.ofNullable(to)),
            "/_outpost/admin/rollback",
            new byte[0],
            DeployCommand.TIMEOUT);
  }
}
