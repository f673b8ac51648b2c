package dev.outpost.router.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.WebSocketMessage;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  @Test
  void aMessageLargerThanTheByteBoundIsKeptUntilTheNextOne() {
    ReplayBuffer buffer = new ReplayBuffer(16, 1024, Duration.ofMinutes(2));
    buffer.append(WebSocketMessage.text("x".repeat(4096)), NOW);
    assertThat(buffer.after(0, 16, 1024)).as("a pull consumer still gets it").hasSize(1);
    buffer.append(WebSocketMessage.text("small"), NOW);
    assertThat(buffer.after(0, 16, 1024))
        .extracting(ReplayBuffer.Entry::offset)
        .as("the large one leaves once another follows")
        .containsExactly(2L);
  }
}
