package dev.outpost.samples.counter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.Request;
import dev.outpost.api.Response;
import dev.outpost.testkit.ObjectHarness;
import dev.outpost.testkit.ObjectUnderTest;
import dev.outpost.testkit.RecordingSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CounterTest {

  private final ObjectHarness harness = ObjectHarness.of("counter", Counter.class);

  @AfterEach
  void close() {
    harness.close();
  }

  @Test
  void watchersGetTheValueAtOnceThenEveryNewValue() {
    ObjectUnderTest counter = harness.object("watched");
    counter.post("/", "");
    RecordingSocket watcher = counter.connect("/");

    counter.post("/", "");
    counter.post("/", "");
    watcher.send("ignored");

    assertThat(watcher.texts()).containsExactly("1", "2", "3");
    assertThat(counter.get("/").bodyText()).isEqualTo("3");
  }

  @Test
  void answersZeroBeforeTheFirstIncrement() {
    Response response = harness.object("fresh").get("/");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.bodyText()).isEqualTo("0");
    assertThat(harness.object("fresh").storedKeys()).isEmpty();
  }

  @Test
  void eachPostAddsOneAndAnswersTheNewValue() {
    ObjectUnderTest counter = harness.object("a");

    assertThat(counter.post("/", "").bodyText()).isEqualTo("1");
    assertThat(counter.post("/", "").bodyText()).isEqualTo("2");
    assertThat(counter.post("/", "").bodyText()).isEqualTo("3");

    assertThat(counter.get("/").bodyText()).isEqualTo("3");
    assertThat(counter.stored("value", Long.class)).contains(3L);
  }

  @Test
  void incrementsSurviveEviction() {
    ObjectUnderTest counter = harness.object("a");
    counter.post("/", "");
    counter.post("/", "");

    assertThat(counter.evict()).isTrue();
    assertThat(counter.isActive()).isFalse();

    assertThat(counter.get("/").bodyText()).isEqualTo("2");
    assertThat(counter.post("/", "").bodyText()).isEqualTo("3");
  }

  @Test
  void anIdleCounterIsEvictedAndKeepsItsValue() {
    ObjectUnderTest counter = harness.object("a");
    counter.post("/", "");

    harness.advance(harness.host().options().idleTimeout().minusSeconds(1));
    assertThat(counter.isActive()).isTrue();
    harness.advance(java.time.Duration.ofSeconds(1));
    assertThat(counter.isActive()).isFalse();

    assertThat(counter.get("/").bodyText()).isEqualTo("1");
  }

  @Test
  void countersOfDifferentNamesAreIndependent() {
    harness.object("a").post("/", "");
    harness.object("a").post("/", "");
    harness.object("b").post("/", "");

    assertThat(harness.object("a").get("/").bodyText()).isEqualTo("2");
    assertThat(harness.object("b").get("/").bodyText()).isEqualTo("1");
  }

  @Test
  void concurrentIncrementsEachSeeADistinctValue() {
    ObjectUnderTest counter = harness.object("a");
    List<CompletableFuture<Response>> posts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      posts.add(counter.fetchAsync(Request.builder("POST", "/").build()));
    }

    List<Long> answers = posts.stream().map(f -> Long.parseLong(f.join().bodyText())).toList();

    assertThat(answers).containsExactlyInAnyOrderElementsOf(range(1, 50));
    assertThat(counter.stored("value", Long.class)).contains(50L);
  }

  @Test
  void otherMethodsAreRefusedWithTheAllowedOnes() {
    Response response = harness.object("a").fetch(Request.builder("DELETE", "/").build());

    assertThat(response.status()).isEqualTo(405);
    assertThat(response.header("Allow")).contains("GET, POST");
    assertThat(harness.object("a").get("/").bodyText()).isEqualTo("0");
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
