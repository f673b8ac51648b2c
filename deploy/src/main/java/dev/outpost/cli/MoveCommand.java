package dev.outpost.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

  @Option(
      names = "--via",
      defaultValue = "http://127.0.0.1:8081",
      description = "Any router of the cluster.")
  String via;

  @Option(
      names = "--token",
      description = "Admin token (default: $OUTPOST_ADMIN_TOKEN, or the development token).")
  String token;

  @Override
  public Integer call() throws Exception {
    String path =
        "/_outpost/admin/move?object="
            + java.net.URLEncoder.encode(object, java.nio.charset.StandardCharsets.UTF_8)
            + "&to-region="
            + java.net.URLEncoder.encode(region, java.nio.charset.StandardCharsets.UTF_8);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    URI target = URI.create(via.replaceAll("/+$", "") + path);
    for (int hop = 0; hop < 3; hop++) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(target)
                  .timeout(Duration.ofSeconds(60))
                  .header(
                      "Authorization",
                      "Bearer " + (token != null ? token : NodeSpec.defaultAdminToken()))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 307) {
        target = URI.create(response.headers().firstValue("Location").orElseThrow());
        continue;
      }
      System.out.println(response.body().strip());
      return response.statusCode() == 200 ? 0 : 1;
    }
    System.err.println("outpost move: too many redirects");
    return 1;
  }
}
