package dev.outpost.router.link;

import dev.outpost.api.DurableObjectException;
import dev.outpost.api.DurableObjectId;
import dev.outpost.api.Response;
import dev.outpost.client.protocol.CloseCodes;
import dev.outpost.router.MessageAssembler;
import dev.outpost.router.realtime.OutboundBudget;
import dev.outpost.router.realtime.RealtimeOptions;
import dev.outpost.runtime.NotOwnerException;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.ObjectInbox;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The owner's end of one node-to-node link: turns REQUEST and UPGRADE frames into calls on the
 * local {@link ObjectInbox}, and carries the socket traffic of forwarded clients both ways. When
 * the link drops, every client socket it carried is reported closed (1006) to its object.
 */
final class LinkIngress {

  private final ObjectInbox inbox;
  private final dev.outpost.runtime.ObjectMigrations migrations;
  private final ConcurrentHashMap<Integer, Incoming> handovers = new ConcurrentHashMap<>();
  private final ServerWebSocket link;
  private final LinkWriter writer; // every frame to the peer goes through it, in order
  private final String peer;
  private final ConcurrentHashMap<Integer, RemoteConnection> sockets = new ConcurrentHashMap<>();
  private final RealtimeOptions bounds;

  LinkIngress(
      ObjectInbox inbox,
      dev.outpost.runtime.ObjectMigrations migrations,
      ServerWebSocket link,
      String peer,
      RealtimeOptions bounds) {
    this.bounds = bounds;
    this.inbox = inbox;
    this.migrations = migrations;
    this.link = link;
    this.writer = new LinkWriter(link, io.vertx.core.Vertx.currentContext());
    this.peer = peer;
  }

  void start() {
    link.binaryMessageHandler(this::onFrame);
    link.closeHandler(v -> linkLost());
  }

  private void onFrame(Buffer frame) {
    try {
      LinkFrame.check(frame);
    } catch (IllegalArgumentException e) {
      System.getLogger(LinkIngress.class.getName())
          .log(
              System.Logger.Level.WARNING, "closing the link from " + peer + ": " + e.getMessage());
      link.close((short) 1002, dev.outpost.router.MessageAssembler.closeReasonOf(e.getMessage()));
      return;
    }
    LinkFrame.forEachFrame(frame, this::handle);
  }

  /** Handles one checked frame (not a BATCH). */
  private void handle(Buffer frame) {
    int stream = LinkFrame.stream(frame);
    switch (LinkFrame.type(frame)) {
      case LinkFrame.REQUEST -> request(stream, frame);
      case LinkFrame.UPGRADE -> upgrade(stream, frame);
      case LinkFrame.MESSAGE -> {
        RemoteConnection c = sockets.get(stream);
        if (c != null) {
          inbox.socketMessage(c, LinkFrame.toMessage(frame));
        }
      }
      case LinkFrame.CLOSE -> {
        RemoteConnection c = sockets.remove(stream);
        if (c != null) {
          c.closedByPeer();
          int code = LinkFrame.closeCode(frame);
          inbox.socketClosed(
              c, code, LinkFrame.closeReason(frame), code != MessageAssembler.CloseStatus.ABNORMAL);
        }
      }
      case LinkFrame.CREDIT -> {
        RemoteConnection c = sockets.get(stream);
        if (c != null) {
          c.credit(LinkFrame.creditOf(frame));
        }
      }
      case LinkFrame.HANDOVER -> handovers.put(stream, new Incoming(LinkFrame.handoverHead(frame)));
      case LinkFrame.ENTRIES -> {
        Incoming incoming = handovers.get(stream);
        if (incoming != null) {
          incoming.add(frame);
        }
      }
      case LinkFrame.INSTALL -> {
        Incoming incoming = handovers.remove(stream);
        if (incoming != null) {
          install(stream, incoming);
        }
      }
      default -> link.close((short) 1002, "unknown link frame type " + LinkFrame.type(frame));
    }
  }

  private static ObjectAddress address(LinkFrame.RequestHead head) {
    return new ObjectAddress(
        head.ns(),
        DurableObjectId.of(
            head.id(), Optional.ofNullable(head.name()), Optional.ofNullable(head.jurisdiction())));
  }

  private void request(int stream, Buffer frame) {
    LinkFrame.RequestHead head = LinkFrame.requestHead(frame);
    CompletableFuture<Response> result;
    try {
      var chain = LinkFrame.chain(head);
      var request = LinkFrame.toRequest(head, LinkFrame.body(frame));
      result =
          chain == null
              ? inbox.fetch(address(head), request)
              : inbox.call(address(head), request, chain);
    } catch (IllegalArgumentException e) {
      writer.write(LinkFrame.failure(stream, "bad-request", e.getMessage()));
      return;
    }
    result.whenComplete((response, error) -> reply(stream, response, error));
  }

  private void upgrade(int stream, Buffer frame) {
    LinkFrame.RequestHead head = LinkFrame.requestHead(frame);
    RemoteConnection[] self = new RemoteConnection[1];
    RemoteConnection connection =
        new RemoteConnection(
            writer,
            stream,
            peer,
            OutboundBudget.of(bounds),
            () -> inbox.socketClosed(self[0], CloseCodes.SLOW_CONSUMER, "client too slow", false),
            () -> sockets.remove(stream));
    self[0] = connection;
    sockets.put(stream, connection);
    CompletableFuture<Response> result;
    try {
      result =
          inbox.upgrade(
              address(head), LinkFrame.toRequest(head, LinkFrame.body(frame)), connection);
    } catch (IllegalArgumentException e) {
      sockets.remove(stream);
      writer.write(LinkFrame.failure(stream, "bad-request", e.getMessage()));
      return;
    }
    result.whenComplete(
        (response, error) -> {
          if (error != null || !response.isWebSocketAccept()) {
            sockets.remove(stream);
          }
          reply(stream, response, error);
        });
  }

  private void reply(int stream, Response response, Throwable error) {
    if (error == null) {
      writer.write(LinkFrame.response(stream, response));
      return;
    }
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    String kind =
        switch (cause) {
          case NotOwnerException n -> "not-owner";
          case DurableObjectException d when d.overloaded() -> "overloaded";
          case DurableObjectException d when d.remote() -> "remote";
          case DurableObjectException d -> "retryable";
          default -> "retryable";
        };
    writer.write(LinkFrame.failure(stream, kind, String.valueOf(cause.getMessage())));
  }

  /** An object's data arriving from its old owner. */
  private static final class Incoming {
    final JsonObject head;
    final java.util.List<dev.outpost.runtime.ObjectSnapshot.Entry> entries =
        new java.util.ArrayList<>();

    Incoming(JsonObject head) {
      this.head = head;
    }

    void add(Buffer frame) {
      int at = 5;
      while (at < frame.length()) {
        int keyLength = frame.getInt(at);
        byte[] key = frame.getBytes(at + 4, at + 4 + keyLength);
        at += 4 + keyLength;
        int valueLength = frame.getInt(at);
        byte[] value = frame.getBytes(at + 4, at + 4 + valueLength);
        at += 4 + valueLength;
        entries.add(new dev.outpost.runtime.ObjectSnapshot.Entry(key, value));
      }
    }
  }

  private void install(int stream, Incoming incoming) {
    if (migrations == null) {
      writer.write(LinkFrame.failure(stream, "retryable", "this node takes no objects"));
      return;
    }
    Long alarm = incoming.head.getLong("alarm");
    ObjectAddress address =
        new ObjectAddress(
            incoming.head.getString("ns"),
            DurableObjectId.of(incoming.head.getString("id"), Optional.empty()));
    Thread.ofVirtual()
        .name("install-" + address.shortId())
        .start(
            () -> {
              try {
                migrations.install(
                    address,
                    incoming.head.getLong("epoch"),
                    new dev.outpost.runtime.ObjectSnapshot(
                        incoming.entries,
                        Optional.ofNullable(alarm).map(java.time.Instant::ofEpochMilli)));
                writer.write(LinkFrame.response(stream, Response.empty(200)));
              } catch (RuntimeException e) {
                writer.write(
                    LinkFrame.failure(stream, "retryable", "install failed: " + e.getMessage()));
              }
            });
  }

  private void linkLost() {
    for (var entry : sockets.entrySet()) {
      entry.getValue().closedByPeer();
      inbox.socketClosed(entry.getValue(), 1006, "link to the router's node was lost", false);
    }
    sockets.clear();
  }
}
