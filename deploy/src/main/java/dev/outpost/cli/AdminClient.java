package dev.outpost.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The admin calls of {@code deploy}, {@code rollback} and {@code move}: one POST to a router with
 * the admin token, following the router's redirects to the node that must act (at most 3 hops).
 * Prints the answer's body; a router that cannot be reached or does not answer is a {@link
 * CliException} naming the router and what to do.
 */
final class AdminClient {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_REDIRECTS = 3;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  private final String token;

  /** {@code token} null: {@code $OUTPOST_ADMIN_TOKEN}, or the development token. */
  AdminClient(String token) {
    this.token = token != null ? token : NodeSpec.defaultAdminToken();
  }

  /**
   * POSTs {@code body} to {@code router} + {@code pathAndQuery}, waiting at most {@code timeout}
   * for the answer; prints its body and returns 0 for a 200, else 1.
   */
  int post(URI router, String pathAndQuery, byte[] body, Duration timeout)
      throws InterruptedException {
    URI target = URI.create(router.toString().replaceAll("/+$", "") + pathAndQuery);
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<String> response = send(router, target, body, timeout);
      if (response.statusCode() == 307 || response.statusCode() == 308) {
        target = URI.create(response.headers().firstValue("Location").orElseThrow());
        continue;
      }
      System.out.println(response.body().strip());
      return response.statusCode() == 200 ? 0 : 1;
    }
    throw new CliException(
        "the router at " + router + " redirected more than " + MAX_REDIRECTS + " times; retry");
  }

  private HttpResponse<String> send(URI router, URI target, byte[] body, Duration timeout)
      throws InterruptedException {
    try {
      return http.send(
          HttpRequest.newBuilder(target)
              .timeout(timeout)
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/octet-stream")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      throw new CliException(
          "cannot reach the router at "
              + target.getScheme()
              + "://"
              + target.getAuthority()
              + " (no answer within "
              + CONNECT_TIMEOUT.toSeconds()
              + " s); check the address or pass --router URL",
          e);
    } catch (HttpTimeoutException e) {
      throw new CliException(
          "the router at "
              + router
              + " did not answer within "
              + timeout.toSeconds()
              + " s; look at its log, then retry",
          e);
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the router at "
              + target.getScheme()
              + "://"
              + target.getAuthority()
              + " (connection refused); start a node there or pass --router URL",
          e);
    } catch (IOException e) {
      throw new CliException(
          "talking to the router at "
              + target.getScheme()
              + "://"
              + target.getAuthority()
              + " failed ("
              + e
              + "); check that it is an Outpost router, or pass --router URL",
          e);
    }
  }
}
