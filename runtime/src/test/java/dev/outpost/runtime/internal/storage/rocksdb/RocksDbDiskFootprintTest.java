package dev.outpost.runtime.internal.storage.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.WriteBatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store holding a few hundred bytes takes a few hundred kilobytes of disk, not the tens of
 * megabytes RocksDB's defaults pre-allocate (write-ahead log, manifest) and log. Measured as {@code
 * du} measures it: allocated blocks, which is what pre-allocation ({@code fallocate} with {@code
 * KEEP_SIZE}) takes while file sizes stay small.
 */
class RocksDbDiskFootprintTest {

  private static final long LIMIT_BYTES = 5L * 1024 * 1024;

  @TempDir Path dir;

  @Test
  void aFreshStoreWithAFewWritesStaysUnderFiveMegabytesOnDisk() throws Exception {
    Path store = dir.resolve("storage");
    try (RocksDbStorageEngine engine = RocksDbStorageEngine.open(store, false)) {
      for (int i = 0; i < 5; i++) {
        ObjectAddress object =
            new ObjectAddress(
                "counter", DurableObjectId.of(String.format("%064x", i + 1), Optional.of("c" + i)));
        engine.commit(object, new WriteBatch(1).put(utf8("value"), utf8("{\"count\":" + i + "}")));
      }
      long open = allocatedBytes(store);
      assertThat(open).as("allocated bytes of %s while open", store).isLessThan(LIMIT_BYTES);
    }
    long closed = allocatedBytes(store);
    assertThat(closed).as("allocated bytes of %s after close", store).isLessThan(LIMIT_BYTES);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code du -s --block-size=1 DIR}: bytes of the blocks allocated to the files under it. */
  private static long allocatedBytes(Path path) throws IOException, InterruptedException {
    Process du =
        new ProcessBuilder("du", "-s", "--block-size=1", path.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!du.waitFor(30, TimeUnit.SECONDS) || du.exitValue() != 0) {
      throw new IllegalStateException("du " + path + " failed: " + out);
    }
    long bytes = Long.parseLong(out.split("\\s+")[0]);
    System.out.println("RocksDB disk footprint of " + path + ": " + bytes + " bytes");
    return bytes;
  }
}
