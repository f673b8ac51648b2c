package dev.outpost.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost deploy BUNDLE --to URL}: rolls a code bundle out to the whole cluster as a version
 * of its app ({@code bundle.name}), adding the app or replacing its version; other apps keep
 * serving.
 */
@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description =
        "Roll a code bundle (jar) out to every node as a version of its app (bundle.name): all"
            + " check it, then all switch at their objects' next turn boundary; sockets stay open"
            + " and the other apps keep serving.")
final class DeployCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "The bundle jar.")
  Path bundle;

  @Option(names = "--to", defaultValue = "http://127.0.0.1:8081", description = "Any router.")
  String to;

  @Option(names = "--token", description = "Admin token (default: $OUTPOST_ADMIN_TOKEN).")
  String token;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(bundle)) {
      System.err.println("outpost deploy: " + bundle + " is not a file");
      return 2;
    }
    return AdminCall.post(to, "/_outpost/admin/deploy", Files.readAllBytes(bundle), token);
  }

  /** The admin calls shared by deploy and rollback. */
  static final class AdminCall {
    private AdminCall() {}

    static int post(String router, String path, byte[] body, String token) throws Exception {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(router.replaceAll("/+$", "") + path))
                  .timeout(Duration.ofMinutes(3))
                  .header(
                      "Authorization",
                      "Bearer " + (token != null ? token : NodeSpec.defaultAdminToken()))
                  .header("Content-Type", "application/java-archive")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      System.out.println(response.body().strip());
      return response.statusCode() == 200 ? 0 : 1;
    }
  }
}
