package dev.outpost.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacerTest {

  @Test
  void issuesEachOperationAtItsIntendedTimeAndStopsAtTheEnd() {
    Pacer pacer = new Pacer(1_000, 1_000 + 10_000_000, 1000, 100); // 1,000/s for 10 ms
    List<Long> intended = new ArrayList<>();

    assertThat(pacer.tick(999, intended::add)).isZero();
    assertThat(pacer.tick(1_000, intended::add)).isEqualTo(1);
    assertThat(pacer.tick(3_000_999, intended::add)).isEqualTo(2);
    assertThat(pacer.tick(3_001_000, intended::add)).isEqualTo(1);
    assertThat(intended)
        .containsExactly(1_000L, 1_001_000L, 2_001_000L, 3_001_000L)
        .doesNotHaveDuplicates();
    assertThat(pacer.finished()).isFalse();

    assertThat(pacer.tick(60_000_000, intended::add)).isEqualTo(6);
    assertThat(intended).hasSize(10).last().isEqualTo(9_001_000L);
    assertThat(pacer.finished()).isTrue();
  }

  @Test
  void aBacklogIsIssuedAtMostMaxPerTickAtATimeKeepingItsIntendedTimes() {
    Pacer pacer = new Pacer(0, 1_000_000_000, 1_000_000, 100); // 1 per µs
    List<Long> intended = new ArrayList<>();

    assertThat(pacer.tick(1_000_000, intended::add)).isEqualTo(100);
    assertThat(pacer.tick(1_000_000, intended::add)).isEqualTo(100);

    assertThat(intended.get(0)).isZero();
    assertThat(intended.get(199)).isEqualTo(199_000L);
  }
}
