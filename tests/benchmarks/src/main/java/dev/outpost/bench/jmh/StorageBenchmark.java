package dev.outpost.bench.jmh;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.bench.objects.StoreObject;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectHost;
import dev.outpost.runtime.StorageEngines;
import dev.outpost.runtime.SystemTimeSource;
import dev.outpost.runtime.spi.StorageEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Storage through an object: {@code ObjectInbox.fetch} of the benchmark's {@link StoreObject},
 * whose turn does one {@code put} or {@code get} of a 100-byte value, on the in-memory engine or on
 * RocksDB (WAL on, no fsync: the node's default).
 *
 * <ul>
 *   <li>{@code put}: one write turn and its commit; the response leaves after the commit.
 *   <li>{@code putPipelined}: {@value #BATCH} write requests queued at once (group commit).
 *   <li>{@code get}: one read turn of a cached key.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class StorageBenchmark {

  static final int BATCH = 256;

  @Param({"memory", "rocksdb"})
  String engineKind;

  private Path dir;
  private SystemTimeSource time;
  private StorageEngine engine;
  private ObjectHost host;
  private ObjectAddress address;
  private Request put;
  private Request get;

  @Setup
  public void start() throws Exception {
    time = new SystemTimeSource();
    if (engineKind.equals("rocksdb")) {
      dir = Files.createTempDirectory("outpost-jmh-");
      engine = StorageEngines.rocksDb(dir, false);
    } else {
      engine = StorageEngines.inMemory();
    }
    host =
        ObjectHost.builder()
            .time(time)
            .storage(engine)
            .namespace(StoreObject.NAMESPACE, StoreObject.class)
            .build();
    address =
        new ObjectAddress(
            StoreObject.NAMESPACE,
            host.namespace(StoreObject.NAMESPACE).orElseThrow().idFromName("bench"));
    put =
        Request.builder("PUT", "/objects/store/bench/kv/k")
            .path("/kv/k")
            .body(new byte[100])
            .build();
    get = Request.builder("GET", "/objects/store/bench/kv/k").path("/kv/k").build();
    expect(host.fetch(address, put).get(10, TimeUnit.SECONDS), 204);
  }

  @TearDown
  public void stop() throws IOException {
    host.close();
    engine.close();
    time.close();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  @Benchmark
  public Response put() throws Exception {
    return expect(host.fetch(address, put).get(10, TimeUnit.SECONDS), 204);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public Response putPipelined() throws Exception {
    @SuppressWarnings("unchecked")
    CompletableFuture<Response>[] all = new CompletableFuture[BATCH];
    for (int i = 0; i < BATCH; i++) {
      all[i] = host.fetch(address, put);
    }
    CompletableFuture.allOf(all).get(10, TimeUnit.SECONDS);
    return expect(all[BATCH - 1].join(), 204);
  }

  @Benchmark
  public Response get() throws Exception {
    return expect(host.fetch(address, get).get(10, TimeUnit.SECONDS), 200);
  }

  private static Response expect(Response response, int status) {
    if (response.status() != status) {
      throw new IllegalStateException("expected " + status + ", got " + response);
    }
    return response;
  }
}
