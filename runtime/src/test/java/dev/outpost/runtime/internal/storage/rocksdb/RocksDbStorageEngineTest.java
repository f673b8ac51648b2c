package dev.outpost.runtime.internal.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StaleEpochException;
import dev.outpost.runtime.spi.StorageEngine;
import dev.outpost.runtime.spi.StorageEngineContractTest;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.WriteBatch;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RocksDbStorageEngineTest extends StorageEngineContractTest {

  private final ObjectAddress object = address("counters", 1, "alice");

  @Override
  protected StorageEngine newEngine(Path dir) {
    return RocksDbStorageEngine.open(dir, false);
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Test
  void syncedEngineCommitsAndReopens() {
    Path synced = dir.resolve("synced");
    Instant alarm = Instant.parse("2030-01-01T00:00:00Z");
    try (StorageEngine first = RocksDbStorageEngine.open(synced, true)) {
      first.commit(object, new WriteBatch(2).put(utf8("a"), utf8("1")).alarm(alarm));
    }
    try (StorageEngine second = RocksDbStorageEngine.open(synced, true)) {
      assertThat(second.get(object, utf8("a")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("1")));
      assertThat(second.alarm(object).orElseThrow().time()).isEqualTo(alarm);
      assertThat(second.epoch(object)).isEqualTo(2);
    }
  }

  @Test
  void appliedIndexGoesWithItsBatchAndAStaleBatchStillRecordsIt() {
    try (RocksDbStorageEngine replica = RocksDbStorageEngine.open(dir.resolve("replica"), false)) {
      assertThat(replica.appliedIndex()).isZero();
      replica.apply(object, new WriteBatch(2).put(utf8("a"), utf8("1")), 7);
      assertThat(replica.appliedIndex()).isEqualTo(7);
      assertThatThrownBy(
              () -> replica.apply(object, new WriteBatch(1).put(utf8("a"), utf8("x")), 8))
          .isInstanceOf(StaleEpochException.class);
      assertThat(replica.appliedIndex()).as("a refused entry is applied too").isEqualTo(8);
      replica.recordApplied(9);
      assertThat(replica.appliedIndex()).as("a configuration entry").isEqualTo(9);
      assertThat(replica.get(object, utf8("a")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("1")));
    }
    try (RocksDbStorageEngine reopened = RocksDbStorageEngine.open(dir.resolve("replica"), false)) {
      assertThat(reopened.appliedIndex()).isEqualTo(9);
      assertThat(reopened.objects()).as("the index is no object").containsExactly(object);
    }
  }

  @Test
  void aCheckpointOpensAsAStoreWithEverythingAppliedBeforeIt() {
    Path checkpoint = dir.resolve("checkpoint");
    try (RocksDbStorageEngine replica = RocksDbStorageEngine.open(dir.resolve("replica"), false)) {
      replica.apply(object, new WriteBatch(1).put(utf8("a"), utf8("1")).alarm(Instant.EPOCH), 3);
      replica.checkpoint(checkpoint);
      replica.apply(object, new WriteBatch(1).put(utf8("a"), utf8("2")), 4);
    }
    try (RocksDbStorageEngine copy = RocksDbStorageEngine.open(checkpoint, false)) {
      assertThat(copy.appliedIndex()).isEqualTo(3);
      assertThat(copy.get(object, utf8("a")))
          .hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("1")));
      assertThat(copy.alarm(object)).isPresent();
    }
  }

  @Test
  void secondEngineOnAnOpenDirectoryFailsNamingTheDirectory() {
    assertThatThrownBy(() -> RocksDbStorageEngine.open(dir, false))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("another node or engine uses this directory");
  }

  @Test
  void clearedRangesStayClearedAfterManyClearAllsAndARestart() {
    for (int round = 1; round <= 20; round++) {
      engine.commit(
          object,
          new WriteBatch(round).clearAll().put(utf8("round"), utf8(Integer.toString(round))));
    }
    engine.close();
    engine = newEngine(dir);

    assertThat(entries(object, null, null, false)).containsExactly("round=20");
    assertThat(engine.epoch(object)).isEqualTo(20);
  }
}
