package dev.outpost.runtime.internal.activation;

import static dev.outpost.runtime.internal.activation.ActivationState.ACTIVATING;
import static dev.outpost.runtime.internal.activation.ActivationState.ACTIVE;
import static dev.outpost.runtime.internal.activation.ActivationState.DRAINING;
import static dev.outpost.runtime.internal.activation.ActivationState.EVICTED;
import static dev.outpost.runtime.internal.activation.ActivationState.RESET;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActivationStateTest {

  private static final Map<ActivationState, Set<ActivationState>> LEGAL =
      Map.of(
          ACTIVATING, EnumSet.of(ACTIVE, RESET, EVICTED),
          ACTIVE, EnumSet.of(DRAINING, EVICTED, RESET),
          DRAINING, EnumSet.of(EVICTED, RESET),
          RESET, EnumSet.of(ACTIVATING, EVICTED),
          EVICTED, EnumSet.noneOf(ActivationState.class));

  @Test
  void onlyTheDrawnTransitionsAreLegal() {
    for (ActivationState from : ActivationState.values()) {
      for (ActivationState to : ActivationState.values()) {
        assertThat(from.canMoveTo(to))
            .as("%s -> %s", from, to)
            .isEqualTo(LEGAL.get(from).contains(to));
      }
    }
  }
}
