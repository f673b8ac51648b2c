package dev.outpost.integration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testkit.HttpResult;
import dev.outpost.testkit.TestHttpClient;
import dev.outpost.testkit.TestNode;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh node holding a few bytes keeps its data directory small on disk (RocksDB's default
 * pre-allocation and info log took ~75 MB; see {@code SmallNodeOptions}). Measured as {@code du}
 * measures it (allocated blocks), while the node runs and after it stopped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeDiskFootprintIT {

  private static final long LIMIT_BYTES = 5L * 1024 * 1024;

  @TempDir Path dataDir;

  @Test
  void aFreshNodeWithAFewWritesKeepsUnderFiveMegabytesOnDisk() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      try (TestNode node = TestNode.start(dataDir);
          TestHttpClient http = new TestHttpClient(vertx, node, 2)) {
        for (int i = 1; i <= 5; i++) {
          HttpResult result = http.post("/objects/counter/disk-" + i);
          assertThat(result.status()).as("POST counter %d: %s", i, result).isEqualTo(200);
        }
        assertThat(allocatedBytes(dataDir))
            .as("%s while the node runs", dataDir)
            .isLessThan(LIMIT_BYTES);
      }
      assertThat(allocatedBytes(dataDir))
          .as("%s after it stopped", dataDir)
          .isLessThan(LIMIT_BYTES);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
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
    System.out.println("data directory " + path + " takes " + bytes + " bytes on disk");
    return bytes;
  }
}
