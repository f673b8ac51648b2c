package dev.outpost.router;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.router.link.NodeLinks;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectCaller;
import dev.outpost.runtime.ObjectInbox;
import dev.outpost.runtime.ObjectLocator;
import dev.outpost.runtime.PlacementHints;
import dev.outpost.runtime.spi.ClusterMembership.NodeInfo;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Delivers to an object wherever it lives: locates the owner (Pekko's {@code ShardRegion}, Orleans'
 * placement lookup), hands the work to the local inbox or to the owner's node link, and tries again
 * when the answer was stale. The one place that locates and retries; the router's HTTP requests,
 * WebSocket upgrades and event streams use it, and so do object-to-object calls ({@link #call}, the
 * object host's {@link ObjectCaller} on a cluster node).
 *
 * <p>Retries: after "not owner" from a node (its placement moved), or when the owner's node refused
 * the link's connection, the cached placement is dropped and the owner located again, at most
 * {@value #MAX_HOPS} times; while the directory says the object is moving, every {@link
 * #MOVING_WAIT} for about 5 s in all. Anything else fails the returned future: {@link
 * ObjectUnavailableException} when no node can serve the object now.
 *
 * <p>Threads: any; waits are Vert.x timers, so nothing blocks. On a node alone the locator answers
 * "local" for every object and the links are absent.
 */
public final class ObjectDispatch implements ObjectCaller {

  /** Most times a request is re-located after "not owner" before it fails. */
  static final int MAX_HOPS = 3;

  /** How long a request waits for an object that is moving before asking again. */
  static final Duration MOVING_WAIT = Duration.ofMillis(100);

  /** Most attempts while an object is moving (about 5 s in all). */
  static final int MAX_MOVING_WAITS = 50;

  private final Vertx vertx;
  private final ObjectLocator locator;
  private final NodeLinks links; // null on a node alone
  private final ObjectInbox local;

  ObjectDispatch(Vertx vertx, ObjectLocator locator, NodeLinks links, ObjectInbox local) {
    this.vertx = vertx;
    this.locator = locator;
    this.links = links;
    this.local = local;
  }

  /**
   * One kind of delivery, once the owner is known.
   *
   * @param toLocal delivers to this node's inbox
   * @param toRemote delivers over the node link to the owner
   */
  record Delivery<T>(
      Function<ObjectInbox, CompletableFuture<T>> toLocal,
      BiFunction<NodeLinks, NodeInfo, CompletableFuture<T>> toRemote) {}

  /** Locates {@code address} (placing it per {@code hints} if new) and delivers; retries. */
  <T> CompletableFuture<T> send(ObjectAddress address, PlacementHints hints, Delivery<T> delivery) {
    return attempt(address, hints, delivery, 0);
  }

  /** Sends an HTTP request to the object's {@code fetch}. */
  CompletableFuture<Response> fetch(ObjectAddress address, PlacementHints hints, Request request) {
    return send(
        address,
        hints,
        new Delivery<>(
            inbox -> inbox.fetch(address, request),
            (link, node) -> link.forward(node, address, request)));
  }

  /**
   * An object-to-object call: the target's owner runs it, re-entrantly if it waits in {@code
   * chain}. An unreachable target fails the call with a retryable {@link DurableObjectException}.
   */
  @Override
  public CompletableFuture<Response> call(
      ObjectAddress target, Request request, List<ObjectAddress> chain) {
    return send(
            target,
            PlacementHints.NONE,
            new Delivery<>(
                inbox -> inbox.call(target, request, chain),
                (link, node) -> link.call(node, target, request, chain)))
        .exceptionallyCompose(
            error ->
                CompletableFuture.failedFuture(
                    unwrap(error) instanceof ObjectUnavailableException unavailable
                        ? DurableObjectException.retryable(unavailable.getMessage())
                        : error));
  }

  private <T> CompletableFuture<T> attempt(
      ObjectAddress address, PlacementHints hints, Delivery<T> delivery, int attempt) {
    return locator
        .locate(address, hints)
        .thenCompose(
            location ->
                switch (location) {
                  case ObjectLocator.Location.Local l -> delivery.toLocal().apply(local);
                  case ObjectLocator.Location.Remote remote ->
                      delivery.toRemote().apply(links, remote.node());
                  case ObjectLocator.Location.Unavailable u ->
                      CompletableFuture.<T>failedFuture(new ObjectUnavailableException(u));
                })
        .exceptionallyCompose(
            error ->
                retry(
                    address, error, attempt, () -> attempt(address, hints, delivery, attempt + 1)));
  }

  /**
   * Tries again after "not owner" (at once, after forgetting the cached placement) or while the
   * object is moving (after {@link #MOVING_WAIT}); gives up after a few attempts.
   */
  private <T> CompletableFuture<T> retry(
      ObjectAddress address, Throwable error, int attempt, Supplier<CompletableFuture<T>> again) {
    Throwable cause = unwrap(error);
    // "Not owner", or the owner's node refused the link's connection (it is stopping or gone; the
    // request never reached it): forget the placement and locate again.
    if (attempt < MAX_HOPS
        && (NodeLinks.isNotOwner(cause) || cause instanceof java.net.ConnectException)) {
      locator.invalidate(address);
      return again.get();
    }
    if (attempt < MAX_MOVING_WAITS
        && cause instanceof ObjectUnavailableException unavailable
        && unavailable.moving()) {
      locator.invalidate(address);
      CompletableFuture<T> later = new CompletableFuture<>();
      vertx.setTimer(
          MOVING_WAIT.toMillis(),
          id ->
              again
                  .get()
                  .whenComplete(
                      (value, failure) -> {
                        if (failure != null) {
                          later.completeExceptionally(failure);
                        } else {
                          later.complete(value);
                        }
                      }));
      return later;
    }
    return CompletableFuture.failedFuture(error);
  }

  /** The failure inside {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
