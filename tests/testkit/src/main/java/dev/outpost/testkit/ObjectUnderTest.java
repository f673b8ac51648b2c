package dev.outpost.testkit;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.RpcCalls;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One object of an {@link ObjectHarness}, addressed by namespace and name: send it requests and
 * WebSocket upgrades, evict it, run its alarm, read what it stored. A handle, not the instance: it
 * stays valid across evictions, and two handles on the same name reach the same object.
 *
 * <p>Call from the test's thread. Every method except {@link #fetchAsync} returns once the objects
 * have settled (see {@link ObjectHarness}).
 */
public final class ObjectUnderTest {

  private final ObjectHarness harness;
  private final ObjectAddress address;
  private final String name;

  ObjectUnderTest(ObjectHarness harness, ObjectAddress address, String name) {
    this.harness = harness;
    this.address = address;
    this.name = name;
  }

  /** The object's id ({@code idFromName(name)} in its namespace). */
  public DurableObjectId id() {
    return address.id();
  }

  /** The object's address on the host (namespace and id). */
  public ObjectAddress address() {
    return address;
  }

  /**
   * Delivers {@code request} to the object's {@code fetch} and returns its response, once the
   * response may leave (its writes are committed).
   *
   * @throws DurableObjectException as the runtime raised it: {@code remote()} when the object threw
   *     (the cause is what it threw), {@code overloaded()} when its queue was full
   * @throws AssertionError if no response came within the harness's timeout
   */
  public Response fetch(Request request) {
    Response response = await(fetchAsync(request), request.toString());
    harness.settle();
    return response;
  }

  /**
   * A typed stub of the object ({@link dev.outpost.api.DurableObjectStub#rpc}): each call runs the
   * method of {@code api} on the object as one turn and returns once its writes are committed, as
   * {@link #fetch} does.
   *
   * <pre>{@code
   * RoomApi room = harness.object("lobby").rpc(RoomApi.class);
   * assertThat(room.join("ana")).isEqualTo(1);
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code api} is not an interface
   */
  public <T> T rpc(Class<T> api) {
    return RpcCalls.stub(
        api, address.toString(), harness.host().options().maxRpcSize(), this::fetch);
  }

  /**
   * Delivers {@code request} and returns at once; the future completes on the object's thread when
   * the response may leave, or fails with a {@link DurableObjectException}. Call {@link
   * ObjectHarness#settle()} before inspecting the object further.
   */
  public CompletableFuture<Response> fetchAsync(Request request) {
    Objects.requireNonNull(request, "request");
    return harness.host().fetch(address, request);
  }

  /** {@code GET url} (path and query, such as {@code "/history?n=10"}). */
  public Response get(String url) {
    return fetch(Request.get(url));
  }

  /** {@code POST url} with a UTF-8 body. */
  public Response post(String url, String body) {
    return fetch(Request.builder("POST", url).body(body).build());
  }

  /**
   * Opens a WebSocket to the object with {@code GET url} and {@code Upgrade: websocket}.
   *
   * @throws AssertionError if the object did not accept it (naming the status and body it answered)
   */
  public RecordingSocket connect(String url) {
    return connect(Request.builder("GET", url).header("Upgrade", "websocket").build());
  }

  /**
   * Offers {@code upgrade} (which should carry {@code Upgrade: websocket}) to the object's {@code
   * fetch} with a new {@link RecordingSocket} as its connection.
   *
   * @throws AssertionError if the object did not answer 101
   */
  public RecordingSocket connect(Request upgrade) {
    RecordingSocket socket = new RecordingSocket(harness, this + " socket " + upgrade.url());
    Response response =
        await(harness.host().upgrade(address, upgrade, socket.connection()), upgrade.toString());
    harness.settle();
    if (response.status() != Response.SWITCHING_PROTOCOLS) {
      throw new AssertionError(
          "the object refused the WebSocket "
              + upgrade
              + ": status "
              + response.status()
              + ", body '"
              + response.bodyText()
              + "'");
    }
    return socket;
  }

  /**
   * Evicts the object from memory, as the idle timeout would: the instance is dropped (the next
   * event constructs a new one from storage) and its sockets stay open, hibernated.
   *
   * @return false if it was not live
   */
  public boolean evict() {
    harness.settle();
    return harness.host().evictForTest(address);
  }

  /** Whether the object is live in memory. */
  public boolean isActive() {
    harness.settle();
    return harness.host().isActiveForTest(address);
  }

  /** The object's committed alarm, if it has one. */
  public Optional<Instant> alarm() {
    harness.settle();
    return harness.host().snapshot(address).alarm();
  }

  /**
   * Runs the object's alarm handler now, without moving the clock, as if the alarm were due; the
   * alarm is deleted when the handler succeeds (unless it set another), as when it fires on time.
   *
   * @return false if the object has no alarm (nothing runs)
   */
  public boolean runAlarm() {
    harness.settle();
    boolean delivered = harness.host().runAlarmForTest(address);
    harness.settle();
    return delivered;
  }

  /**
   * The value the object stored under {@code key}, read as {@code storage().get(key, type)} would
   * read it; empty if absent. Only committed writes are seen (after any harness call, that is every
   * write of every finished turn).
   *
   * @throws IllegalArgumentException if the stored value cannot be read as {@code type}
   */
  public <T> Optional<T> stored(String key, Class<T> type) {
    harness.settle();
    return harness.host().storedValueForTest(address, key, type);
  }

  /** Every key the object stored, in storage order. */
  public List<String> storedKeys() {
    harness.settle();
    return harness.host().storedKeysForTest(address);
  }

  private <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(harness.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException thrown) {
        throw thrown;
      }
      throw new AssertionError(what + " to " + this + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError(
          what + " to " + this + ": no response within " + harness.timeout(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(what + " to " + this + ": interrupted", e);
    }
  }

  /** {@code namespace/name}. */
  @Override
  public String toString() {
    return address.namespace() + "/" + name;
  }
}
