package dev.outpost.cli;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code outpost rollback [--app APP] --router URL}: returns one app, on the whole cluster, to its
 * previous version (the version the cluster booted with counts).
 */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description =
        "Return every node to the previous version of an app (the boot version counts); the other"
            + " apps are untouched.")
final class RollbackCommand implements Callable<Integer> {

  @Mixin RouterOption router;

  @Option(names = "--to", hidden = true, converter = RouterOption.RouterUrl.class)
  URI to; // the older name of --router

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Option(
      names = "--app",
      description = "The app (bundle.name) to roll back; default: the app deployed last.")
  String app;

  @Override
  public Integer call() throws Exception {
    String path =
        app == null
            ? "/_outpost/admin/rollback"
            : "/_outpost/admin/rollback?app="
                + java.net.URLEncoder.encode(app, java.nio.charset.StandardCharsets.UTF_8);
    return new AdminClient(token)
        .post(router.or(Optional.ofNullable(to)), path, new byte[0], DeployCommand.TIMEOUT);
  }
}
