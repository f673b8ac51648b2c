package dev.outpost.runtime.internal.activation;

import dev.outpost.api.DurableObjectId;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.DurableObjectStorage;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.WebSocketRequestResponsePair;
import dev.outpost.runtime.internal.hibernation.HibernationManager;
import dev.outpost.runtime.internal.hibernation.SocketRecord;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The {@link DurableObjectState} of one activation. */
final class ObjectStateImpl implements DurableObjectState {

  private final ObjectActivation activation;
  private final DurableObjectStorage storage;
  private final HibernationManager hibernation;
  private final int maxAttachmentSize;
  private final InstantSource clock;

  ObjectStateImpl(
      ObjectActivation activation,
      DurableObjectStorage storage,
      HibernationManager hibernation,
      int maxAttachmentSize,
      InstantSource clock) {
    this.activation = activation;
    this.clock = clock;
    this.storage = storage;
    this.hibernation = hibernation;
    this.maxAttachmentSize = maxAttachmentSize;
  }

  @Override
  public DurableObjectId id() {
    return activation.address().id();
  }

  @Override
  public DurableObjectStorage storage() {
    return storage;
  }

  @Override
  public InstantSource clock() {
    return clock;
  }

  @Override
  public Response acceptWebSocket(Request request, String... tags) {
    Objects.requireNonNull(request, "request");
    TurnContext turn = activation.requireTurn();
    if (!(turn.event instanceof Event.Fetch fetch)
        || fetch.request() != request
        || fetch.upgrade() == null) {
      throw new IllegalStateException(
          "acceptWebSocket needs the WebSocket upgrade request passed to the current fetch");
    }
    if (hibernation.find(fetch.upgrade()).isPresent()) {
      throw new IllegalStateException("this WebSocket was already accepted");
    }
    if (hibernation.count(activation.address()) >= MAX_WEBSOCKETS) {
      throw new IllegalStateException(
          activation.address() + " already holds " + MAX_WEBSOCKETS + " WebSockets, the limit");
    }
    List<String> unique = checkTags(tags);
    SocketRecord record =
        hibernation.register(
            activation.address(),
            fetch.upgrade(),
            unique,
            r -> new SocketHandle(r, hibernation, maxAttachmentSize));
    turn.accepted.add(record);
    return Response.builder(Response.SWITCHING_PROTOCOLS).webSocket(record.handle()).build();
  }

  private static List<String> checkTags(String[] tags) {
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (String tag : tags) {
      Objects.requireNonNull(tag, "tag");
      if (tag.length() > MAX_TAG_LENGTH) {
        throw new IllegalArgumentException(
            "tag '" + tag.substring(0, 32) + "...' is longer than " + MAX_TAG_LENGTH + " chars");
      }
      unique.add(tag);
    }
    if (unique.size() > MAX_TAGS) {
      throw new IllegalArgumentException(
          unique.size() + " tags given; a socket may carry at most " + MAX_TAGS);
    }
    return List.copyOf(unique);
  }

  @Override
  public List<HibernatableWebSocket> getWebSockets() {
    return handles(null);
  }

  @Override
  public List<HibernatableWebSocket> getWebSockets(String tag) {
    return handles(Objects.requireNonNull(tag, "tag"));
  }

  private List<HibernatableWebSocket> handles(String tag) {
    activation.requireTurn();
    List<HibernatableWebSocket> result = new ArrayList<>();
    for (SocketRecord r : hibernation.sockets(activation.address(), tag)) {
      result.add(r.handle());
    }
    return result;
  }

  @Override
  public List<String> getTags(HibernatableWebSocket ws) {
    return own(ws).tags();
  }

  private SocketRecord own(HibernatableWebSocket ws) {
    if (ws instanceof SocketHandle handle && handle.record().owner().equals(activation.address())) {
      return handle.record();
    }
    throw new IllegalArgumentException("not a hibernatable WebSocket of " + activation.address());
  }

  @Override
  public void setWebSocketAutoResponse(WebSocketRequestResponsePair pair) {
    hibernation.autoResponse(activation.address(), Objects.requireNonNull(pair, "pair"));
  }

  @Override
  public void clearWebSocketAutoResponse() {
    hibernation.autoResponse(activation.address(), null);
  }

  @Override
  public Optional<WebSocketRequestResponsePair> getWebSocketAutoResponse() {
    return hibernation.autoResponse(activation.address());
  }

  @Override
  public Optional<Instant> getWebSocketAutoResponseTimestamp(HibernatableWebSocket ws) {
    return Optional.ofNullable(own(ws).lastAutoResponse());
  }

  @Override
  public <T> T blockConcurrencyWhile(Callable<T> callback) throws Exception {
    TurnContext turn = activation.requireTurn();
    try {
      return callback.call();
    } catch (Exception | Error e) {
      activation.blockConcurrencyFailed(turn, e);
      throw e;
    }
  }
}
