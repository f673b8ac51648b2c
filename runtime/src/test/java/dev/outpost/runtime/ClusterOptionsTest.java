package dev.outpost.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

  private static ClusterOptions joining(List<String> join) {
    return ClusterOptions.of("n1", "eu-west", "127.0.0.1", 8080, 5701, join);
  }

  @Test
  void aDnsEntryNamesTheMembersHost() {
    assertThat(joining(List.of("dns:outpost-members.ns.svc.cluster.local")).joinDnsName())
        .contains("outpost-members.ns.svc.cluster.local");
  }

  @Test
  void hostAndPortEntriesHaveNoDnsName() {
    assertThat(joining(List.of("10.0.0.5:5701", "10.0.0.6:5701")).joinDnsName()).isEmpty();
    assertThat(joining(List.of()).joinDnsName()).isEmpty();
  }

  @Test
  void aDnsEntryBesideOtherMembersIsRefusedSayingWhatToDrop() {
    assertThatThrownBy(() -> joining(List.of("dns:members", "10.0.0.5:5701")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be the only one")
        .hasMessageContaining("drop the HOST:PORT entries or the dns: entry");
  }

  @Test
  void aDnsEntryWithoutANameIsRefused() {
    assertThatThrownBy(() -> joining(List.of("dns:")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("name a host");
  }
}
