package dev.outpost.runtime.internal.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.RegionTopology;
import dev.outpost.runtime.ReplicationOptions;
import dev.outpost.runtime.ReplicationOptions.ReplicaPeer;
import dev.outpost.runtime.internal.bundle.ObjectIds;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupLayoutTest {

  private static final RegionTopology OPEN = RegionTopology.open();

  private static ReplicaPeer peer(String id, String region) {
    return new ReplicaPeer(id, region, "127.0.0.1", 7000 + id.hashCode() % 1000 + 1000);
  }

  @Test
  void threeNodesOfOneRegionMakeThreeGroupsOfAllThreeEachPreferringAnotherLeader() {
    GroupLayout layout =
        GroupLayout.of(
            ReplicationOptions.of(List.of(peer("n3", "r"), peer("n1", "r"), peer("n2", "r"))),
            OPEN);
    assertThat(layout.groups())
        .extracting(GroupLayout.Group::name)
        .containsExactly("g-n1", "g-n2", "g-n3");
    assertThat(layout.group("g-n2").orElseThrow().members())
        .extracting(ReplicaPeer::nodeId)
        .containsExactly("n2", "n3", "n1");
    assertThat(layout.groupsOf("n1")).hasSize(3);
  }

  @Test
  void aTwoNodeRegionTakesItsThirdCopyFromAnotherRegion() {
    GroupLayout layout =
        GroupLayout.of(
            ReplicationOptions.of(
                List.of(peer("a1", "eu"), peer("a2", "eu"), peer("b1", "us"), peer("b2", "us"))),
            OPEN);
    GroupLayout.Group g = layout.group("g-a1").orElseThrow();
    assertThat(g.members()).extracting(ReplicaPeer::nodeId).containsExactly("a1", "a2", "b1");
    assertThat(g.region()).isEqualTo("eu");
  }

  @Test
  void objectsOfARegionSpreadOverItsGroupsAndAlwaysMapTheSameWay() {
    GroupLayout layout =
        GroupLayout.of(
            ReplicationOptions.of(List.of(peer("n1", "r"), peer("n2", "r"), peer("n3", "r"))),
            OPEN);
    ObjectIds ids = new ObjectIds("key");
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      DurableObjectId id = ids.fromName("counter", "c" + i);
      GroupLayout.Group g = layout.groupFor("r", id);
      assertThat(layout.groupFor("r", id)).isEqualTo(g);
      counts.merge(g.name(), 1, Integer::sum);
    }
    assertThat(counts).hasSize(3);
    assertThat(counts.values()).allMatch(c -> c > 60);
    assertThat(layout.groupFor("elsewhere", ids.fromName("counter", "x")).region())
        .as("a region without peers uses the nearest region's groups")
        .isEqualTo("r");
  }
}
