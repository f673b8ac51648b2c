package dev.outpost.bench.workload;

import dev.outpost.bench.load.Connector;
import dev.outpost.bench.load.EventLoops;
import dev.outpost.bench.load.LatencyHistograms;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A child process of the {@code idle} workload: opens {@code --count} WebSockets to chat rooms from
 * one source address and holds them, idle, until told to quit. One process stays below the 20,000
 * open files a process may have here; several processes on 127.0.0.2, .3, ... reach more
 * connections than one source address and port range allow.
 *
 * <p>Protocol on stdout: {@code connected opened=N failed=F ms=T handshakes=<base64 HdrHistogram>
 * first_failure=...} once; then {@code stats open=N dropped=D} per {@code stats} on stdin; {@code
 * quit} or the end of stdin closes the sockets and exits.
 */
@Command(
    name = "bench-idle-client",
    mixinStandardHelpOptions = true,
    description = "Opens and holds idle WebSockets for the idle workload.")
public final class IdleClient implements Callable<Integer> {

  @Option(names = "--port", required = true, description = "Server port on 127.0.0.1.")
  int port;

  @Option(names = "--source", defaultValue = "127.0.0.1", description = "Local address to use.")
  String source;

  @Option(names = "--first", defaultValue = "0", description = "Global index of the first socket.")
  int first;

  @Option(names = "--count", required = true, description = "Sockets to open.")
  int count;

  @Option(names = "--room-size", defaultValue = "100", description = "Sockets per room.")
  int roomSize;

  @Option(names = "--concurrency", defaultValue = "200", description = "Handshakes in flight.")
  int concurrency;

  private final AtomicLong open = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean quitting;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = EventLoops.create(2);
    try {
      WebSocketClient client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setMaxConnections(count + 16)
                  .setLocalAddress(source)
                  .setConnectTimeout(30_000));
      LatencyHistograms handshakes = new LatencyHistograms();
      Connector.Outcome outcome =
          Connector.connect(
              EventLoops.contexts(vertx, 2),
              client,
              count,
              i ->
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(port)
                      .setURI("/objects/chat/idle-" + ((first + i) / roomSize)),
              (i, ws) -> {
                open.incrementAndGet();
                ws.closeHandler(
                    v -> {
                      open.decrementAndGet();
                      if (!quitting) {
                        dropped.incrementAndGet();
                      }
                    });
              },
              concurrency,
              Duration.ofSeconds(60),
              handshakes);
      System.out.println(
          "connected opened="
              + outcome.opened()
              + " failed="
              + outcome.failed()
              + " ms="
              + outcome.nanos() / 1_000_000
              + " handshakes="
              + encode(handshakes.merged())
              + " first_failure="
              + outcome.firstFailure().replaceAll("\\s+", "_"));
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
        if (line.trim().equals("stats")) {
          System.out.println("stats open=" + open.get() + " dropped=" + dropped.get());
          System.out.flush();
        }
      }
      quitting = true;
      // Vert.x 5 shuts a WebSocketClient down once it is unreachable, closing its sockets
      // (eclipse-vertx/vert.x#5839): an idle client must keep it reachable while it holds them.
      java.lang.ref.Reference.reachabilityFence(client);
    } finally {
      EventLoops.close(vertx);
    }
    return 0;
  }

  /** A histogram as compressed base64, as written on the {@code connected} line. */
  static String encode(Histogram histogram) {
    ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
    int length = histogram.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
  }

  /** The inverse of {@link #encode}. */
  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("bad histogram on a connected line: " + e.getMessage(), e);
    }
  }

  /** Holds the sockets until {@code quit}, the end of stdin or SIGTERM. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new IdleClient()).execute(args));
  }
}
