package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObject;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.spi.StorageEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A single-node object host on a manual clock and a given engine, for runtime unit tests. Requests
 * go straight into the {@link ObjectInbox}; sockets are {@link RecordingConnection}s.
 */
final class ObjectHarness implements AutoCloseable {

  static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
  static final Duration WAIT = Duration.ofSeconds(10);

  final ManualTimeSource time;
  final StorageEngine engine;
  final ObjectHost host;

  ObjectHarness(
      RuntimeOptions options,
      StorageEngine engine,
      ManualTimeSource time,
      Map<String, Class<? extends DurableObject>> classes) {
    this(options, engine, time, classes, null);
  }

  /** A harness whose host records its meters into {@code registry} (none when null). */
  ObjectHarness(
      RuntimeOptions options,
      StorageEngine engine,
      ManualTimeSource time,
      Map<String, Class<? extends DurableObject>> classes,
      io.micrometer.core.instrument.MeterRegistry registry) {
    this.time = time;
    this.engine = engine;
    ObjectHost.Builder builder = ObjectHost.builder().options(options).time(time).storage(engine);
    classes.forEach(builder::namespace);
    if (registry != null) {
      builder.meterRegistry(registry);
    }
    this.host = builder.build();
  }

  static ObjectHarness of(String namespace, Class<? extends DurableObject> type) {
    return of(RuntimeOptions.defaults(), StorageEngines.inMemory(), Map.of(namespace, type));
  }

  static ObjectHarness of(
      RuntimeOptions options,
      StorageEngine engine,
      Map<String, Class<? extends DurableObject>> classes) {
    return new ObjectHarness(options, engine, new ManualTimeSource(START), classes);
  }

  ObjectAddress address(String namespace, String name) {
    return new ObjectAddress(namespace, host.namespace(namespace).orElseThrow().idFromName(name));
  }

  CompletableFuture<Response> fetchAsync(String namespace, String name, Request request) {
    return host.fetch(address(namespace, name), request);
  }

  Response fetch(String namespace, String name, Request request) {
    try {
      return fetchAsync(namespace, name, request).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("fetch " + request + " to " + namespace + "/" + name + ": " + e, e);
    }
  }

  Response get(String namespace, String name, String path) {
    return fetch(namespace, name, Request.builder("GET", path).path(path).build());
  }

  Response post(String namespace, String name, String path, String body) {
    return fetch(namespace, name, Request.builder("POST", path).path(path).body(body).build());
  }

  /** Opens a hibernatable socket to the object; asserts the object accepted it. */
  RecordingConnection connect(String namespace, String name) {
    RecordingConnection connection = new RecordingConnection(name);
    Request upgrade =
        Request.builder("GET", "/ws").path("/ws").header("Upgrade", "websocket").build();
    try {
      Response response =
          host.upgrade(address(namespace, name), upgrade, connection)
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(response.status()).as("upgrade of %s/%s", namespace, name).isEqualTo(101);
    } catch (Exception e) {
      throw new AssertionError("upgrade to " + namespace + "/" + name + " failed: " + e, e);
    }
    return connection;
  }

  /** Waits until no object has work queued or running. */
  void settle() {
    try {
      host.awaitQuiescentForTest(WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Lets objects settle, then moves the clock, running what falls due. */
  void advance(Duration amount) {
    settle();
    time.advance(amount);
  }

  @Override
  public void close() {
    host.close();
  }
}
