package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.testkit.ClusterTestNode;
import dev.outpost.testkit.Eventually;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's metrics on three real nodes in the test's JVM (Hazelcast members, Ratis servers,
 * three copies): requests sent through one router are counted as forwarded when their object runs
 * elsewhere, each with a node link round trip; every replica group's leader reports its followers'
 * lag; and every metric name the Grafana dashboard ({@code deploy/grafana/outpost-dashboard.json})
 * queries exists in these nodes' scrapes. Scrapes are parsed by the Prometheus client's parser
 * ({@code tests/realtime/src/test/python/scrape_metrics.py}, Debian's {@code
 * python3-prometheus-client}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterMetricsIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path PYTHON =
      Path.of(System.getProperty("outpost.python", "/usr/bin/python3"));
  private static final Path SCRAPER =
      Path.of("../realtime/src/test/python/scrape_metrics.py").toAbsolutePath();
  private static final Path DASHBOARD =
      Path.of("../../deploy/grafana/outpost-dashboard.json").toAbsolutePath();
  private static final int REQUESTS = 12;

  @TempDir Path dir;
  private final List<ClusterTestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.reversed().forEach(ClusterTestNode::close);
  }

  @Test
  void forwardedRequestsLinkRoundTripsAndReplicationLagAreCounted() throws Exception {
    String clusterName = "metrics-" + UUID.randomUUID();
    List<ReplicaPeer> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(new ReplicaPeer("node-" + i, "local", "127.0.0.1", ClusterTestNode.freePort()));
    }
    List<String> join = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      nodes.add(
          ClusterTestNode.builder("node-" + i, dir.resolve("node-" + i))
              .clusterName(clusterName)
              .join(join)
              .replication(ReplicationOptions.of(peers))
              .start());
      join = List.of(nodes.get(0).clusterAddress());
    }
    ClusterTestNode router = nodes.get(0);
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () -> post(router, "/objects/counter/warm-up").statusCode() == 200,
        "every replica group to elect a leader");
    // Leaders go back to their preferred nodes every 5 s; until then node-1 may lead them all.
    Eventually.waitUntil(
        Duration.ofSeconds(30),
        () ->
            router.cluster().replicaGroups().size() == 3
                && router.cluster().replicaGroups().stream()
                    .allMatch(g -> g.leader().orElse("").equals(g.name().substring(2))),
        "every replica group to be led by its preferred node (g-<node>)");

    Scrape before = scrape(router);
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> r = post(router, "/objects/counter/m" + i);
      assertThat(r.statusCode()).as("increment m%d: %s", i, r.body()).isEqualTo(200);
    }
    Scrape after = scrape(router);

    Map<String, String> okRequests = Map.of("kind", "request", "outcome", "ok");
    double forwarded =
        after.sum("outpost_forwarded_requests_total", okRequests)
            - before.sum("outpost_forwarded_requests_total", okRequests);
    double local =
        after.sum("outpost_turns_total", Map.of("namespace", "counter", "outcome", "ok"))
            - before.sum("outpost_turns_total", Map.of("namespace", "counter", "outcome", "ok"));
    // Objects run on their group's leader: one group in three is led by the router's node.
    assertThat(forwarded).as("requests forwarded by node-1's router").isPositive();
    assertThat(forwarded + local)
        .as("every request ran once: on node-1 (a turn there) or forwarded to its owner")
        .isEqualTo(REQUESTS);
    double roundTrips =
        after.sum("outpost_link_round_trip_seconds_count", Map.of())
            - before.sum("outpost_link_round_trip_seconds_count", Map.of());
    assertThat(roundTrips).as("one link round trip per forwarded request").isEqualTo(forwarded);
    assertThat(after.sum("outpost_link_round_trip_seconds_sum", Map.of())).isPositive();
    Set<String> peersTimed = after.labelValues("outpost_link_round_trip_seconds_count", "peer");
    assertThat(peersTimed).isNotEmpty().isSubsetOf(Set.of("node-2", "node-3"));

    // Replication: each of the three groups' leaders reports its two followers' lag.
    List<Scrape> all =
        Eventually.waitUntil(
            Duration.ofSeconds(30),
            Duration.ofMillis(500),
            () -> nodes.stream().map(ClusterMetricsIT::scrape).toList(),
            scrapes -> lagRows(scrapes) == 6,
            "every group's leader to report 2 followers' lag (3 groups x 2)");
    for (Scrape s : all) {
      assertThat(s.type("outpost_replication_follower_lag_entries")).isIn("gauge", "(absent)");
    }

    assertDashboardQueriesExist(all);
  }

  private static int lagRows(List<Scrape> scrapes) {
    return scrapes.stream()
        .mapToInt(s -> s.samples("outpost_replication_follower_lag_entries").size())
        .sum();
  }

  /** Every metric name in the dashboard's queries is a series some node exposes. */
  private static void assertDashboardQueriesExist(List<Scrape> scrapes) throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<String> queries = new ArrayList<>();
    collectQueries(dashboard, queries);
    assertThat(queries).as("queries in %s", DASHBOARD).hasSizeGreaterThan(30);
    Set<String> exposed = new HashSet<>();
    scrapes.forEach(s -> exposed.addAll(s.seriesNames()));
    Pattern name = Pattern.compile("\\b((?:outpost|jvm|process|system)_[a-zA-Z0-9_]+)");
    Set<String> used = new TreeSet<>();
    Set<String> missing = new TreeSet<>();
    for (String query : queries) {
      Matcher m = name.matcher(query);
      while (m.find()) {
        used.add(m.group(1));
        if (!exposed.contains(m.group(1))) {
          missing.add(m.group(1));
        }
      }
    }
    assertThat(used).as("metric names the dashboard queries").hasSizeGreaterThan(30);
    assertThat(missing).as("dashboard metrics no node exposes").isEmpty();
  }

  /** Panel and variable queries: every {@code expr} and {@code definition} in the JSON. */
  private static void collectQueries(Object node, List<String> out) {
    if (node instanceof JsonObject o) {
      for (String key : List.of("expr", "definition")) {
        if (o.getValue(key) instanceof String query) {
          out.add(query);
        }
      }
      o.forEach(e -> collectQueries(e.getValue(), out));
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectQueries(v, out));
    }
  }

  private static HttpResponse<String> post(ClusterTestNode via, String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.port() + path))
              .timeout(Duration.ofSeconds(20))
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("POST " + path + " via " + via.nodeId() + " failed", e);
    }
  }

  /** One node's scrape, fetched and parsed by the Prometheus client's parser. */
  private static Scrape scrape(ClusterTestNode node) {
    assertThat(Files.isExecutable(PYTHON))
        .as("%s is missing; install Debian's python3-prometheus-client (.ci/run does)", PYTHON)
        .isTrue();
    try {
      Process process =
          new ProcessBuilder(
                  PYTHON.toString(),
                  SCRAPER.toString(),
                  "http://127.0.0.1:" + node.port() + "/_outpost/metrics")
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean exited = process.waitFor(30, TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly();
      }
      assertThat(exited && process.exitValue() == 0)
          .as("scrape_metrics.py for %s:\n%s", node.nodeId(), output)
          .isTrue();
      String line =
          output
              .lines()
              .filter(l -> l.startsWith("METRICS "))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no METRICS line:\n" + output));
      return new Scrape(new JsonObject(line.substring("METRICS ".length())));
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + SCRAPER, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A parsed scrape: families with their type and samples (named as exposed). */
  record Scrape(JsonObject json) {

    private List<JsonObject> families() {
      return json.getJsonArray("families").stream().map(JsonObject.class::cast).toList();
    }

    String type(String family) {
      return families().stream()
          .filter(f -> f.getString("name").equals(family))
          .map(f -> f.getString("type"))
          .findFirst()
          .orElse("(absent)");
    }

    List<JsonObject> samples(String series) {
      List<JsonObject> out = new ArrayList<>();
      for (JsonObject family : families()) {
        for (Object s : family.getJsonArray("samples")) {
          if (((JsonObject) s).getString("name").equals(series)) {
            out.add((JsonObject) s);
          }
        }
      }
      return out;
    }

    double sum(String series, Map<String, String> labels) {
      return samples(series).stream()
          .filter(
              s ->
                  labels.entrySet().stream()
                      .allMatch(
                          l ->
                              l.getValue().equals(s.getJsonObject("labels").getString(l.getKey()))))
          .mapToDouble(s -> s.getDouble("value"))
          .sum();
    }

    Set<String> labelValues(String series, String label) {
      Set<String> values = new TreeSet<>();
      samples(series).forEach(s -> values.add(s.getJsonObject("labels").getString(label)));
      return values;
    }

    /** Every series name exposed ({@code _total}, {@code _bucket}, {@code _count}, ...). */
    Set<String> seriesNames() {
      Set<String> names = new HashSet<>();
      for (JsonObject family : families()) {
        for (Object s : family.getJsonArray("samples")) {
          names.add(((JsonObject) s).getString("name"));
        }
      }
      return names;
    }

    @Override
    public String toString() {
      return json.encode();
    }
  }
}
