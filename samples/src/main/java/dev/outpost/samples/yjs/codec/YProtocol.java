package dev.outpost.samples.yjs.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * The y-websocket wire protocol: one message per binary WebSocket frame, a {@code varUint} type
 * first (y-websocket {@code messageSync = 0}, {@code messageAwareness = 1}, {@code messageAuth =
 * 2}, {@code messageQueryAwareness = 3}). A sync message (y-protocols {@code sync.js}) is {@code
 * varUint(step) varUint8Array(payload)}: step 1 carries a state vector, step 2 and update carry a
 * v1 update. An awareness message (y-protocols {@code awareness.js}) is {@code
 * varUint8Array(awarenessUpdate)}, where the update is {@code varUint(count)} and per client {@code
 * varUint(clientID) varUint(clock) varString(JSON state)}, the state {@code null} meaning the
 * client is gone. Stateless and thread-safe.
 */
public final class YProtocol {

  public static final int MESSAGE_SYNC = 0;
  public static final int MESSAGE_AWARENESS = 1;
  public static final int MESSAGE_AUTH = 2;
  public static final int MESSAGE_QUERY_AWARENESS = 3;

  public static final int SYNC_STEP1 = 0;
  public static final int SYNC_STEP2 = 1;
  public static final int SYNC_UPDATE = 2;

  private YProtocol() {}

  /**
   * A decoded message: its type, the sync step ({@code -1} for other types), and the payload (a
   * state vector, an update, an awareness update; empty for other types).
   */
  public record Message(int type, int step, byte[] payload) {}

  /**
   * Decodes one frame.
   *
   * @throws MalformedUpdateException if the frame is cut short or holds an unknown sync step
   */
  public static Message decode(byte[] frame) {
    Lib0Reader in = new Lib0Reader(frame);
    int type = in.readLength();
    return switch (type) {
      case MESSAGE_SYNC -> {
        int step = in.readLength();
        if (step > SYNC_UPDATE) {
          throw new MalformedUpdateException("unknown sync step " + step);
        }
        yield new Message(type, step, in.readVarUint8Array());
      }
      case MESSAGE_AWARENESS -> new Message(type, -1, in.readVarUint8Array());
      default -> new Message(type, -1, new byte[0]);
    };
  }

  /** A sync message: {@code 0, step, payload}. */
  public static byte[] sync(int step, byte[] payload) {
    return new Lib0Writer(payload.length + 8)
        .writeVarUint(MESSAGE_SYNC)
        .writeVarUint(step)
        .writeVarUint8Array(payload)
        .toByteArray();
  }

  /** An awareness message carrying {@code awarenessUpdate}. */
  public static byte[] awareness(byte[] awarenessUpdate) {
    return new Lib0Writer(awarenessUpdate.length + 8)
        .writeVarUint(MESSAGE_AWARENESS)
        .writeVarUint8Array(awarenessUpdate)
        .toByteArray();
  }

  /** One client's awareness entry; {@code state} is JSON text, {@code "null"} once it is gone. */
  public record AwarenessEntry(long clientId, long clock, String state) {

    public boolean removed() {
      return "null".equals(state);
    }
  }

  /**
   * The entries of an awareness update.
   *
   * @throws MalformedUpdateException if the bytes are cut short
   */
  public static List<AwarenessEntry> decodeAwareness(byte[] awarenessUpdate) {
    Lib0Reader in = new Lib0Reader(awarenessUpdate);
    int n = in.readLength();
    List<AwarenessEntry> out = new ArrayList<>(Math.min(n, 256));
    for (int i = 0; i < n; i++) {
      out.add(new AwarenessEntry(in.readVarUint(), in.readVarUint(), in.readVarString()));
    }
    return out;
  }

  /** An awareness update holding {@code entries}. */
  public static byte[] encodeAwareness(List<AwarenessEntry> entries) {
    Lib0Writer out = new Lib0Writer().writeVarUint(entries.size());
    for (AwarenessEntry e : entries) {
      out.writeVarUint(e.clientId()).writeVarUint(e.clock()).writeVarString(e.state());
    }
    return out.toByteArray();
  }
}
