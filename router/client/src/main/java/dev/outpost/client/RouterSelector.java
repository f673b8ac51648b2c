package dev.outpost.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the nearest routers: asks any seed router for the cluster's routers ({@code GET
 * /_outpost/routers}), measures the round trip to each ({@code GET /_outpost/health}, the median of
 * a few probes; a client that declares its region gets the emulated latency), and ranks them,
 * nearest first. Routers that do not answer go last. Give the ranked URLs to {@link OutpostClient}
 * so that it connects through the nearest and moves to the next nearest when one fails.
 */
public final class RouterSelector {

  /** One router and its measured round trip. */
  public record Ranked(String url, String region, String node, Duration roundTrip) {}

  private static final Duration UNREACHABLE = Duration.ofDays(1);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private RouterSelector() {}

  /**
   * Ranks the cluster's routers by round trip from here.
   *
   * @param seeds router URLs to ask for the list; the first that answers is used
   * @param clientRegion the region this client is in, for emulated latency; empty if unknown
   * @param probes round trips measured per router (the median counts)
   */
  public static CompletableFuture<List<Ranked>> rank(
      Vertx vertx, List<String> seeds, Optional<String> clientRegion, int probes) {
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) PROBE_TIMEOUT.toMillis()));
    CompletableFuture<List<Ranked>> result = new CompletableFuture<>();
    // Start on an event loop, so each continuation is registered before its step can complete
    // (a response body asked for late never arrives: eclipse-vertx/vert.x#4705).
    vertx.getOrCreateContext().runOnContext(v -> start(http, seeds, clientRegion, probes, result));
    return result;
  }

  private static void start(
      HttpClient http,
      List<String> seeds,
      Optional<String> clientRegion,
      int probes,
      CompletableFuture<List<Ranked>> result) {
    routers(http, seeds, 0)
        .compose(
            list -> {
              List<Future<Ranked>> measured = new ArrayList<>();
              for (JsonObject router : list) {
                measured.add(measure(http, router, clientRegion, probes));
              }
              return Future.join(measured)
                  .transform(
                      done -> {
                        List<Ranked> ranked = new ArrayList<>();
                        for (Future<Ranked> f : measured) {
                          ranked.add(f.result());
                        }
                        ranked.sort(Comparator.comparing(Ranked::roundTrip));
                        return Future.succeededFuture(ranked);
                      });
            })
        .onComplete(
            ranked -> {
              http.close();
              result.complete(ranked);
            },
            error -> {
              http.close();
              result.completeExceptionally(error);
            });
  }

  private static Future<List<JsonObject>> routers(HttpClient http, List<String> seeds, int index) {
    if (index >= seeds.size()) {
      return Future.failedFuture(new IllegalStateException("no seed router answered: " + seeds));
    }
    return get(http, seeds.get(index) + "/_outpost/routers")
        .map(
            body -> {
              List<JsonObject> list = new ArrayList<>();
              new JsonObject(body).getJsonArray("routers").forEach(r -> list.add((JsonObject) r));
              return list;
            })
        .recover(e -> routers(http, seeds, index + 1));
  }

  private static Future<Ranked> measure(
      HttpClient http, JsonObject router, Optional<String> clientRegion, int probes) {
    String url = router.getString("url");
    String probe =
        url + "/_outpost/health" + clientRegion.map(r -> "?clientRegion=" + r).orElse("");
    List<Long> times = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < probes; i++) {
      chain =
          chain.compose(
              v -> {
                long start = System.nanoTime();
                return get(http, probe)
                    .map(
                        body -> {
                          times.add(System.nanoTime() - start);
                          return (Void) null;
                        });
              });
    }
    return chain
        .map(
            v -> {
              times.sort(null);
              return Duration.ofNanos(times.get(times.size() / 2));
            })
        .otherwise(UNREACHABLE)
        .map(rtt -> new Ranked(url, router.getString("region"), router.getString("node"), rtt));
  }

  private static Future<String> get(HttpClient http, String url) {
    URI uri = URI.create(url);
    return http.request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(uri.getHost())
                .setPort(uri.getPort())
                .setURI(
                    uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()))
                .setTimeout(PROBE_TIMEOUT.toMillis()))
        .compose(req -> req.send().compose(res -> res.body().map(b -> b.toString())));
  }
}
