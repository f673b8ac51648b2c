package dev.outpost.samples.yjs;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.DurableObjectStorage;
import dev.outpost.api.Env;
import dev.outpost.api.HibernatableWebSocket;
import dev.outpost.api.ListOptions;
import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.api.StorageLimitException;
import dev.outpost.api.StorageOperations;
import dev.outpost.api.WebSocketMessage;
import dev.outpost.samples.yjs.codec.MalformedUpdateException;
import dev.outpost.samples.yjs.codec.YProtocol;
import dev.outpost.samples.yjs.codec.YProtocol.AwarenessEntry;
import dev.outpost.samples.yjs.codec.YProtocol.Message;
import dev.outpost.samples.yjs.codec.YUpdates;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Yjs room: {@code ws://HOST/objects/yjs/{room}} speaks the y-websocket protocol to unmodified
 * {@code yjs} 13.6 + {@code y-websocket} clients ({@code new
 * WebsocketProvider("ws://HOST/objects/yjs", room, doc)}). A plain {@code GET} answers the whole
 * document as one Yjs v1 update ({@code application/octet-stream}, for {@code Y.applyUpdate}).
 *
 * <p><b>Protocol</b> (y-protocols {@code sync.js} and {@code awareness.js}, as y-websocket's server
 * does): on connect the room sends sync step 1 with its state vector (so a client uploads what the
 * room lacks, edits made offline included) and the awareness of everyone present; it answers a
 * client's step 1 with step 2, the part of the document the client lacks ({@link YUpdates#diff}); a
 * step 2 or update from a client is stored, then relayed as an update to every other socket;
 * awareness updates are relayed to every socket, the sender included (so that a lone client hears
 * something every 15 s and keeps its connection); query-awareness is answered with everyone's
 * awareness. When a socket closes, cleanly or not, the clients it announced are removed for
 * everyone else: an awareness update with their last clock and state {@code null}, as y-websocket's
 * server does. Text frames and auth messages are ignored; a binary frame that is not a y-websocket
 * message, or an update that is not a Yjs v1 update, closes the socket with 1007.
 *
 * <p><b>Storage</b>: the document is a snapshot (one merged update) in chunks {@code doc/NNNNNN} of
 * at most {@value #CHUNK_BYTES} bytes (Cloudflare's KV-backed value limit, well under Outpost's 2
 * MiB), plus a log of the updates since, {@code log/SEQ/PART}, each also cut into chunks. An update
 * is written before it is relayed or anything else is sent, so the output gate releases the relay
 * only once it is durable. When the log reaches {@value #COMPACT_ENTRIES} updates or {@value
 * #COMPACT_BYTES} bytes, and when the last socket leaves, the room compacts: snapshot and log are
 * merged ({@link YUpdates#merge}) into a new snapshot, written in the same atomic batch that
 * deletes the log. Merged updates keep deleted content, as {@code Y.mergeUpdates} does: only a Yjs
 * document garbage-collects.
 *
 * <p><b>Hibernation</b>: the room keeps nothing that matters in memory. Each socket's attachment
 * holds the awareness entries its client announced (client id, clock, JSON state; states are left
 * out if they would not fit in the 16 KiB attachment), so presence survives hibernation; the
 * document is read back from storage on the first event after it.
 *
 * <p><b>Limits</b>: an incoming message is at most the node's WebSocket limit (1 MiB by default,
 * {@code --max-message-size}); a document's first upload larger than that closes the socket with
 * 1009. Threads: the runtime's, one turn at a time.
 */
public final class YjsRoom implements DurableObject {

  /** Largest stored value: a chunk of the snapshot or of a logged update. */
  public static final int CHUNK_BYTES = 128 * 1024;

  /** Logged updates that trigger a compaction. */
  public static final int COMPACT_ENTRIES = 64;

  /** Logged bytes that trigger a compaction. */
  public static final int COMPACT_BYTES = 512 * 1024;

  private static final String DOC = "doc/";
  private static final String LOG = "log/";
  private static final int INVALID_DATA = 1007;

  private final DurableObjectState state;
  private final DurableObjectStorage storage;

  // Loaded on first use after each activation.
  private boolean loaded;
  private int snapshotChunks;
  private final List<byte[]> log = new ArrayList<>();
  private final List<String> logKeys = new ArrayList<>();
  private long logBytes;
  private long nextSeq;
  private byte[] merged; // snapshot merged with log[0, mergedUpTo)
  private int mergedUpTo;

  public YjsRoom(DurableObjectState state, Env env) {
    this.state = state;
    this.storage = state.storage();
  }

  /** The awareness entries one socket announced, kept as its attachment. */
  public record Announced(List<Entry> entries) {}

  /** One awareness entry; {@code state} is JSON text, or null when it was too large to keep. */
  public record Entry(long id, long clock, String state) {}

  @Override
  public Response fetch(Request request) {
    if (!request.isWebSocketUpgrade()) {
      if (!request.method().equals("GET")) {
        return Response.builder(405).header("Allow", "GET").body("GET or a WebSocket").build();
      }
      return Response.builder(200)
          .header("Content-Type", "application/octet-stream")
          .body(document())
          .build();
    }
    Response accepted = state.acceptWebSocket(request);
    HibernatableWebSocket ws = accepted.webSocket().orElseThrow();
    ws.send(YProtocol.sync(YProtocol.SYNC_STEP1, YUpdates.stateVector(document())));
    List<AwarenessEntry> present = awarenessExcept(ws);
    if (!present.isEmpty()) {
      ws.send(YProtocol.awareness(YProtocol.encodeAwareness(present)));
    }
    return accepted;
  }

  @Override
  public void webSocketMessage(HibernatableWebSocket from, WebSocketMessage message) {
    if (message.isText()) {
      return;
    }
    byte[] frame = message.bytes();
    try {
      Message m = YProtocol.decode(frame);
      switch (m.type()) {
        case YProtocol.MESSAGE_SYNC -> sync(from, m);
        case YProtocol.MESSAGE_AWARENESS -> awareness(from, frame, m.payload());
        case YProtocol.MESSAGE_QUERY_AWARENESS -> {
          List<AwarenessEntry> all = awarenessExcept(null);
          from.send(YProtocol.awareness(YProtocol.encodeAwareness(all)));
        }
        default -> {} // auth and unknown types: y-websocket's server ignores them too
      }
    } catch (MalformedUpdateException e) {
      String reason = "not a y-websocket message: " + e.getMessage();
      from.close(INVALID_DATA, reason.length() > 100 ? reason.substring(0, 100) : reason);
    }
  }

  @Override
  public void webSocketClose(HibernatableWebSocket ws, int code, String reason, boolean wasClean) {
    List<AwarenessEntry> removed = new ArrayList<>();
    for (Entry e : announced(ws)) {
      removed.add(new AwarenessEntry(e.id(), e.clock(), "null"));
    }
    List<HibernatableWebSocket> others = others(ws);
    if (!removed.isEmpty()) {
      byte[] out = YProtocol.awareness(YProtocol.encodeAwareness(removed));
      for (HibernatableWebSocket peer : others) {
        peer.send(out);
      }
    }
    if (others.isEmpty()) {
      load();
      if (!log.isEmpty()) {
        compact();
      }
    }
  }

  // ---- sync

  private void sync(HibernatableWebSocket from, Message m) {
    if (m.step() == YProtocol.SYNC_STEP1) {
      YUpdates.decodeStateVector(m.payload()); // refuse a malformed one here, not in diff
      from.send(YProtocol.sync(YProtocol.SYNC_STEP2, YUpdates.diff(document(), m.payload())));
      return;
    }
    byte[] update = m.payload();
    YUpdates.validate(update);
    if (YUpdates.isEmpty(update)) {
      return;
    }
    append(update); // before the relay: the output gate holds it until the write is durable
    byte[] out = YProtocol.sync(YProtocol.SYNC_UPDATE, update);
    for (HibernatableWebSocket peer : others(from)) {
      peer.send(out);
    }
  }

  /** The whole document as one update: the snapshot merged with the log. */
  private byte[] document() {
    load();
    if (mergedUpTo < log.size()) {
      List<byte[]> parts = new ArrayList<>(log.size() - mergedUpTo + 1);
      parts.add(merged);
      parts.addAll(log.subList(mergedUpTo, log.size()));
      merged = YUpdates.merge(parts);
      mergedUpTo = log.size();
    }
    return merged;
  }

  private void load() {
    if (loaded) {
      return;
    }
    Map<String, byte[]> chunks =
        storage.list(ListOptions.builder().prefix(DOC).build(), byte[].class);
    snapshotChunks = chunks.size();
    merged = chunks.isEmpty() ? YUpdates.EMPTY : concat(chunks.values());
    mergedUpTo = 0;
    Map<String, byte[]> entries =
        storage.list(ListOptions.builder().prefix(LOG).build(), byte[].class);
    String current = null;
    List<byte[]> parts = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      String seq = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
      if (!seq.equals(current) && current != null) {
        log.add(concat(parts));
        parts.clear();
      }
      current = seq;
      parts.add(e.getValue());
      logKeys.add(e.getKey());
      logBytes += e.getValue().length;
      nextSeq = Long.parseLong(seq.substring(LOG.length())) + 1;
    }
    if (current != null) {
      log.add(concat(parts));
    }
    loaded = true;
  }

  private void append(byte[] update) {
    load();
    String prefix = LOG + String.format("%016d", nextSeq++) + "/";
    Map<String, byte[]> writes = new LinkedHashMap<>();
    for (int part = 0, at = 0; at < update.length; part++, at += CHUNK_BYTES) {
      String key = prefix + String.format("%06d", part);
      writes.put(key, Arrays.copyOfRange(update, at, Math.min(update.length, at + CHUNK_BYTES)));
      logKeys.add(key);
    }
    putAll(writes);
    log.add(update);
    logBytes += update.length;
    if (log.size() >= COMPACT_ENTRIES || logBytes >= COMPACT_BYTES) {
      compact();
    }
  }

  /** Replaces snapshot and log with one snapshot, in this turn's atomic batch. */
  private void compact() {
    byte[] doc = document();
    Map<String, byte[]> writes = new LinkedHashMap<>();
    int chunks = 0;
    for (int at = 0; at < doc.length || chunks == 0; at += CHUNK_BYTES, chunks++) {
      writes.put(
          DOC + String.format("%06d", chunks),
          Arrays.copyOfRange(doc, at, Math.min(doc.length, at + CHUNK_BYTES)));
    }
    putAll(writes);
    List<String> deletes = new ArrayList<>(logKeys);
    for (int i = chunks; i < snapshotChunks; i++) {
      deletes.add(DOC + String.format("%06d", i));
    }
    for (int i = 0; i < deletes.size(); i += StorageOperations.MAX_KEYS_PER_CALL) {
      storage.delete(
          deletes.subList(i, Math.min(deletes.size(), i + StorageOperations.MAX_KEYS_PER_CALL)));
    }
    snapshotChunks = chunks;
    log.clear();
    logKeys.clear();
    logBytes = 0;
    merged = doc;
    mergedUpTo = 0;
  }

  private void putAll(Map<String, byte[]> writes) {
    List<Map.Entry<String, byte[]>> all = new ArrayList<>(writes.entrySet());
    for (int i = 0; i < all.size(); i += StorageOperations.MAX_KEYS_PER_CALL) {
      Map<String, byte[]> batch = new LinkedHashMap<>();
      for (Map.Entry<String, byte[]> e :
          all.subList(i, Math.min(all.size(), i + StorageOperations.MAX_KEYS_PER_CALL))) {
        batch.put(e.getKey(), e.getValue());
      }
      storage.put(batch);
    }
  }

  private static byte[] concat(Iterable<byte[]> parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  // ---- awareness

  private void awareness(HibernatableWebSocket from, byte[] frame, byte[] update) {
    List<AwarenessEntry> entries = YProtocol.decodeAwareness(update);
    Map<Long, Entry> mine = new LinkedHashMap<>();
    for (Entry e : announced(from)) {
      mine.put(e.id(), e);
    }
    for (AwarenessEntry e : entries) {
      if (e.removed()) {
        mine.remove(e.clientId());
      } else {
        mine.put(e.clientId(), new Entry(e.clientId(), e.clock(), e.state()));
      }
    }
    remember(from, new ArrayList<>(mine.values()));
    for (HibernatableWebSocket peer : state.getWebSockets()) {
      peer.send(frame);
    }
  }

  private static void remember(HibernatableWebSocket ws, List<Entry> entries) {
    try {
      ws.serializeAttachment(new Announced(entries));
    } catch (StorageLimitException tooLarge) {
      List<Entry> bare = new ArrayList<>();
      for (Entry e : entries) {
        bare.add(new Entry(e.id(), e.clock(), null));
      }
      ws.serializeAttachment(new Announced(bare));
    }
  }

  private static List<Entry> announced(HibernatableWebSocket ws) {
    return ws.deserializeAttachment(Announced.class).map(Announced::entries).orElse(List.of());
  }

  /** Every kept awareness state of the room's sockets other than {@code except}. */
  private List<AwarenessEntry> awarenessExcept(HibernatableWebSocket except) {
    List<AwarenessEntry> out = new ArrayList<>();
    for (HibernatableWebSocket ws : others(except)) {
      for (Entry e : announced(ws)) {
        if (e.state() != null) {
          out.add(new AwarenessEntry(e.id(), e.clock(), e.state()));
        }
      }
    }
    return out;
  }

  private List<HibernatableWebSocket> others(HibernatableWebSocket except) {
    List<HibernatableWebSocket> out = new ArrayList<>();
    for (HibernatableWebSocket ws : state.getWebSockets()) {
      if (ws != except && !ws.equals(except) && ws.isOpen()) {
        out.add(ws);
      }
    }
    return out;
  }
}
