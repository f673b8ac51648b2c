package dev.outpost.runtime.internal.storage;

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

class InMemoryStorageEngineTest extends StorageEngineContractTest {

  private final ObjectAddress object = address("counters", 1, "alice");

  @Override
  protected StorageEngine newEngine(Path dir) {
    return new InMemoryStorageEngine();
  }

  @Test
  void failNextCommitsForTestFailsExactlyThatManyCommitsAndWritesNothing() {
    InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
    memory.failNextCommitsForTest(2);
    WriteBatch batch =
        new WriteBatch(3).put(utf8("a"), utf8("1")).alarm(Instant.parse("2030-01-01T00:00:00Z"));

    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> memory.commit(object, batch))
          .isInstanceOf(StorageException.class)
          .isNotInstanceOf(StaleEpochException.class)
          .hasMessageContaining("counters/alice@");
    }
    assertThat(memory.get(object, utf8("a"))).isEmpty();
    assertThat(memory.alarms()).isEmpty();
    assertThat(memory.epoch(object)).isZero();

    memory.commit(object, batch);
    assertThat(entries(object, null, null, false)).containsExactly("a=1");
    assertThat(memory.epoch(object)).isEqualTo(3);
  }

  @Test
  void failNextCommitsForTestWithZeroStopsPendingFailures() {
    InMemoryStorageEngine memory = (InMemoryStorageEngine) engine;
    memory.failNextCommitsForTest(5);
    memory.failNextCommitsForTest(0);

    memory.commit(object, new WriteBatch(1).put(utf8("a"), utf8("1")));

    assertThat(entries(object, null, null, false)).containsExactly("a=1");
    assertThatThrownBy(() -> memory.failNextCommitsForTest(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
