package dev.outpost.runtime.internal.activation;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectCaller;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import dev.outpost.runtime.spi.ClientConnection;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object address → live activation on this node (Orleans' {@code Catalog}). At most one activation
 * per address exists at any time: a new one is created only by {@code computeIfAbsent}, and an
 * evicted one removes itself before refusing events, so a retried delivery creates its successor.
 * Thread-safe.
 */
public final class ObjectCatalog {

  private final ConcurrentHashMap<ObjectAddress, ObjectActivation> activations =
      new ConcurrentHashMap<>();
  private final java.util.Set<ObjectAddress> sealed = ConcurrentHashMap.newKeySet();
  private String nodeId = "this node"; // for messages
  private final NodeServices node;
  private final ObjectCaller caller; // where stub calls go; this catalog when none was given

  /**
   * A catalog whose activations share {@code node}. Stub calls go through {@code caller} if given
   * (a cluster's router), otherwise straight to this catalog.
   */
  public ObjectCatalog(NodeServices node, Optional<ObjectCaller> caller) {
    this.node = Objects.requireNonNull(node, "node");
    this.caller =
        caller.orElseGet(() -> (target, request, chain) -> fetch(target, request, null, chain));
  }

  /** Delivers a request (with {@code upgrade}, a WebSocket upgrade) to the object. */
  public CompletableFuture<Response> fetch(
      ObjectAddress address, Request request, ClientConnection upgrade, List<ObjectAddress> chain) {
    CompletableFuture<Response> result = new CompletableFuture<>();
    Event.Fetch event = new Event.Fetch(request, upgrade, result, List.copyOf(chain));
    switch (offer(address, event)) {
      case OVERLOADED -> result.completeExceptionally(overloaded(address));
      case SEALED -> result.completeExceptionally(new NotOwnerException(address, nodeId, null));
      default -> {}
    }
    return result;
  }

  /** Deepest chain of nested object-to-object calls. */
  public static final int MAX_CALL_DEPTH = 16;

  /**
   * A call from a stub: from inside a turn, the caller's writes so far are made durable and its
   * output released first (the call is output too), then the call waits for the response.
   *
   * @throws DurableObjectException with {@code remote}, {@code overloaded} or {@code retryable}
   */
  public Response call(ObjectAddress target, Request request) {
    TurnContext caller = TurnContext.current();
    List<ObjectAddress> chain = new java.util.ArrayList<>();
    if (caller != null) {
      if (caller.event instanceof Event.Fetch fetch) {
        chain.addAll(fetch.chain());
      }
      chain.add(caller.activation.address());
    }
    if (chain.size() >= MAX_CALL_DEPTH) {
      throw DurableObjectException.invalid(
          "call to "
              + target
              + " is nested "
              + chain.size()
              + " deep; the limit is "
              + MAX_CALL_DEPTH);
    }
    if (caller != null) {
      caller.activation.syncFromTurn(caller);
      caller.blockedInCall = true;
    }
    CompletableFuture<Response> result = this.caller.call(target, request, List.copyOf(chain));
    try {
      return result.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DurableObjectException.retryable("call to " + target + " interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof DurableObjectException known) {
        throw DurableObjectException.copyOf(known);
      }
      throw DurableObjectException.retryable(
          "call to " + target + " failed: " + e.getCause(), e.getCause());
    } finally {
      if (caller != null) {
        caller.blockedInCall = false;
      }
    }
  }

  /** Delivers a socket message; false if the object is overloaded. */
  public boolean socketMessage(SocketRecord socket, WebSocketMessage message) {
    return deliver(socket.owner(), new Event.SocketMessage(socket, message));
  }

  /** Delivers a socket close; false if the object is overloaded. */
  public boolean socketClose(SocketRecord socket, int code, String reason, boolean wasClean) {
    return deliver(socket.owner(), new Event.SocketClose(socket, code, reason, wasClean));
  }

  /** Delivers a socket error; false if the object is overloaded. */
  public boolean socketError(SocketRecord socket, Throwable error) {
    return deliver(socket.owner(), new Event.SocketError(socket, error));
  }

  /** Constructs the object's instance and nothing else (checks of a new code version). */
  public CompletableFuture<Void> activate(ObjectAddress address) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!deliver(address, new Event.Activate(done))) {
      done.completeExceptionally(overloaded(address));
    }
    return done;
  }

  /** Delivers a due alarm; false if the object is overloaded. */
  public boolean alarm(ObjectAddress address, Instant scheduled, int retryCount) {
    return deliver(address, new Event.Alarm(scheduled, retryCount));
  }

  private boolean deliver(ObjectAddress address, Event event) {
    return offer(address, event) == ObjectActivation.Offer.ACCEPTED;
  }

  private ObjectActivation.Offer offer(ObjectAddress address, Event event) {
    while (true) {
      if (sealed.contains(address)) {
        return ObjectActivation.Offer.SEALED;
      }
      ObjectActivation activation = activations.computeIfAbsent(address, this::newActivation);
      ObjectActivation.Offer offer = activation.offer(event);
      if (offer != ObjectActivation.Offer.EVICTED) {
        return offer;
      }
      activations.remove(address, activation);
    }
  }

  private ObjectActivation newActivation(ObjectAddress address) {
    ObjectActivation[] self = new ObjectActivation[1];
    // An evicted activation removes only itself: its successor may already be in the map.
    self[0] = new ObjectActivation(address, node, () -> activations.remove(address, self[0]));
    return self[0];
  }

  /** Names this node in messages. */
  public void nodeId(String id) {
    this.nodeId = id;
  }

  /** Seals the object: see {@code ObjectMigrations.seal}. */
  public CompletableFuture<Void> seal(ObjectAddress address) {
    sealed.add(address);
    ObjectActivation activation = activations.get(address);
    return activation == null ? CompletableFuture.completedFuture(null) : activation.seal();
  }

  /** Takes events for the object again. */
  public void unseal(ObjectAddress address) {
    sealed.remove(address);
  }

  /** The error a caller gets when an object's queue is full. */
  public DurableObjectException overloaded(ObjectAddress address) {
    return DurableObjectException.overloaded(
        "overloaded: "
            + address
            + " already has "
            + node.options().maxQueuedEvents()
            + " queued events (outpost.object.max-queued-events); retry later");
  }

  /** Lets the watchdog look at every running turn. */
  public void checkStuckTurns(Instant now) {
    activations.values().forEach(a -> a.checkStuck(now));
  }

  /** Evicts the object now if it is idle; false if it is busy or not active. */
  public boolean evictForTest(ObjectAddress address) {
    ObjectActivation activation = activations.get(address);
    return activation != null && activation.evictIfIdle();
  }

  /**
   * Waits until every live object has no event queued or running.
   *
   * @return false if one object stayed busy for {@code timeout}
   */
  public boolean awaitQuiescent(java.time.Duration timeout) throws InterruptedException {
    for (ObjectActivation a : activations.values()) {
      if (!a.awaitQuiescent(timeout)) {
        return false;
      }
    }
    return true;
  }

  /** Whether the object has a live activation. */
  public boolean isActive(ObjectAddress address) {
    return activations.containsKey(address);
  }

  /** How many activations are live. */
  public int size() {
    return activations.size();
  }

  /** Events queued across live activations (a moment's sum, for metrics). */
  public long queuedEvents() {
    long total = 0;
    for (ObjectActivation activation : activations.values()) {
      total += activation.queued();
    }
    return total;
  }

  /** Events queued at the fullest live activation (0 with none), for metrics. */
  public int maxQueuedEvents() {
    int max = 0;
    for (ObjectActivation activation : activations.values()) {
      max = Math.max(max, activation.queued());
    }
    return max;
  }
}
