package dev.outpost.samples.yjs.codec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Yjs document updates (the v1 update encoding, as {@code Y.encodeStateAsUpdate} writes it) without
 * a document: merging several updates into one, the part of an update a peer lacks given its state
 * vector, and the state vector an update brings a document to. A port of yjs 13.6 {@code
 * src/utils/updates.js} ({@code mergeUpdates}, {@code diffUpdate}, {@code
 * encodeStateVectorFromUpdate}) with its struct and content classes reduced to what those need;
 * tested byte for byte against yjs 13.6.33 ({@code YUpdatesTest}, fixtures made by yjs itself).
 *
 * <p>Layout of an update: {@code varUint(clients)}, then per client {@code varUint(structs)
 * varUint(client) varUint(firstClock)} and its structs (GC, Skip, or Item with origin, right
 * origin, parent and content), then the delete set: {@code varUint(clients)}, per client {@code
 * varUint(client) varUint(ranges)} and {@code varUint(clock) varUint(length)} per range.
 *
 * <p>Like yjs, merging keeps deleted content (it is garbage-collected only by a document); the
 * result holds every struct of its inputs once, with Skips over clocks none of them had. Content
 * that merging never splits (JSON-like "any" values, embeds, formats, types, subdocuments) is
 * copied as its original bytes rather than decoded and encoded again; for bytes yjs wrote, that is
 * the same. Stateless and thread-safe.
 *
 * @throws MalformedUpdateException (from every method) on bytes that are not a v1 update or state
 *     vector
 */
public final class YUpdates {

  /** The update that changes nothing: no structs, no deletions ({@code 00 00}). */
  public static final byte[] EMPTY = {0, 0};

  private YUpdates() {}

  /**
   * One update equivalent to applying all of {@code updates} (yjs {@code Y.mergeUpdates}); a single
   * update is returned as it is.
   */
  public static byte[] merge(List<byte[]> updates) {
    if (updates.size() == 1) {
      return updates.get(0);
    }
    List<Lib0Reader> inputs = new ArrayList<>();
    List<StructReader> readers = new ArrayList<>();
    for (byte[] u : updates) {
      Lib0Reader in = new Lib0Reader(u);
      inputs.add(in);
      readers.add(new StructReader(in, true));
    }
    StructWriter out = new StructWriter();
    Struct currWrite = null;
    while (true) {
      readers.removeIf(r -> r.curr == null);
      readers.sort(ORDER);
      if (readers.isEmpty()) {
        break;
      }
      StructReader currDecoder = readers.get(0);
      long firstClient = currDecoder.curr.client;
      if (currWrite != null) {
        Struct curr = currDecoder.curr;
        boolean iterated = false;
        while (curr != null
            && curr.clock + curr.length <= currWrite.clock + currWrite.length
            && curr.client >= currWrite.client) {
          curr = currDecoder.next();
          iterated = true;
        }
        if (curr == null
            || curr.client != firstClient
            || (iterated && curr.clock > currWrite.clock + currWrite.length)) {
          continue;
        }
        if (firstClient != currWrite.client) {
          out.write(currWrite, 0);
          currWrite = curr;
          currDecoder.next();
        } else if (currWrite.clock + currWrite.length < curr.clock) {
          if (currWrite instanceof Skip) {
            currWrite.length = curr.clock + curr.length - currWrite.clock;
          } else {
            out.write(currWrite, 0);
            long diff = curr.clock - currWrite.clock - currWrite.length;
            currWrite = new Skip(firstClient, currWrite.clock + currWrite.length, diff);
          }
        } else {
          long diff = currWrite.clock + currWrite.length - curr.clock;
          if (diff > 0) {
            if (currWrite instanceof Skip) {
              currWrite.length -= diff;
            } else {
              curr = curr.slice(diff);
            }
          }
          if (!currWrite.mergeWith(curr)) {
            out.write(currWrite, 0);
            currWrite = curr;
            currDecoder.next();
          }
        }
      } else {
        currWrite = currDecoder.curr;
        currDecoder.next();
      }
      for (Struct next = currDecoder.curr;
          next != null
              && next.client == firstClient
              && next.clock == currWrite.clock + currWrite.length
              && !(next instanceof Skip);
          next = currDecoder.next()) {
        out.write(currWrite, 0);
        currWrite = next;
      }
    }
    if (currWrite != null) {
      out.write(currWrite, 0);
    }
    Lib0Writer result = out.finish();
    List<Map<Long, List<long[]>>> deleteSets = new ArrayList<>();
    for (Lib0Reader in : inputs) {
      deleteSets.add(readDeleteSet(in));
    }
    writeDeleteSet(result, mergeDeleteSets(deleteSets));
    return result.toByteArray();
  }

  /**
   * The part of {@code update} that a peer with state vector {@code stateVector} lacks (yjs {@code
   * Y.diffUpdate}): structs at or past its clocks, and the whole delete set.
   */
  public static byte[] diff(byte[] update, byte[] stateVector) {
    Map<Long, Long> state = decodeStateVector(stateVector);
    StructWriter out = new StructWriter();
    Lib0Reader in = new Lib0Reader(update);
    StructReader reader = new StructReader(in, false);
    while (reader.curr != null) {
      Struct curr = reader.curr;
      long currClient = curr.client;
      long svClock = state.getOrDefault(currClient, 0L);
      if (curr instanceof Skip) {
        reader.next();
        continue;
      }
      if (curr.clock + curr.length > svClock) {
        out.write(curr, Math.max(svClock - curr.clock, 0));
        reader.next();
        while (reader.curr != null && reader.curr.client == currClient) {
          out.write(reader.curr, 0);
          reader.next();
        }
      } else {
        while (reader.curr != null
            && reader.curr.client == currClient
            && reader.curr.clock + reader.curr.length <= svClock) {
          reader.next();
        }
      }
    }
    Lib0Writer result = out.finish();
    writeDeleteSet(result, readDeleteSet(in));
    return result.toByteArray();
  }

  /**
   * The state vector of a document holding only {@code update} (yjs {@code
   * Y.encodeStateVectorFromUpdate}): per client, the clock up to which it has every struct from 0;
   * clients it has only later structs of are left out.
   */
  public static byte[] stateVector(byte[] update) {
    StructReader reader = new StructReader(new Lib0Reader(update), false);
    Struct curr = reader.curr;
    Lib0Writer entries = new Lib0Writer();
    int size = 0;
    if (curr != null) {
      long currClient = curr.client;
      boolean stopCounting = curr.clock != 0;
      long currClock = stopCounting ? 0 : curr.clock + curr.length;
      for (; curr != null; curr = reader.next()) {
        if (currClient != curr.client) {
          if (currClock != 0) {
            size++;
            entries.writeVarUint(currClient).writeVarUint(currClock);
          }
          currClient = curr.client;
          currClock = 0;
          stopCounting = curr.clock != 0;
        }
        if (curr instanceof Skip) {
          stopCounting = true;
        }
        if (!stopCounting) {
          currClock = curr.clock + curr.length;
        }
      }
      if (currClock != 0) {
        size++;
        entries.writeVarUint(currClient).writeVarUint(currClock);
      }
    }
    return new Lib0Writer().writeVarUint(size).writeBytes(entries.toByteArray()).toByteArray();
  }

  /** A state vector as client → clock (yjs {@code decodeStateVector}; a repeated client: last). */
  public static Map<Long, Long> decodeStateVector(byte[] stateVector) {
    Lib0Reader in = new Lib0Reader(stateVector);
    Map<Long, Long> out = new LinkedHashMap<>();
    long n = in.readVarUint();
    for (long i = 0; i < n; i++) {
      out.put(in.readVarUint(), in.readVarUint());
    }
    return out;
  }

  /**
   * Reads all of {@code update}, structs and delete set, so that bytes that are not a v1 update are
   * refused before they are stored.
   *
   * @throws MalformedUpdateException if they are not
   */
  public static void validate(byte[] update) {
    Lib0Reader in = new Lib0Reader(update);
    StructReader reader = new StructReader(in, false);
    while (reader.curr != null) {
      reader.next();
    }
    readDeleteSet(in);
  }

  /** Whether {@code update} carries no struct and no deletion. */
  public static boolean isEmpty(byte[] update) {
    Lib0Reader in = new Lib0Reader(update);
    StructReader reader = new StructReader(in, false);
    if (reader.curr != null) {
      return false;
    }
    return readDeleteSet(in).isEmpty();
  }

  // ---- structs

  /** Write higher clients first; within a client by clock, a Skip after a struct at its clock. */
  private static final Comparator<StructReader> ORDER =
      (a, b) -> {
        if (a.curr.client == b.curr.client) {
          int byClock = Long.compare(a.curr.clock, b.curr.clock);
          if (byClock != 0) {
            return byClock;
          }
          if (a.curr.getClass() == b.curr.getClass()) {
            return 0;
          }
          return a.curr instanceof Skip ? 1 : -1;
        }
        return Long.compare(b.curr.client, a.curr.client);
      };

  private abstract static class Struct {
    final long client;
    final long clock;
    long length;

    Struct(long client, long clock, long length) {
      this.client = client;
      this.clock = clock;
      this.length = length;
    }

    abstract boolean mergeWith(Struct right);

    abstract Struct slice(long diff);

    abstract void write(Lib0Writer out, long offset);
  }

  private static final class Gc extends Struct {
    Gc(long client, long clock, long length) {
      super(client, clock, length);
    }

    @Override
    boolean mergeWith(Struct right) {
      if (!(right instanceof Gc)) {
        return false;
      }
      length += right.length;
      return true;
    }

    @Override
    Struct slice(long diff) {
      return new Gc(client, clock + diff, length - diff);
    }

    @Override
    void write(Lib0Writer out, long offset) {
      out.writeUint8(0).writeVarUint(length - offset);
    }
  }

  private static final class Skip extends Struct {
    Skip(long client, long clock, long length) {
      super(client, clock, length);
    }

    @Override
    boolean mergeWith(Struct right) {
      if (!(right instanceof Skip)) {
        return false;
      }
      length += right.length;
      return true;
    }

    @Override
    Struct slice(long diff) {
      return new Skip(client, clock + diff, length - diff);
    }

    @Override
    void write(Lib0Writer out, long offset) {
      out.writeUint8(10).writeVarUint(length - offset);
    }
  }

  private record Id(long client, long clock) {}

  private static final class Item extends Struct {
    final Id origin;
    final Id rightOrigin;
    final Object parent; // a root type's name (String), a type's item (Id), or null
    final String parentSub;
    final Content content;

    Item(
        long client,
        long clock,
        Id origin,
        Id rightOrigin,
        Object parent,
        String parentSub,
        Content content) {
      super(client, clock, content.length());
      this.origin = origin;
      this.rightOrigin = rightOrigin;
      this.parent = parent;
      this.parentSub = parentSub;
      this.content = content;
    }

    /**
     * Never: yjs merges two items only when the left one's {@code right} is the other, and an item
     * read from an update has no {@code right}.
     */
    @Override
    boolean mergeWith(Struct right) {
      return false;
    }

    @Override
    Struct slice(long diff) {
      return new Item(
          client,
          clock + diff,
          new Id(client, clock + diff - 1),
          rightOrigin,
          parent,
          parentSub,
          content.splice((int) diff));
    }

    @Override
    void write(Lib0Writer out, long offset) {
      Id o = offset > 0 ? new Id(client, clock + offset - 1) : origin;
      int info =
          (content.ref() & 0x1f)
              | (o == null ? 0 : 0x80)
              | (rightOrigin == null ? 0 : 0x40)
              | (parentSub == null ? 0 : 0x20);
      out.writeUint8(info);
      if (o != null) {
        out.writeVarUint(o.client).writeVarUint(o.clock);
      }
      if (rightOrigin != null) {
        out.writeVarUint(rightOrigin.client).writeVarUint(rightOrigin.clock);
      }
      if (o == null && rightOrigin == null) {
        if (parent instanceof String key) {
          out.writeVarUint(1).writeVarString(key);
        } else if (parent instanceof Id id) {
          out.writeVarUint(0).writeVarUint(id.client).writeVarUint(id.clock);
        } else {
          throw new MalformedUpdateException("an item without origins names no parent");
        }
        if (parentSub != null) {
          out.writeVarString(parentSub);
        }
      }
      content.write(out, (int) offset);
    }
  }

  // ---- contents (yjs src/structs/Content*.js)

  private interface Content {
    int ref();

    int length();

    /** Keeps the first {@code offset} units here and returns the rest. */
    Content splice(int offset);

    void write(Lib0Writer out, int offset);
  }

  /** ContentDeleted (1): only a length. */
  private static final class Deleted implements Content {
    private int len;

    Deleted(int len) {
      this.len = len;
    }

    public int ref() {
      return 1;
    }

    public int length() {
      return len;
    }

    public Content splice(int offset) {
      Deleted right = new Deleted(len - offset);
      len = offset;
      return right;
    }

    public void write(Lib0Writer out, int offset) {
      out.writeVarUint(len - offset);
    }
  }

  /**
   * Contents made of a list of elements: ContentJSON (2, each a JSON string) and ContentAny (8,
   * each a lib0 "any" value), kept as each element's bytes.
   */
  private static final class Elements implements Content {
    private final int ref;
    private List<byte[]> elements;

    Elements(int ref, List<byte[]> elements) {
      this.ref = ref;
      this.elements = elements;
    }

    public int ref() {
      return ref;
    }

    public int length() {
      return elements.size();
    }

    public Content splice(int offset) {
      Elements right = new Elements(ref, new ArrayList<>(elements.subList(offset, length())));
      elements = new ArrayList<>(elements.subList(0, offset));
      return right;
    }

    public void write(Lib0Writer out, int offset) {
      out.writeVarUint(elements.size() - offset);
      for (int i = offset; i < elements.size(); i++) {
        out.writeBytes(elements.get(i));
      }
    }
  }

  /** ContentString (4): UTF-16 text, as yjs counts it. */
  private static final class Text implements Content {
    private String str;

    Text(String str) {
      this.str = str;
    }

    public int ref() {
      return 4;
    }

    public int length() {
      return str.length();
    }

    public Content splice(int offset) {
      Text right = new Text(str.substring(offset));
      str = str.substring(0, offset);
      // Never split a surrogate pair (yjs issue #248): both halves become U+FFFD.
      if (offset > 0 && Character.isHighSurrogate(str.charAt(offset - 1))) {
        str = str.substring(0, offset - 1) + '\uFFFD';
        right.str = '\uFFFD' + right.str.substring(1);
      }
      return right;
    }

    public void write(Lib0Writer out, int offset) {
      out.writeVarString(offset == 0 ? str : str.substring(offset));
    }
  }

  /**
   * Contents of length 1, never split: ContentBinary (3), ContentEmbed (5), ContentFormat (6),
   * ContentType (7), ContentDoc (9); kept as their bytes.
   */
  private record Opaque(int ref, byte[] bytes) implements Content {
    public int length() {
      return 1;
    }

    public Content splice(int offset) {
      throw new MalformedUpdateException("content type " + ref + " cannot be split");
    }

    public void write(Lib0Writer out, int offset) {
      out.writeBytes(bytes);
    }
  }

  private static Content readContent(Lib0Reader in, int info) {
    int ref = info & 0x1f;
    int start;
    switch (ref) {
      case 1:
        return new Deleted(in.readLength());
      case 2, 8:
        {
          int n = in.readLength();
          List<byte[]> elements = new ArrayList<>(Math.min(n, 1024));
          for (int i = 0; i < n; i++) {
            start = in.position();
            if (ref == 2) {
              in.readVarUint8Array();
            } else {
              in.skipAny();
            }
            elements.add(in.bytesSince(start));
          }
          return new Elements(ref, elements);
        }
      case 4:
        return new Text(in.readVarString());
      case 3, 5:
        start = in.position();
        in.readVarUint8Array();
        return new Opaque(ref, in.bytesSince(start));
      case 6:
        start = in.position();
        in.readVarUint8Array(); // key
        in.readVarUint8Array(); // JSON value
        return new Opaque(ref, in.bytesSince(start));
      case 7:
        {
          start = in.position();
          long typeRef = in.readVarUint();
          if (typeRef == 3 || typeRef == 5) { // YXmlElement's node name, YXmlHook's hook name
            in.readVarUint8Array();
          } else if (typeRef > 6) {
            throw new MalformedUpdateException("unknown type ref " + typeRef);
          }
          return new Opaque(ref, in.bytesSince(start));
        }
      case 9:
        start = in.position();
        in.readVarUint8Array(); // guid
        in.skipAny(); // options
        return new Opaque(ref, in.bytesSince(start));
      default:
        throw new MalformedUpdateException("unknown content type " + ref);
    }
  }

  // ---- reading and writing struct sequences

  /**
   * yjs {@code LazyStructReader}: the structs of an update one by one, optionally without Skips.
   */
  private static final class StructReader {
    private final Lib0Reader in;
    private final boolean filterSkips;
    private long clientsLeft;
    private long structsLeft;
    private long client;
    private long clock;
    Struct curr;

    StructReader(Lib0Reader in, boolean filterSkips) {
      this.in = in;
      this.filterSkips = filterSkips;
      this.clientsLeft = in.readVarUint();
      next();
    }

    Struct next() {
      do {
        curr = read();
      } while (filterSkips && curr instanceof Skip);
      return curr;
    }

    private Struct read() {
      while (structsLeft == 0) {
        if (clientsLeft == 0) {
          return null;
        }
        clientsLeft--;
        structsLeft = in.readVarUint();
        client = in.readVarUint();
        clock = in.readVarUint();
      }
      structsLeft--;
      int info = in.readUint8();
      Struct s;
      if (info == 10) {
        s = new Skip(client, clock, in.readVarUint());
      } else if ((info & 0x1f) != 0) {
        boolean cantCopyParentInfo = (info & 0xc0) == 0;
        Id origin = (info & 0x80) != 0 ? new Id(in.readVarUint(), in.readVarUint()) : null;
        Id rightOrigin = (info & 0x40) != 0 ? new Id(in.readVarUint(), in.readVarUint()) : null;
        Object parent = null;
        String parentSub = null;
        if (cantCopyParentInfo) {
          parent =
              in.readVarUint() == 1
                  ? in.readVarString()
                  : new Id(in.readVarUint(), in.readVarUint());
          if ((info & 0x20) != 0) {
            parentSub = in.readVarString();
          }
        }
        s = new Item(client, clock, origin, rightOrigin, parent, parentSub, readContent(in, info));
      } else {
        s = new Gc(client, clock, in.readVarUint());
      }
      clock += s.length;
      return s;
    }
  }

  /** yjs {@code LazyStructWriter}: structs grouped by client, counted once a client is done. */
  private static final class StructWriter {
    private final List<byte[]> fragments = new ArrayList<>();
    private final List<Integer> counts = new ArrayList<>();
    private Lib0Writer current = new Lib0Writer();
    private long currClient;
    private int written;

    void write(Struct struct, long offset) {
      if (written > 0 && currClient != struct.client) {
        flush();
      }
      if (written == 0) {
        currClient = struct.client;
        current.writeVarUint(struct.client).writeVarUint(struct.clock + offset);
      }
      struct.write(current, offset);
      written++;
    }

    private void flush() {
      if (written > 0) {
        fragments.add(current.toByteArray());
        counts.add(written);
        current = new Lib0Writer();
        written = 0;
      }
    }

    /** The structs section; the delete set goes after it. */
    Lib0Writer finish() {
      flush();
      int total = 8;
      for (byte[] f : fragments) {
        total += f.length + 5;
      }
      Lib0Writer out = new Lib0Writer(total + 64);
      out.writeVarUint(fragments.size());
      for (int i = 0; i < fragments.size(); i++) {
        out.writeVarUint(counts.get(i)).writeBytes(fragments.get(i));
      }
      return out;
    }
  }

  // ---- delete sets (yjs src/utils/DeleteSet.js); ranges as {clock, length}

  private static Map<Long, List<long[]>> readDeleteSet(Lib0Reader in) {
    Map<Long, List<long[]>> ds = new LinkedHashMap<>();
    long clients = in.readVarUint();
    for (long i = 0; i < clients; i++) {
      long client = in.readVarUint();
      long n = in.readVarUint();
      if (n > 0) {
        List<long[]> ranges = ds.computeIfAbsent(client, c -> new ArrayList<>());
        for (long j = 0; j < n; j++) {
          ranges.add(new long[] {in.readVarUint(), in.readVarUint()});
        }
      }
    }
    return ds;
  }

  private static Map<Long, List<long[]>> mergeDeleteSets(List<Map<Long, List<long[]>>> sets) {
    Map<Long, List<long[]>> merged = new LinkedHashMap<>();
    for (Map<Long, List<long[]>> ds : sets) {
      ds.forEach(
          (client, ranges) ->
              merged.computeIfAbsent(client, c -> new ArrayList<>()).addAll(ranges));
    }
    for (List<long[]> dels : merged.values()) {
      dels.sort(Comparator.comparingLong(r -> r[0]));
      int j = 1;
      for (int i = 1; i < dels.size(); i++) {
        long[] left = dels.get(j - 1);
        long[] right = dels.get(i);
        if (left[0] + left[1] >= right[0]) {
          dels.set(j - 1, new long[] {left[0], Math.max(left[1], right[0] + right[1] - left[0])});
        } else {
          dels.set(j++, right);
        }
      }
      dels.subList(Math.min(j, dels.size()), dels.size()).clear();
    }
    return merged;
  }

  private static void writeDeleteSet(Lib0Writer out, Map<Long, List<long[]>> ds) {
    out.writeVarUint(ds.size());
    ds.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getKey(), a.getKey()))
        .forEach(
            e -> {
              out.writeVarUint(e.getKey()).writeVarUint(e.getValue().size());
              for (long[] r : e.getValue()) {
                out.writeVarUint(r[0]).writeVarUint(r[1]);
              }
            });
  }
}
