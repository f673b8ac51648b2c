package dev.outpost.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.client.ClientOptions;
import dev.outpost.client.ClientTransport;
import dev.outpost.client.OutpostClient;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.testkit.Eventually;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code GET /_outpost/metrics} on a real node after real traffic: HTTP requests to the counter, a
 * chat over WebSocket, Server-Sent Events and long polling (the Java client), and a job advanced by
 * alarms. Each scrape is fetched and parsed by the Prometheus project's Python client parser
 * ({@code src/test/python/scrape_metrics.py}, Debian's {@code python3-prometheus-client}), so the
 * test reads what a Prometheus server reads: every documented family is there with its type, and
 * the counters moved by exactly what the test did where the test controls it. (The Grafana
 * dashboard is checked against a cluster's scrape: {@code ClusterMetricsIT} in tests/cluster.)
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricsIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Every family the node must expose, with its Prometheus type. */
  private static final Map<String, String> EXPECTED_TYPES =
      Map.ofEntries(
          Map.entry("outpost_turns_total", "COUNTER"),
          Map.entry("outpost_turn_duration_seconds", "HISTOGRAM"),
          Map.entry("outpost_objects_active", "GAUGE"),
          Map.entry("outpost_object_queue_events", "GAUGE"),
          Map.entry("outpost_object_queue_max_events", "GAUGE"),
          Map.entry("outpost_overloaded_total", "COUNTER"),
          Map.entry("outpost_activations_total", "COUNTER"),
          Map.entry("outpost_evictions_total", "COUNTER"),
          Map.entry("outpost_sockets_open", "GAUGE"),
          Map.entry("outpost_storage_commit_seconds", "HISTOGRAM"),
          Map.entry("outpost_storage_commit_batch_entries", "HISTOGRAM"),
          Map.entry("outpost_storage_commit_batch_bytes", "HISTOGRAM"),
          Map.entry("outpost_storage_commit_failures_total", "COUNTER"),
          Map.entry("outpost_alarms_fired_total", "COUNTER"),
          Map.entry("outpost_alarms_retried_total", "COUNTER"),
          Map.entry("outpost_alarms_abandoned_total", "COUNTER"),
          Map.entry("outpost_code_reloads_total", "COUNTER"),
          Map.entry("outpost_connections", "GAUGE"),
          Map.entry("outpost_connections_opened_total", "COUNTER"),
          Map.entry("outpost_connection_closes_total", "COUNTER"),
          Map.entry("outpost_messages_received_total", "COUNTER"),
          Map.entry("outpost_received_bytes_total", "COUNTER"),
          Map.entry("outpost_http_responses_total", "COUNTER"),
          Map.entry("jvm_memory_used_bytes", "GAUGE"),
          Map.entry("jvm_threads_live_threads", "GAUGE"),
          Map.entry("process_cpu_usage", "GAUGE"),
          Map.entry("process_uptime_seconds", "GAUGE"),
          Map.entry("process_files_open_files", "GAUGE"));

  private RealtimeNode node;
  private Vertx vertx;
  private final List<OutpostClient> clients = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    node =
        RealtimeNode.start(
            RealtimeOptions.defaults().toBuilder()
                .heartbeat(Duration.ofSeconds(2), Duration.ofSeconds(2))
                .build());
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(OutpostClient::close);
    vertx.close().await(10, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void aScrapeAfterRealTrafficHasEveryFamilyWithItsTypeAndTheCountersMoved() throws Exception {
    Scrape before = scrape();
    assertThat(before.contentType()).startsWith("text/plain; version=0.0.4");
    assertThat(before.value("outpost_turns_total", Map.of("namespace", "counter", "outcome", "ok")))
        .as("no counter turn yet")
        .isZero();

    // HTTP: five increments of one counter, each one turn and one commit.
    for (int i = 1; i <= 5; i++) {
      assertThat(post("/objects/counter/metrics-c", "").body()).isEqualTo(String.valueOf(i));
    }
    // Each transport: two members of a chat room, one message from each.
    Map<ClientTransport, List<Recorder>> rooms = new LinkedHashMap<>();
    for (ClientTransport transport : ClientTransport.values()) {
      String room = "metrics-" + transport.name().toLowerCase();
      List<Recorder> members = List.of(join(room, transport, "a"), join(room, transport, "b"));
      rooms.put(transport, members);
    }
    int sender = 0;
    for (ClientTransport transport : ClientTransport.values()) {
      assertThat(clients.get(sender).send("hello from " + transport)).isTrue();
      assertThat(clients.get(sender + 1).send("hi from " + transport)).isTrue();
      sender += 2;
    }
    for (List<Recorder> members : rooms.values()) {
      for (Recorder member : members) {
        member.awaitChat(2, TIMEOUT);
      }
    }
    // Alarms: a job of 3 steps, one alarm each, 50 ms apart.
    assertThat(post("/objects/jobs/metrics-job/start?steps=3&stepMs=50", "").statusCode())
        .isEqualTo(200);
    Scrape after =
        awaitScrape(
            "the job's three alarms to fire (outpost_alarms_fired_total{namespace=jobs} >= 3)",
            s -> s.value("outpost_alarms_fired_total", jobs()) >= 3);

    // Every family, with its type.
    for (Map.Entry<String, String> e : EXPECTED_TYPES.entrySet()) {
      assertThat(after.type(e.getKey())).as("type of %s", e.getKey()).isEqualTo(e.getValue());
    }
    // Turns and commits of the counter: exactly the five requests (the object is alone in its
    // namespace and nothing else touched it).
    Map<String, String> counterOk = Map.of("namespace", "counter", "outcome", "ok");
    assertThat(after.value("outpost_turns_total", counterOk)).isEqualTo(5);
    assertThat(after.value("outpost_turn_duration_seconds_count", Map.of("namespace", "counter")))
        .as("histogram count of counter turns")
        .isEqualTo(5);
    assertThat(after.value("outpost_activations_total", Map.of("namespace", "counter")))
        .isEqualTo(1);
    assertThat(after.value("outpost_storage_commit_seconds_count", Map.of()))
        .isGreaterThanOrEqualTo(5);
    assertThat(after.value("outpost_storage_commit_batch_bytes_sum", Map.of())).isGreaterThan(0);
    assertThat(
            after.value(
                "outpost_turn_duration_seconds_bucket",
                Map.of("namespace", "counter", "le", "+Inf")))
        .as("the +Inf bucket holds every counter turn")
        .isEqualTo(5);
    // Connections: two per transport, open; messages in: two per transport.
    for (ClientTransport transport : ClientTransport.values()) {
      Map<String, String> label = Map.of("transport", transportLabel(transport));
      assertThat(after.value("outpost_connections", label))
          .as("open over %s", transport)
          .isEqualTo(2);
      assertThat(after.value("outpost_connections_opened_total", label)).isEqualTo(2);
      assertThat(after.value("outpost_messages_received_total", label))
          .as("messages in over %s", transport)
          .isEqualTo(2);
      assertThat(after.value("outpost_received_bytes_total", label)).isGreaterThan(20);
    }
    // Alarms: the job's three steps fired, none retried or dropped.
    assertThat(after.value("outpost_alarms_fired_total", jobs())).isGreaterThanOrEqualTo(3);
    assertThat(after.value("outpost_alarms_retried_total", jobs())).isZero();
    assertThat(after.value("outpost_alarms_abandoned_total", jobs())).isZero();
    // The HTTP answers: at least the six POSTs, each 200.
    assertThat(after.sum("outpost_http_responses_total", Map.of("code", "200")))
        .isGreaterThanOrEqualTo(6);

    // Closing the clients: the connection gauges fall back to zero, the closes are counted.
    clients.forEach(OutpostClient::close);
    clients.clear();
    Scrape closed =
        awaitScrape(
            "every connection gauge back to 0 once the clients closed",
            s ->
                s.sum("outpost_connections", Map.of("transport", "websocket")) == 0
                    && s.sum("outpost_connections", Map.of("transport", "sse")) == 0
                    && s.sum("outpost_connections", Map.of("transport", "polling")) == 0);
    assertThat(closed.sum("outpost_connection_closes_total", Map.of("transport", "websocket")))
        .isEqualTo(2);
  }

  private static Map<String, String> jobs() {
    return Map.of("namespace", "jobs");
  }

  private static String transportLabel(ClientTransport transport) {
    return switch (transport) {
      case WEBSOCKET -> "websocket";
      case EVENT_STREAM -> "sse";
      case LONG_POLLING -> "polling";
    };
  }

  private Recorder join(String room, ClientTransport transport, String name) {
    Recorder recorder = new Recorder(name + " over " + transport);
    clients.add(
        OutpostClient.connect(
            vertx,
            ClientOptions.of(List.of(node.baseUrl()), "/objects/chat/" + room)
                .withTransports(transport),
            recorder));
    recorder.awaitOpens(1, TIMEOUT);
    return recorder;
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Scrapes until {@code done} holds ({@link #TIMEOUT} at most; the failure shows the last scrape),
   * then returns that scrape, also written to {@code target/metrics-scrape.json}.
   */
  private Scrape awaitScrape(String what, Predicate<Scrape> done) throws Exception {
    Scrape found =
        Eventually.waitUntil(
            TIMEOUT,
            Duration.ofMillis(200),
            () -> {
              try {
                return scrape();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            done,
            what);
    Files.writeString(Path.of("target", "metrics-scrape.json"), found.json().encodePrettily());
    return found;
  }

  /** Debian's Python 3, which has the Prometheus client's parser (python3-prometheus-client). */
  private static final Path PYTHON =
      Path.of(System.getProperty("outpost.python", "/usr/bin/python3"));

  /** One scrape of the node, fetched and parsed by the Prometheus client's parser. */
  private Scrape scrape() throws Exception {
    assertThat(Files.isExecutable(PYTHON))
        .as("%s is missing; install Debian's python3-prometheus-client (.ci/run does)", PYTHON)
        .isTrue();
    NodeScripts.Result result =
        NodeScripts.run(
            Path.of("src/test/python").toAbsolutePath(),
            Duration.ofSeconds(30),
            line -> null,
            PYTHON.toString(),
            "scrape_metrics.py",
            node.baseUrl() + "/_outpost/metrics");
    assertThat(result.code()).as("scrape_metrics.py:\n%s", result.output()).isZero();
    String line =
        result
            .output()
            .lines()
            .filter(l -> l.startsWith("METRICS "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no METRICS line:\n" + result.output()));
    return new Scrape(new JsonObject(line.substring("METRICS ".length())));
  }

  /**
   * A parsed scrape: families (named as the parser names them: a counter without its {@code
   * _total}) with their type and samples (named as exposed: {@code _total}, {@code _bucket}, ...).
   */
  record Scrape(JsonObject json) {

    @Override
    public String toString() {
      return json.encode();
    }

    String contentType() {
      return json.getString("contentType");
    }

    private List<JsonObject> families() {
      return json.getJsonArray("families").stream().map(JsonObject.class::cast).toList();
    }

    /**
     * The type of the family exposing {@code series} ({@code outpost_turns_total} is the counter
     * {@code outpost_turns}), in capitals; "(absent)" if none.
     */
    String type(String series) {
      for (JsonObject family : families()) {
        String name = family.getString("name");
        if (name.equals(series) || (name + "_total").equals(series)) {
          return family.getString("type").toUpperCase(java.util.Locale.ROOT);
        }
      }
      return "(absent)";
    }

    /** The sample of series {@code name} whose labels include {@code labels}; 0 if none. */
    double value(String name, Map<String, String> labels) {
      return sum(name, labels);
    }

    /** The sum of the samples of series {@code name} whose labels include {@code labels}. */
    double sum(String name, Map<String, String> labels) {
      double total = 0;
      for (JsonObject family : families()) {
        for (Object s : family.getJsonArray("samples")) {
          JsonObject sample = (JsonObject) s;
          JsonObject have = sample.getJsonObject("labels");
          if (sample.getString("name").equals(name)
              && labels.entrySet().stream()
                  .allMatch(l -> l.getValue().equals(have.getString(l.getKey())))) {
            total += sample.getDouble("value");
          }
        }
      }
      return total;
    }
  }
}
