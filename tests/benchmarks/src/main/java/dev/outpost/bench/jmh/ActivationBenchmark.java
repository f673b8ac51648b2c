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
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Activation with no network: before each invocation an object holding 10 entries of 100 bytes in
 * RocksDB is evicted ({@code evictForTest}); the invocation is its next request ({@code GET /read}:
 * construct the instance, list its entries). The in-process part of the {@code activate} workload's
 * cold request, without HTTP, and with RocksDB's block cache warm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
public class ActivationBenchmark {

  static final int OBJECTS = 1000;

  private Path dir;
  private SystemTimeSource time;
  private StorageEngine engine;
  private ObjectHost host;
  private final ObjectAddress[] addresses = new ObjectAddress[OBJECTS];
  private final Request read = Request.builder("GET", "/read").path("/read").build();
  private int next;

  @Setup
  public void start() throws Exception {
    dir = Files.createTempDirectory("outpost-jmh-");
    time = new SystemTimeSource();
    engine = StorageEngines.rocksDb(dir, false);
    host =
        ObjectHost.builder()
            .time(time)
            .storage(engine)
            .namespace(StoreObject.NAMESPACE, StoreObject.class)
            .build();
    Request fill = Request.builder("POST", "/fill?keys=10&bytes=100").path("/fill").build();
    for (int i = 0; i < OBJECTS; i++) {
      addresses[i] =
          new ObjectAddress(
              StoreObject.NAMESPACE,
              host.namespace(StoreObject.NAMESPACE).orElseThrow().idFromName("obj-" + i));
      host.fetch(addresses[i], fill).get(10, TimeUnit.SECONDS);
    }
  }

  /** Evicts the next object, once it has settled, so that the invocation activates it. */
  @Setup(Level.Invocation)
  public void evictNext() throws InterruptedException {
    next = (next + 1) % OBJECTS;
    host.awaitQuiescentForTest(Duration.ofSeconds(10));
    if (host.isActiveForTest(addresses[next]) && !host.evictForTest(addresses[next])) {
      throw new IllegalStateException("could not evict " + addresses[next]);
    }
  }

  @TearDown
  public void stop() throws IOException {
    host.close();
    engine.close();
    time.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Benchmark
  public Response coldRead() throws Exception {
    Response response = host.fetch(addresses[next], read).get(10, TimeUnit.SECONDS);
    if (response.status() != 200) {
      throw new IllegalStateException("expected 200, got " + response);
    }
    return response;
  }
}
