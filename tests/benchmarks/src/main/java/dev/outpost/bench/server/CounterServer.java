package dev.outpost.bench.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ceiling for {@code counter}: a bare Vert.x HTTP server with no runtime on top, answering the
 * counter sample's requests with one RocksDB write per increment.
 *
 * <p>{@code POST /objects/counter/{name}} adds one to the counter {@code name}, writes the new
 * value to RocksDB (one {@code put}: write-ahead log on, no fsync, as an Outpost node by default)
 * and only then answers it, {@code 200 text/plain; charset=utf-8}, as the sample does; {@code GET}
 * answers the current value ({@code 0} if never incremented). Any other path answers 404, another
 * method 405.
 *
 * <p>Method (docs/benchmarks.md): one Vert.x instance with 2 event loops and one {@link HttpServer}
 * per event loop on the same port, TCP_NODELAY, JDK transport, as {@link BroadcastServer}. Each
 * request is handled on its event loop: the RocksDB write (a JNI call of a few microseconds without
 * fsync) runs there, under the counter's lock, so one counter's increments are applied and written
 * one at a time and each answer leaves after its own write returned. Values are kept in memory and
 * read from RocksDB once per counter; the key is the counter's name, the value 8 bytes big-endian.
 */
@Command(
    name = "bench-counter-baseline",
    mixinStandardHelpOptions = true,
    description = "The bare Vert.x counter server with RocksDB, controlled on stdin/stdout.")
public final class CounterServer implements Callable<Integer>, AutoCloseable {

  static final String PREFIX = "/objects/counter/";

  @Option(names = "--port", defaultValue = "0", description = "HTTP port; 0 picks a free one.")
  int port;

  @Option(names = "--event-loops", defaultValue = "2", description = "Event loops.")
  int eventLoops;

  @Option(names = "--data-dir", required = true, description = "RocksDB directory.")
  Path dataDir;

  /** One counter: its value, guarded by itself. */
  private static final class Cell {
    final byte[] key;
    long value = -1; // -1 until read from RocksDB

    Cell(String name) {
      this.key = name.getBytes(StandardCharsets.UTF_8);
    }
  }

  private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
  private Vertx vertx;
  private Options options;
  private WriteOptions writeOptions;
  private RocksDB db;

  /**
   * Opens the store and starts listening on 127.0.0.1; returns the bound port. Blocks; not on an
   * event loop.
   *
   * @throws TimeoutException if it cannot listen within 30 s
   * @throws RocksDBException if the store cannot be opened
   */
  public int start() throws Exception {
    RocksDB.loadLibrary();
    Files.createDirectories(dataDir);
    // The options that matter for a write as Outpost's store sets them (SmallNodeOptions).
    options =
        new Options()
            .setCreateIfMissing(true)
            .setAllowFAllocate(false)
            .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
            .setMaxTotalWalSize(64L * 1024 * 1024);
    writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
    db = RocksDB.open(options, dataDir.toString());
    vertx =
        Vertx.vertx(
            new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(false));
    HttpServerOptions serverOptions =
        new HttpServerOptions()
            .setHost("127.0.0.1")
            // As in OutpostServer: servers asked for -1 share one random port (0 would not).
            .setPort(port == 0 ? -1 : port)
            .setTcpNoDelay(true);
    List<Future<HttpServer>> listening = new ArrayList<>();
    for (int i = 0; i < eventLoops; i++) {
      listening.add(vertx.createHttpServer(serverOptions).requestHandler(this::handle).listen());
    }
    Future.all(listening).await(30, TimeUnit.SECONDS);
    return listening.get(0).result().actualPort();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
      request.response().setStatusCode(404).end("counters live under " + PREFIX + "{name}\n");
      return;
    }
    String name = path.substring(PREFIX.length());
    HttpMethod method = request.method();
    if (method != HttpMethod.POST && method != HttpMethod.GET) {
      request.response().setStatusCode(405).putHeader("Allow", "GET, POST").end();
      return;
    }
    // The request body (none in the benchmark) is read to its end before answering, as Outpost's
    // router does before a turn.
    request
        .end()
        .onComplete(
            ended -> {
              long value;
              try {
                value = method == HttpMethod.POST ? increment(name) : read(name);
              } catch (RocksDBException e) {
                request.response().setStatusCode(500).end("storage failed: " + e.getMessage());
                return;
              }
              request
                  .response()
                  .putHeader("Content-Type", "text/plain; charset=utf-8")
                  .end(Buffer.buffer(Long.toString(value)));
            });
  }

  /** Adds one and writes the new value before returning it. */
  private long increment(String name) throws RocksDBException {
    Cell cell = cells.computeIfAbsent(name, Cell::new);
    synchronized (cell) {
      long next = load(cell) + 1;
      db.put(writeOptions, cell.key, ByteBuffer.allocate(8).putLong(next).array());
      cell.value = next;
      return next;
    }
  }

  private long read(String name) throws RocksDBException {
    Cell cell = cells.computeIfAbsent(name, Cell::new);
    synchronized (cell) {
      return load(cell);
    }
  }

  private long load(Cell cell) throws RocksDBException {
    if (cell.value < 0) {
      byte[] stored = db.get(cell.key);
      cell.value = stored == null ? 0 : ByteBuffer.wrap(stored).getLong();
    }
    return cell.value;
  }

  @Override
  public Integer call() throws Exception {
    return ControlLoop.serve(this, this::start, cells::size, () -> 0);
  }

  /** Stops the server, then closes the store; waits at most 10 s for Vert.x. Idempotent. */
  @Override
  public synchronized void close() {
    if (vertx != null) {
      ControlLoop.closeVertx(vertx, "counter baseline");
      vertx = null;
    }
    if (db != null) {
      db.close();
      writeOptions.close();
      options.close();
      db = null;
    }
  }

  /** Runs the server until SIGTERM, {@code quit} or the end of stdin. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new CounterServer()).execute(args));
  }
}
