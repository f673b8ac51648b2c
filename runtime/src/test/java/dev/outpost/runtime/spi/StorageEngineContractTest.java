package dev.outpost.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules every {@link StorageEngine} follows. Each engine's test extends this class and says how
 * to make an engine; durable engines also say so, and then must keep everything across a restart.
 */
public abstract class StorageEngineContractTest {

  private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  /** A fresh directory for the engine. */
  @TempDir protected Path dir;

  /** The engine under test, open between tests' setup and teardown. */
  protected StorageEngine engine;

  private final ObjectAddress counter = address("counters", 1, "alice");
  private final ObjectAddress other = address("counters", 2, "bob");

  /** Opens an engine on {@code dir}; for a durable engine, on the data already in it. */
  protected abstract StorageEngine newEngine(Path dir);

  /** Whether the engine keeps its data across {@code close()} and {@link #newEngine} on the dir. */
  protected boolean isDurable() {
    return false;
  }

  @BeforeEach
  void openEngine() {
    engine = newEngine(dir);
  }

  @AfterEach
  void closeEngine() {
    engine.close();
  }

  @Test
  void putThenGetReturnsTheValueAndAbsentKeysAreEmpty() {
    engine.commit(counter, new WriteBatch(1).put(utf8("count"), utf8("41")));
    engine.commit(counter, new WriteBatch(1).put(utf8("count"), utf8("42")));

    assertThat(text(engine.get(counter, utf8("count")))).contains("42");
    assertThat(engine.get(counter, utf8("missing"))).isEmpty();
    assertThat(engine.get(other, utf8("count"))).isEmpty();
  }

  @Test
  void objectsListsEveryObjectWithDataOrAnAlarmOnceAndWithoutItsName() {
    engine.commit(counter, new WriteBatch(1).put(utf8("a"), utf8("1")).put(utf8("b"), utf8("2")));
    engine.commit(address("ns", 7, "x"), new WriteBatch(1).alarm(java.time.Instant.EPOCH));
    engine.commit(address("ns2", 7, "y"), new WriteBatch(3));
    engine.commit(other, new WriteBatch(1).put(utf8("gone"), utf8("1")));
    engine.commit(other, new WriteBatch(1).clearAll());

    assertThat(engine.objects())
        .containsExactlyInAnyOrder(unnamedAddress("counters", 1), unnamedAddress("ns", 7));
    assertThat(engine.objects()).allSatisfy(o -> assertThat(o.id().name()).isEmpty());
  }

  @Test
  void deleteRemovesTheKey() {
    engine.commit(counter, new WriteBatch(1).put(utf8("a"), utf8("1")).put(utf8("b"), utf8("2")));
    engine.commit(counter, new WriteBatch(1).delete(utf8("a")).delete(utf8("never-written")));

    assertThat(engine.get(counter, utf8("a"))).isEmpty();
    assertThat(entries(counter, null, null, false)).containsExactly("b=2");
  }

  @Test
  void emptyKeysAndValuesAreStored() {
    engine.commit(counter, new WriteBatch(1).put(new byte[0], new byte[0]));

    assertThat(engine.get(counter, new byte[0])).hasValueSatisfying(v -> assertThat(v).isEmpty());
    assertThat(entries(counter, null, null, false)).containsExactly("=");
  }

  @Test
  void arraysAreCopiedInAndOut() {
    byte[] key = utf8("k");
    byte[] value = utf8("v1");
    engine.commit(counter, new WriteBatch(1).put(key, value));
    key[0] = 'x';
    value[1] = '9';
    engine.get(counter, utf8("k")).orElseThrow()[0] = 'z';

    assertThat(entries(counter, null, null, false)).containsExactly("k=v1");
  }

  @Test
  void keysAreOrderedByUnsignedBytes() {
    List<byte[]> keys =
        List.of(
            new byte[] {(byte) 0xFF},
            utf8("😀"),
            new byte[] {(byte) 0x80},
            utf8("\uFFFD"),
            utf8("a"),
            new byte[] {0x7F},
            utf8("é"),
            new byte[] {'a', 0},
            utf8("ab"),
            new byte[] {0});
    WriteBatch batch = new WriteBatch(1);
    keys.forEach(k -> batch.put(k, utf8("v")));
    engine.commit(counter, batch);

    // Java's String order would put U+1F600 (a surrogate pair, 0xD83D...) before U+FFFD.
    List<String> ascending =
        List.of("00", "61", "6100", "6162", "7f", "80", "c3a9", "efbfbd", "f09f9880", "ff");
    assertThat(hexKeys(counter, false)).containsExactlyElementsOf(ascending);
    assertThat(hexKeys(counter, true)).containsExactlyElementsOf(ascending.reversed());
  }

  @Test
  void scanForwardHonoursBounds() {
    putLetters(counter, "abcde");

    assertThat(keys(counter, null, null, false)).containsExactly("a", "b", "c", "d", "e");
    assertThat(keys(counter, "b", "d", false)).containsExactly("b", "c");
    assertThat(keys(counter, null, "c", false)).containsExactly("a", "b");
    assertThat(keys(counter, "c", null, false)).containsExactly("c", "d", "e");
    assertThat(keys(counter, "bb", "dd", false)).containsExactly("c", "d");
    assertThat(keys(counter, "0", "zz", false)).containsExactly("a", "b", "c", "d", "e");
  }

  @Test
  void scanReverseHonoursBounds() {
    putLetters(counter, "abcde");

    assertThat(keys(counter, null, null, true)).containsExactly("e", "d", "c", "b", "a");
    assertThat(keys(counter, "b", "d", true)).containsExactly("c", "b");
    assertThat(keys(counter, null, "c", true)).containsExactly("b", "a");
    assertThat(keys(counter, "c", null, true)).containsExactly("e", "d", "c");
    assertThat(keys(counter, "bb", "dd", true)).containsExactly("d", "c");
  }

  @Test
  void emptyOrInvertedRangesAndEmptyObjectsVisitNothing() {
    putLetters(counter, "abc");

    assertThat(keys(counter, "b", "b", false)).isEmpty();
    assertThat(keys(counter, "c", "a", false)).isEmpty();
    assertThat(keys(counter, "c", "a", true)).isEmpty();
    assertThat(keys(counter, "x", null, false)).isEmpty();
    assertThat(keys(counter, null, "0", true)).isEmpty();
    assertThat(keys(other, null, null, false)).isEmpty();
    assertThat(keys(other, null, null, true)).isEmpty();
  }

  @Test
  void scanStopsWhenTheVisitorReturnsFalse() {
    putLetters(counter, "abcde");

    for (boolean reverse : new boolean[] {false, true}) {
      List<String> seen = new ArrayList<>();
      engine.scan(
          counter,
          null,
          null,
          reverse,
          (k, v) -> {
            seen.add(new String(k, StandardCharsets.UTF_8));
            return seen.size() < 2;
          });
      assertThat(seen).containsExactly(reverse ? new String[] {"e", "d"} : new String[] {"a", "b"});
    }
  }

  @Test
  void objectsAreIsolatedAcrossIdsAndPrefixNamespaces() {
    ObjectAddress ns = address("ns", 7, "same");
    ObjectAddress ns2 = address("ns2", 7, "same");
    ObjectAddress nsOtherId = address("ns", 8, "same");
    engine.commit(ns, new WriteBatch(1).put(utf8("k"), utf8("ns")).put(ff(), utf8("ns-ff")));
    engine.commit(ns2, new WriteBatch(1).put(utf8("k"), utf8("ns2")).put(new byte[0], utf8("e")));
    engine.commit(nsOtherId, new WriteBatch(1).put(utf8("k"), utf8("id8")));

    assertThat(text(engine.get(ns, utf8("k")))).contains("ns");
    assertThat(text(engine.get(ns2, utf8("k")))).contains("ns2");
    assertThat(text(engine.get(nsOtherId, utf8("k")))).contains("id8");
    assertThat(hexKeys(ns, false)).containsExactly("6b", "ffff");
    assertThat(hexKeys(ns, true)).containsExactly("ffff", "6b");
    assertThat(entries(ns2, null, null, false)).containsExactly("=e", "k=ns2");
    assertThat(entries(ns2, null, null, true)).containsExactly("k=ns2", "=e");
    assertThat(entries(nsOtherId, null, null, true)).containsExactly("k=id8");
  }

  @Test
  void scansNeverReturnEpochOrAlarmRecords() {
    engine.commit(counter, new WriteBatch(7).put(utf8("k"), utf8("v")).alarm(T0));
    engine.commit(other, new WriteBatch(3).put(utf8("j"), utf8("w")).alarm(T0));

    assertThat(entries(counter, null, null, false)).containsExactly("k=v");
    assertThat(entries(counter, null, null, true)).containsExactly("k=v");
    assertThat(entries(counter, null, ff(), true)).containsExactly("k=v");
  }

  @Test
  void clearAllDeletesDataAndAlarmOfThatObjectOnly() {
    engine.commit(counter, new WriteBatch(1).put(utf8("a"), utf8("1")).alarm(T0));
    engine.commit(other, new WriteBatch(1).put(utf8("a"), utf8("other")).alarm(T0));

    engine.commit(counter, new WriteBatch(1).clearAll().put(utf8("b"), utf8("2")));

    assertThat(entries(counter, null, null, false)).containsExactly("b=2");
    assertThat(engine.alarm(counter)).isEmpty();
    assertThat(entries(other, null, null, false)).containsExactly("a=other");
    assertThat(describe(engine.alarms())).containsExactly(describe(other, T0));
  }

  @Test
  void clearAllThenAlarmInTheSameBatchKeepsTheNewAlarm() {
    engine.commit(counter, new WriteBatch(1).put(utf8("a"), utf8("1")).alarm(T0));

    engine.commit(counter, new WriteBatch(1).clearAll().alarm(T0.plusSeconds(5)));

    assertThat(entries(counter, null, null, false)).isEmpty();
    assertThat(engine.alarm(counter)).contains(new StoredAlarm(counter, T0.plusSeconds(5)));
  }

  @Test
  void mutationsApplyInOrder() {
    engine.commit(
        counter,
        new WriteBatch(1)
            .put(utf8("put-then-delete"), utf8("x"))
            .delete(utf8("put-then-delete"))
            .delete(utf8("delete-then-put"))
            .put(utf8("delete-then-put"), utf8("y"))
            .put(utf8("twice"), utf8("first"))
            .put(utf8("twice"), utf8("second")));

    assertThat(entries(counter, null, null, false))
        .containsExactly("delete-then-put=y", "twice=second");
  }

  @Test
  void alarmIsSetReplacedAndDeleted() {
    assertThat(engine.alarm(counter)).isEmpty();

    engine.commit(counter, new WriteBatch(1).alarm(T0));
    assertThat(describe(engine.alarm(counter).stream().toList()))
        .containsExactly(describe(counter, T0));

    engine.commit(counter, new WriteBatch(1).alarm(T0.plusSeconds(30)));
    assertThat(describe(engine.alarms())).containsExactly(describe(counter, T0.plusSeconds(30)));

    engine.commit(counter, new WriteBatch(1).alarm(null));
    assertThat(engine.alarm(counter)).isEmpty();
    assertThat(engine.alarms()).isEmpty();
  }

  @Test
  void alarmsKeepTheIdNameOrItsAbsenceAndMillisecondPrecision() {
    ObjectAddress named = address("rooms", 3, "lobby é 😀");
    ObjectAddress unnamed = unnamedAddress("rooms", 4);
    ObjectAddress elsewhere = address("rooms2", 3, "x");
    Instant precise = T0.plusNanos(123_456_789);
    engine.commit(named, new WriteBatch(1).alarm(precise));
    engine.commit(unnamed, new WriteBatch(1).alarm(T0.plusSeconds(1)));
    engine.commit(elsewhere, new WriteBatch(1).alarm(T0.plusSeconds(2)));

    assertThat(describe(engine.alarms()))
        .containsExactlyInAnyOrder(
            describe(named, T0.plusMillis(123)),
            describe(unnamed, T0.plusSeconds(1)),
            describe(elsewhere, T0.plusSeconds(2)));
    assertThat(engine.alarm(unnamed).orElseThrow().object().id().name()).isEmpty();
    assertThat(engine.alarm(named).orElseThrow().object().id().name()).contains("lobby é 😀");
  }

  @Test
  void staleEpochIsRefusedAndWritesNothing() {
    assertThat(engine.epoch(counter)).isZero();
    engine.commit(counter, new WriteBatch(5).put(utf8("a"), utf8("owner5")).alarm(T0));

    WriteBatch stale =
        new WriteBatch(4).clearAll().put(utf8("b"), utf8("owner4")).alarm(T0.plusSeconds(9));
    assertThatThrownBy(() -> engine.commit(counter, stale))
        .isInstanceOf(StaleEpochException.class)
        .hasMessageContaining("epoch 4")
        .hasMessageContaining("epoch 5");

    assertThat(entries(counter, null, null, false)).containsExactly("a=owner5");
    assertThat(engine.alarm(counter)).contains(new StoredAlarm(counter, T0));
    assertThat(engine.epoch(counter)).isEqualTo(5);
  }

  @Test
  void equalOrHigherEpochsSucceedAndEpochReportsTheMaximum() {
    engine.commit(counter, new WriteBatch(5).put(utf8("a"), utf8("1")));
    engine.commit(counter, new WriteBatch(5).put(utf8("b"), utf8("2")));
    engine.commit(counter, new WriteBatch(9).put(utf8("c"), utf8("3")));

    assertThat(engine.epoch(counter)).isEqualTo(9);
    assertThat(engine.epoch(other)).isZero();
    assertThat(entries(counter, null, null, false)).containsExactly("a=1", "b=2", "c=3");
    assertThatThrownBy(() -> engine.commit(counter, new WriteBatch(5)))
        .isInstanceOf(StaleEpochException.class);
    engine.commit(other, new WriteBatch(1).put(utf8("a"), utf8("other")));
    assertThat(engine.epoch(other)).isEqualTo(1);
  }

  @Test
  void emptyBatchesChangeNothingButRaiseTheEpoch() {
    engine.commit(counter, new WriteBatch(0));
    assertThat(engine.epoch(counter)).isZero();

    engine.commit(counter, new WriteBatch(4));

    assertThat(engine.epoch(counter)).isEqualTo(4);
    assertThat(entries(counter, null, null, false)).isEmpty();
    assertThat(engine.alarms()).isEmpty();
    assertThatThrownBy(() -> engine.commit(counter, new WriteBatch(3)))
        .isInstanceOf(StaleEpochException.class);
  }

  @Test
  void largeBatchCommitsAtomically() throws Exception {
    int size = 10_000;
    WriteBatch batch = new WriteBatch(1);
    for (int i = 0; i < size; i++) {
      batch.put(intKey(i), intKey(i * 2));
    }
    ConcurrentLinkedQueue<Integer> countsSeen = new ConcurrentLinkedQueue<>();
    AtomicBoolean committed = new AtomicBoolean();
    CountDownLatch readerStarted = new CountDownLatch(1);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      CompletableFuture<Void> reader =
          CompletableFuture.runAsync(
              () -> {
                readerStarted.countDown();
                boolean last;
                do {
                  last = committed.get();
                  countsSeen.add(count(counter));
                } while (!last);
              },
              executor);
      assertThat(readerStarted.await(10, TimeUnit.SECONDS)).as("reader started").isTrue();
      engine.commit(counter, batch);
      committed.set(true);
      reader.get(30, TimeUnit.SECONDS);
    } finally {
      executor.shutdownNow();
    }

    assertThat(countsSeen).as("entry counts a concurrent reader saw").isSubsetOf(0, size);
    assertThat(countsSeen).contains(size);
    assertThat(count(counter)).isEqualTo(size);
    assertThat(engine.get(counter, intKey(9_999)).map(ByteBuffer::wrap).map(ByteBuffer::getInt))
        .contains(19_998);
  }

  @Test
  void concurrentReadersNeverSeeHalfABatch() throws Exception {
    int commits = 300;
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 1; i <= commits; i++) {
                  engine.commit(
                      counter,
                      new WriteBatch(i).put(utf8("x"), intKey(i)).put(utf8("y"), intKey(i)));
                }
                done.set(true);
              },
              executor);
      CompletableFuture<List<String>> reader =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> torn = new ArrayList<>();
                boolean last;
                do {
                  last = done.get();
                  List<String> values = hexValues(counter);
                  if (values.size() == 2 && !values.get(0).equals(values.get(1))) {
                    torn.add(values.toString());
                  }
                } while (!last);
                return torn;
              },
              executor);
      writer.get(30, TimeUnit.SECONDS);
      assertThat(reader.get(30, TimeUnit.SECONDS)).as("scans that saw half a batch").isEmpty();
    } finally {
      executor.shutdownNow();
    }
    assertThat(hexValues(counter)).containsExactly("0000012c", "0000012c");
    assertThat(engine.epoch(counter)).isEqualTo(commits);
  }

  @Test
  void concurrentCommitsAllLand() throws Exception {
    int threads = 4;
    int commitsPerThread = 50;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        ObjectAddress own = address("workers", 100 + t, "w" + t);
        int thread = t;
        writers.add(
            CompletableFuture.runAsync(
                () -> {
                  for (int i = 0; i < commitsPerThread; i++) {
                    engine.commit(own, new WriteBatch(1).put(intKey(i), utf8("v")));
                    engine.commit(
                        counter, new WriteBatch(1).put(intKey(thread * 1000 + i), utf8("v")));
                  }
                },
                executor));
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } finally {
      executor.shutdownNow();
    }
    assertThat(count(counter)).isEqualTo(threads * commitsPerThread);
    for (int t = 0; t < threads; t++) {
      assertThat(count(address("workers", 100 + t, "w" + t))).isEqualTo(commitsPerThread);
    }
  }

  @Test
  void closedEngineRefusesCallsAndClosesTwiceHarmlessly() {
    StorageEngine second = newEngine(dir.resolve("second"));
    second.close();
    second.close();

    assertThatThrownBy(() -> second.get(counter, utf8("a")))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> second.commit(counter, new WriteBatch(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void dataAlarmsAndEpochsSurviveARestart() {
    assumeThat(isDurable()).as("engine is durable").isTrue();
    ObjectAddress unnamed = unnamedAddress("rooms", 4);
    engine.commit(counter, new WriteBatch(3).put(utf8("gone"), utf8("x")).alarm(T0));
    engine.commit(counter, new WriteBatch(7).clearAll().put(utf8("a"), utf8("1")));
    engine.commit(counter, new WriteBatch(7).put(utf8("b"), utf8("2")).alarm(T0.plusSeconds(1)));
    engine.commit(unnamed, new WriteBatch(2).put(utf8("a"), utf8("u")).alarm(T0.plusSeconds(2)));

    engine.close();
    engine = newEngine(dir);

    assertThat(entries(counter, null, null, false)).containsExactly("a=1", "b=2");
    assertThat(entries(unnamed, null, null, true)).containsExactly("a=u");
    assertThat(describe(engine.alarms()))
        .containsExactlyInAnyOrder(
            describe(counter, T0.plusSeconds(1)), describe(unnamed, T0.plusSeconds(2)));
    assertThat(engine.epoch(counter)).isEqualTo(7);
    assertThat(engine.epoch(unnamed)).isEqualTo(2);
    assertThatThrownBy(() -> engine.commit(counter, new WriteBatch(6).put(utf8("c"), utf8("3"))))
        .isInstanceOf(StaleEpochException.class);
    assertThatThrownBy(() -> engine.commit(counter, new WriteBatch(6).put(utf8("c"), utf8("3"))))
        .isInstanceOf(StaleEpochException.class);
    assertThat(engine.get(counter, utf8("c"))).isEmpty();
    assertThat(engine.epoch(counter)).isEqualTo(7);
    engine.commit(counter, new WriteBatch(8).put(utf8("c"), utf8("3")));
    assertThat(engine.epoch(counter)).isEqualTo(8);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** An address whose id is {@code n} in hex and carries {@code name}. */
  protected static ObjectAddress address(String namespace, int n, String name) {
    return new ObjectAddress(namespace, DurableObjectId.of(hexId(n), Optional.of(name)));
  }

  /** An address whose id is {@code n} in hex and has no name. */
  protected static ObjectAddress unnamedAddress(String namespace, int n) {
    return new ObjectAddress(namespace, DurableObjectId.of(hexId(n), Optional.empty()));
  }

  private static String hexId(int n) {
    return String.format("%064x", n);
  }

  /** UTF-8 bytes of {@code s}. */
  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] ff() {
    return new byte[] {(byte) 0xFF, (byte) 0xFF};
  }

  private static byte[] intKey(int i) {
    return ByteBuffer.allocate(4).putInt(i).array();
  }

  private static Optional<String> text(Optional<byte[]> value) {
    return value.map(v -> new String(v, StandardCharsets.UTF_8));
  }

  private void putLetters(ObjectAddress object, String letters) {
    WriteBatch batch = new WriteBatch(1);
    letters.chars().forEach(c -> batch.put(utf8(Character.toString(c)), utf8("v")));
    engine.commit(object, batch);
  }

  /** Scanned entries as {@code key=value}, both decoded as UTF-8. */
  protected List<String> entries(ObjectAddress object, byte[] from, byte[] to, boolean reverse) {
    List<String> out = new ArrayList<>();
    engine.scan(
        object,
        from,
        to,
        reverse,
        (k, v) ->
            out.add(
                new String(k, StandardCharsets.UTF_8)
                    + "="
                    + new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  private List<String> keys(ObjectAddress object, String from, String to, boolean reverse) {
    List<String> out = new ArrayList<>();
    engine.scan(
        object,
        from == null ? null : utf8(from),
        to == null ? null : utf8(to),
        reverse,
        (k, v) -> out.add(new String(k, StandardCharsets.UTF_8)));
    return out;
  }

  private List<String> hexKeys(ObjectAddress object, boolean reverse) {
    List<String> out = new ArrayList<>();
    engine.scan(object, null, null, reverse, (k, v) -> out.add(HexFormat.of().formatHex(k)));
    return out;
  }

  private List<String> hexValues(ObjectAddress object) {
    List<String> out = new ArrayList<>();
    engine.scan(object, null, null, false, (k, v) -> out.add(HexFormat.of().formatHex(v)));
    return out;
  }

  private int count(ObjectAddress object) {
    int[] n = {0};
    engine.scan(object, null, null, false, (k, v) -> ++n[0] > 0);
    return n[0];
  }

  /** Alarms as {@code namespace/hex/name@time}, so that names take part in comparisons. */
  private static List<String> describe(List<StoredAlarm> alarms) {
    return alarms.stream().map(a -> describe(a.object(), a.time())).toList();
  }

  private static String describe(ObjectAddress object, Instant time) {
    return object.namespace()
        + "/"
        + object.id()
        + "/"
        + object.id().name().map(n -> "name:" + n).orElse("(no name)")
        + "@"
        + time;
  }
}
