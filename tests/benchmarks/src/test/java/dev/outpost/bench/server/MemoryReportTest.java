package dev.outpost.bench.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryReportTest {

  @Test
  void parsesTheMemLineAndMarksMissingFields() {
    MemoryReport mem =
        MemoryReport.parse(
            "mem heap_used=1000 heap_committed=2000 rss=3000 objects=4 sockets=5 fds=6");
    assertThat(mem).isEqualTo(new MemoryReport(1000, 2000, 3000, 4, 5, 6));

    MemoryReport stats = MemoryReport.parse("stats objects=0 sockets=19800 fds=19844");
    assertThat(stats).isEqualTo(new MemoryReport(-1, -1, -1, 0, 19800, 19844));
  }

  @Test
  void theBaselineServesRoomsOnlyUnderTheChatPrefix() {
    assertThat(BroadcastServer.room("/objects/chat/lobby")).isEqualTo("lobby");
    assertThat(BroadcastServer.room("/objects/chat/lobby/x")).isEqualTo("lobby");
    assertThat(BroadcastServer.room("/objects/chat/")).isNull();
    assertThat(BroadcastServer.room("/objects/counter/a")).isNull();
  }
}
