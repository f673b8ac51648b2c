package dev.outpost.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost undeploy APP --router URL}: stops serving one app on the whole cluster. */
@Command(
    name = "undeploy",
    mixinStandardHelpOptions = true,
    description =
        "Stop serving an app (its bundle.name) on every node; the other apps keep serving and its"
            + " objects' stored data stays (deploy it again to serve it again).")
final class UndeployCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "APP", description = "The app (bundle.name) to remove.")
  String app;

  @Mixin RouterOption router;

  @Option(names = "--to", hidden = true, converter = RouterOption.RouterUrl.class)
  URI to; // the name deploy and rollback used before --router

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    return new AdminClient(token)
        .post(
            router.or(Optional.ofNullable(to)),
            "/_outpost/admin/undeploy?app=" + URLEncoder.encode(app, StandardCharsets.UTF_8),
            new byte[0],
            DeployCommand.TIMEOUT);
  }
}
