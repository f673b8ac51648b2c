package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.ListOptions;
import dev.outpost.api.StorageLimitException;
import dev.outpost.api.StorageOperations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The storage API as an object sees it: cache consistency, list order, transactions, limits. */
class StorageApiTest {

  private final GatedEngine engine = new GatedEngine();
  private final TurnRunner runner = TurnRunner.install();
  private final ObjectHarness harness =
      ObjectHarness.of(
          RuntimeOptions.defaults().withMaxEntrySize(1024 * 1024),
          engine,
          Map.of("t", Scripted.class));

  @AfterEach
  void stop() {
    harness.close();
  }

  private <T> T turn(java.util.function.Function<dev.outpost.api.DurableObjectStorage, T> body) {
    return runner.run(harness, "obj", state -> body.apply(state.storage()));
  }

  @Test
  void readsSeeTheTurnsOwnWritesAndLaterTurnsSeeCommittedOnes() {
    String inTurn =
        turn(
            s -> {
              s.put("k", "v1");
              String first = s.get("k", String.class).orElseThrow();
              s.delete("k");
              return first + "," + s.get("k", String.class).isPresent();
            });
    assertThat(inTurn).isEqualTo("v1,false");

    turn(
        s -> {
          s.put("k", "v2");
          return null;
        });
    harness.settle();
    harness.host.evictForTest(harness.address("t", "obj"));
    assertThat(this.<String>turn(s -> s.get("k", String.class).orElseThrow()))
        .as("read from the engine after eviction dropped the cache")
        .isEqualTo("v2");
  }

  @Test
  void valuesRoundTripAsBytesStringsAndJson() {
    record Point(int x, int y) {}
    turn(
        s -> {
          s.put("bytes", new byte[] {1, 2, 3});
          s.put("text", "héllo 😀");
          s.put("number", 42L);
          s.put("map", Map.of("a", List.of(1, 2)));
          return null;
        });
    assertThat(this.<byte[]>turn(s -> s.get("bytes", byte[].class).orElseThrow()))
        .containsExactly(1, 2, 3);
    assertThat(this.<String>turn(s -> s.get("text", String.class).orElseThrow()))
        .isEqualTo("héllo 😀");
    assertThat(this.<Long>turn(s -> s.get("number", Long.class).orElseThrow())).isEqualTo(42L);
    assertThat(this.<Integer>turn(s -> s.get("number", Integer.class).orElseThrow())).isEqualTo(42);
    assertThat(this.<Map<?, ?>>turn(s -> (Map<?, ?>) s.get("map", Map.class).orElseThrow()))
        .isEqualTo(Map.of("a", List.of(1, 2)));
    assertThatThrownBy(() -> turn(s -> s.get("bytes", String.class)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key 'bytes'")
        .hasMessageContaining("byte[]");
  }

  @Test
  void listOrdersByUtf8BytesNotByJavaStrings() {
    // U+FFFD is one UTF-16 unit above the surrogates of U+1F600, but below it in UTF-8.
    List<String> keys = List.of("b", "a", "\uFFFD", "😀", "é", "aa", "A", "");
    turn(
        s -> {
          keys.forEach(k -> s.put(k, k));
          return null;
        });
    List<String> expected = List.of("", "A", "a", "aa", "b", "é", "\uFFFD", "😀");
    assertThat(
            this.<List<String>>turn(
                s -> new ArrayList<>(s.list(ListOptions.all(), String.class).keySet())))
        .containsExactlyElementsOf(expected);
    assertThat(
            this.<List<String>>turn(
                s ->
                    new ArrayList<>(
                        s.list(ListOptions.builder().reverse(true).build(), String.class)
                            .keySet())))
        .containsExactlyElementsOf(expected.reversed());
  }

  @Test
  void listRangeOptionsOverCommittedAndPendingData() {
    turn(
        s -> {
          IntStream.range(0, 10).forEach(i -> s.put("k" + i, i));
          s.put("other", 0);
          return null;
        });
    // the second turn deletes and adds keys that are not committed yet when it lists
    List<String> keysSeen =
        turn(
            s -> {
              s.delete("k2");
              s.put("k25", 25);
              return new ArrayList<>(
                  s.list(ListOptions.builder().start("k1").end("k5").build(), Integer.class)
                      .keySet());
            });
    assertThat(keysSeen).containsExactly("k1", "k25", "k3", "k4");

    assertThat(
            this.<List<String>>turn(
                s ->
                    new ArrayList<>(
                        s.list(
                                ListOptions.builder().startAfter("k1").limit(3).build(),
                                Integer.class)
                            .keySet())))
        .containsExactly("k25", "k3", "k4");
    assertThat(
            this.<List<String>>turn(
                s ->
                    new ArrayList<>(
                        s.list(
                                ListOptions.builder().prefix("k").reverse(true).limit(2).build(),
                                Integer.class)
                            .keySet())))
        .containsExactly("k9", "k8");
    assertThat(
            this.<Integer>turn(
                s ->
                    s.list(ListOptions.builder().start("k5").end("k1").build(), Integer.class)
                        .size()))
        .as("an inverted range is empty")
        .isZero();
    assertThatThrownBy(() -> ListOptions.builder().start("a").startAfter("b").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start and startAfter");
  }

  @Test
  void limitCountsOnlyLiveKeysWhenNewerTurnsDeleted() {
    turn(
        s -> {
          IntStream.range(0, 6).forEach(i -> s.put("k" + i, i));
          return null;
        });
    List<String> seen =
        turn(
            s -> {
              s.delete(List.of("k0", "k1", "k2"));
              return new ArrayList<>(
                  s.list(ListOptions.builder().limit(2).build(), Integer.class).keySet());
            });
    assertThat(seen).containsExactly("k3", "k4");
  }

  @Test
  void transactionAppliesAtomicallyOrRollsBack() {
    turn(
        s -> {
          s.put("balance", 10);
          return null;
        });
    String result =
        turn(
            s -> {
              s.transaction(
                  txn -> {
                    txn.put("balance", 0);
                    txn.rollback();
                    return null;
                  });
              int afterRollback = s.get("balance", Integer.class).orElseThrow();
              try {
                s.transaction(
                    txn -> {
                      txn.put("balance", -5);
                      throw new IllegalStateException("insufficient funds");
                    });
              } catch (IllegalStateException expected) {
                // rolled back
              }
              int afterThrow = s.get("balance", Integer.class).orElseThrow();
              s.transaction(
                  txn -> {
                    txn.put("balance", 7);
                    return null;
                  });
              return afterRollback
                  + ","
                  + afterThrow
                  + ","
                  + s.get("balance", Integer.class).orElseThrow();
            });
    assertThat(result).isEqualTo("10,10,7");
  }

  @Test
  void deleteAllRemovesDataAndAlarm() {
    turn(
        s -> {
          s.put("a", 1);
          s.setAlarm(ObjectHarness.START.plusSeconds(60));
          return null;
        });
    harness.settle();
    turn(
        s -> {
          s.deleteAll();
          s.put("after", 1);
          return null;
        });
    harness.settle();
    assertThat(
            this.<List<String>>turn(
                s -> new ArrayList<>(s.list(ListOptions.all(), Integer.class).keySet())))
        .containsExactly("after");
    assertThat(this.<Boolean>turn(s -> s.getAlarm().isPresent())).isFalse();
    assertThat(engine.alarms()).isEmpty();
  }

  @Test
  void entryLimitNamesTheLimitAndSettingAndWritesNothing() {
    byte[] big = new byte[1024 * 1024];
    assertThatThrownBy(
            () ->
                turn(
                    s -> {
                      s.put("doc", big);
                      return null;
                    }))
        .isInstanceOf(StorageLimitException.class)
        .hasMessage(
            "key and value for key 'doc' are 1.0 MiB; the limit is 1 MiB"
                + " (outpost.storage.max-entry-size)");
    Map<String, Object> many = new HashMap<>();
    IntStream.range(0, StorageOperations.MAX_KEYS_PER_CALL + 1).forEach(i -> many.put("k" + i, i));
    assertThatThrownBy(
            () ->
                turn(
                    s -> {
                      s.put(many);
                      return null;
                    }))
        .isInstanceOf(StorageLimitException.class)
        .hasMessageContaining("129 keys; the limit is 128");
    assertThat(this.<Map<String, Object>>turn(s -> s.list(ListOptions.all(), Object.class)))
        .isEmpty();
  }

  @Test
  void storageOutsideATurnIsRefused() {
    var captured =
        new java.util.concurrent.atomic.AtomicReference<dev.outpost.api.DurableObjectStorage>();
    turn(
        s -> {
          captured.set(s);
          return null;
        });
    assertThatThrownBy(() -> captured.get().get("k", String.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("own turns");
  }
}
