package dev.outpost.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost deploy BUNDLE --router URL}: rolls a code bundle out to the whole cluster as a
 * version of its app ({@code bundle.name}), adding the app or replacing its version; other apps
 * keep serving.
 */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description =
        "Roll a code bundle (jar) out to every node as a version of its app (bundle.name): all"
            + " check it, then all switch at their objects' next turn boundary; sockets stay open"
            + " and the other apps keep serving.")
final class DeployCommand implements Callable<Integer> {

  /** How long a deploy may take: every node loads and checks the bundle first. */
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Parameters(index = "0", paramLabel = "BUNDLE", description = "The bundle jar.")
  Path bundle;

  @Mixin RouterOption router;

  @Option(names = "--to", hidden = true, converter = RouterOption.RouterUrl.class)
  URI to; // the older name of --router

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(bundle)) {
      throw new CliException(
          bundle + " is not a file; build your bundle first (mvn package makes target/NAME.jar)");
    }
    return new AdminClient(token)
        .post(
            router.or(Optional.ofNullable(to)),
            "/_outpost/admin/deploy",
            Files.readAllBytes(bundle),
            TIMEOUT);
  }
}
