package dev.outpost.router.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutboundBudgetTest {

  private static final int MESSAGE_LIMIT = 32 * 1024 * 1024;

  @Test
  void oneMessageOfTheFullMessageLimitFitsABudgetSmallerThanIt() {
    OutboundBudget budget = OutboundBudget.of(RealtimeOptions.defaults()); // 8 MiB
    assertThat(budget.tryAdmit(MESSAGE_LIMIT)).as("32 MiB alone on an 8 MiB budget").isTrue();
    assertThat(budget.tryAdmit(1)).as("anything behind it").isFalse();
    budget.release(MESSAGE_LIMIT);
    assertThat(budget.tryAdmit(MESSAGE_LIMIT)).as("the next one, once it was written").isTrue();
  }

  @Test
  void messagesAndBytesBoundWhatWaits() {
    OutboundBudget budget = new OutboundBudget(3, 100);
    assertThat(budget.tryAdmit(40)).isTrue();
    assertThat(budget.tryAdmit(60)).isTrue();
    assertThat(budget.tryAdmit(1)).as("101 bytes").isFalse();
    budget.release(60);
    assertThat(budget.tryAdmit(1)).isTrue();
    assertThat(budget.tryAdmit(1)).isTrue();
    assertThat(budget.tryAdmit(1)).as("a fourth message").isFalse();
    assertThat(budget.messages()).isEqualTo(3);
    assertThat(budget.bytes()).isEqualTo(42);
  }
}
