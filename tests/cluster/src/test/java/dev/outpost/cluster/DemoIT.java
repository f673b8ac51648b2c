package dev.outpost.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./outpost demo} started the way a user starts it: it brings up 3 regions × 2 nodes as
 * processes, every router serves the samples, and SIGTERM stops every process it started.
 */
class DemoIT {

  private static final Pattern ROUTER =
      Pattern.compile("router (\\S+)\\s+region (\\S+)\\s+(http://127\\.0\\.0\\.1:\\d+)");

  @TempDir Path dir;
  private Process demo;

  @AfterEach
  void stop() throws Exception {
    if (demo != null && demo.isAlive()) {
      // The demo's own shutdown stops its nodes; if it does not, end them by their handles too.
      List<ProcessHandle> nodes = demo.descendants().toList();
      demo.destroy();
      if (!demo.waitFor(30, TimeUnit.SECONDS)) {
        demo.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      for (ProcessHandle node : nodes) {
        if (node.isAlive()) {
          node.destroyForcibly();
        }
      }
    }
  }

  private static java.net.http.WebSocket connect(
      HttpClient http, String url, java.util.concurrent.BlockingQueue<String> received)
      throws Exception {
    return http.newWebSocketBuilder()
        .buildAsync(
            URI.create(url.replace("http://", "ws://") + "/objects/chat/demo-it"),
            new java.net.http.WebSocket.Listener() {
              private final StringBuilder text = new StringBuilder();

              @Override
              public java.util.concurrent.CompletionStage<?> onText(
                  java.net.http.WebSocket ws, CharSequence data, boolean lastPart) {
                text.append(data);
                if (lastPart) {
                  received.add(text.toString());
                  text.setLength(0);
                }
                ws.request(1);
                return null;
              }
            })
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void demoServesTheSamplesFromEveryRouterAndStopsCleanly() throws Exception {
    Path root = Path.of(System.getProperty("outpost.root")).toAbsolutePath().normalize();
    int base = 30_000 + ThreadLocalRandom.current().nextInt(100) * 10;
    ProcessBuilder builder =
        new ProcessBuilder(
                root.resolve("outpost").toString(),
                "demo",
                "--base-port",
                Integer.toString(base),
                "--data-dir",
                dir.resolve("demo").toString())
            .directory(root.toFile())
            .redirectErrorStream(true);
    builder.environment().put("OUTPOST_NO_BUILD", "1");
    demo = builder.start();

    List<String[]> routers = new ArrayList<>();
    StringBuilder output = new StringBuilder();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) { // bounded: the demo prints its welcome, then waits
        output.append(line).append('\n');
        Matcher m = ROUTER.matcher(line);
        if (m.find()) {
          routers.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        if (line.contains("Ctrl-C stops every node")) {
          break;
        }
      }
    }
    assertThat(routers).as("routers printed by the demo:\n%s", output).hasSize(6);
    assertThat(routers.stream().map(r -> r[1]).distinct()).hasSize(3);
    for (String sample :
        List.of("chat", "counter", "todo", "jobs", "stream", "playback", "notifications", "doc")) {
      assertThat(output)
          .as("the demo prints every sample's page")
          .contains("/_outpost/demo/" + sample + "  (");
    }

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < routers.size(); i++) {
      String url = routers.get(i)[2];
      HttpResponse<String> increment =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/objects/counter/demo-it"))
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(increment.statusCode()).as("POST via %s", url).isEqualTo(200);
      assertThat(increment.body()).isEqualTo(Integer.toString(i + 1));
      HttpResponse<String> chatPage =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/_outpost/demo/chat")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(chatPage.statusCode()).as("chat page via %s", url).isEqualTo(200);
      assertThat(chatPage.body()).as("chat page via %s", url).contains("/_outpost/client.js");
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/_outpost/cluster.html")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
    }

    // a chat conversation between two regions
    java.util.concurrent.BlockingQueue<String> first =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.BlockingQueue<String> last =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.net.http.WebSocket a = connect(http, routers.get(0)[2], first);
    java.net.http.WebSocket b = connect(http, routers.get(5)[2], last);
    a.sendText("hello from " + routers.get(0)[1], true).get(10, TimeUnit.SECONDS);
    assertThat(first.poll(30, TimeUnit.SECONDS)).isEqualTo("hello from " + routers.get(0)[1]);
    assertThat(last.poll(30, TimeUnit.SECONDS)).isEqualTo("hello from " + routers.get(0)[1]);
    a.abort();
    b.abort();

    List<ProcessHandle> children = demo.descendants().toList();
    assertThat(children).as("node processes").hasSizeGreaterThanOrEqualTo(6);
    demo.destroy(); // SIGTERM, as a service manager stops it
    assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits").isTrue();
    for (ProcessHandle child : children) {
      child.onExit().get(30, TimeUnit.SECONDS);
      assertThat(child.isAlive()).as("node process %d", child.pid()).isFalse();
    }
  }
}
