package dev.outpost.runtime.internal.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.api.DurableObjectId;
import org.junit.jupiter.api.Test;

class ObjectIdsTest {

  private final ObjectIds ids = new ObjectIds("test-key");

  @Test
  void idFromNameIsDeterministicPerNamespaceAndKeepsTheName() {
    DurableObjectId a = ids.fromName("chat", "lobby");
    assertThat(ids.fromName("chat", "lobby")).isEqualTo(a);
    assertThat(new ObjectIds("test-key").fromName("chat", "lobby").toString())
        .isEqualTo(a.toString());
    assertThat(ids.fromName("counter", "lobby")).isNotEqualTo(a);
    assertThat(new ObjectIds("other-key").fromName("chat", "lobby")).isNotEqualTo(a);
    assertThat(a.toString()).matches("[0-9a-f]{64}");
    assertThat(a.name()).contains("lobby");
  }

  @Test
  void jurisdictionMakesOtherIdsThatParseBackToTheirJurisdiction() {
    DurableObjectId plain = ids.fromName("chat", "lobby");
    DurableObjectId eu = ids.fromName("chat", "lobby", java.util.Optional.of("eu"));
    assertThat(eu).isNotEqualTo(plain);
    assertThat(eu.jurisdiction()).contains("eu");
    assertThat(ids.parse("chat", eu.toString()).jurisdiction()).contains("eu");
    assertThat(ids.parse("chat", plain.toString()).jurisdiction()).isEmpty();
    assertThat(
            ids.parse("chat", ids.unique("chat", java.util.Optional.of("us")).toString())
                .jurisdiction())
        .contains("us");
    assertThatThrownBy(() -> DurableObjectId.checkJurisdiction("mars"))
        .hasMessageContaining("unknown jurisdiction 'mars'");
  }

  @Test
  void namesOverTheLimitAreNotKept() {
    assertThat(ids.fromName("chat", "x".repeat(1025)).name()).isEmpty();
    assertThat(ids.fromName("chat", "x".repeat(1024)).name()).isPresent();
  }

  @Test
  void parseAcceptsOwnIdsAndRejectsForeignOrMalformedOnes() {
    DurableObjectId unique = ids.unique("chat");
    assertThat(ids.parse("chat", unique.toString())).isEqualTo(unique);
    assertThat(ids.parse("chat", unique.toString()).name()).isEmpty();
    assertThat(ids.unique("chat")).isNotEqualTo(unique);
    assertThatThrownBy(() -> ids.parse("counter", unique.toString()))
        .hasMessageContaining("was not made for namespace 'counter'");
    assertThatThrownBy(() -> ids.parse("chat", "xyz"))
        .hasMessageContaining("expected 64 lowercase hex digits");
    String flipped =
        (unique.toString().charAt(0) == 'a' ? "b" : "a") + unique.toString().substring(1);
    assertThatThrownBy(() -> ids.parse("chat", flipped)).hasMessageContaining("was not made for");
  }
}
