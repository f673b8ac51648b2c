package dev.outpost.cli;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code outpost move}: hands one object to another region (an explicit admin operation). */
@Command(
    name = "move",
    mixinStandardHelpOptions = true,
    description =
        "Move an object to another region with the hand-over (seal, drain, ship, reopen).")
final class MoveCommand implements Callable<Integer> {

  @Option(names = "--object", required = true, description = "NAMESPACE/NAME of the object.")
  String object;

  @Option(names = "--to-region", required = true, description = "The region to move it to.")
  String region;

  @Mixin RouterOption router;

  @Option(names = "--via", hidden = true, converter = RouterOption.RouterUrl.class)
  URI via; // the older name of --router

  @Option(
      names = "--token",
      description = "Admin token (default: $OUTPOST_ADMIN_TOKEN, or the development token).")
  String token;

  @Override
  public Integer call() throws Exception {
    String path =
        "/_outpost/admin/move?object="
            + URLEncoder.encode(object, StandardCharsets.UTF_8)
            + "&to-region="
            + URLEncoder.encode(region, StandardCharsets.UTF_8);
    return new AdminClient(token)
        .post(router.or(Optional.ofNullable(via)), path, new byte[0], Duration.ofSeconds(60));
  }
}
