package dev.outpost.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DurableObjectExceptionTest {

  private static final RuntimeException CAUSE = new IllegalStateException("boom");

  @Test
  void remoteSetsOnlyRemote() {
    DurableObjectException e = DurableObjectException.remote("threw", CAUSE);
    assertThat(flags(e)).containsExactly(true, false, false);
    assertThat(e).hasMessage("threw").hasCause(CAUSE);
    assertThat(flags(DurableObjectException.remote("threw"))).containsExactly(true, false, false);
  }

  @Test
  void retryableSetsOnlyRetryable() {
    DurableObjectException e = DurableObjectException.retryable("lost", CAUSE);
    assertThat(flags(e)).containsExactly(false, true, false);
    assertThat(e).hasMessage("lost").hasCause(CAUSE);
    assertThat(DurableObjectException.retryable("lost").getCause()).isNull();
    assertThat(flags(DurableObjectException.retryable("lost"))).containsExactly(false, true, false);
  }

  @Test
  void overloadedSetsOnlyOverloaded() {
    DurableObjectException e = DurableObjectException.overloaded("full");
    assertThat(flags(e)).containsExactly(false, false, true);
    assertThat(e).hasMessage("full").hasNoCause();
  }

  @Test
  void invalidSetsNoFlag() {
    DurableObjectException e = DurableObjectException.invalid("too deep");
    assertThat(flags(e)).containsExactly(false, false, false);
    assertThat(e).hasMessage("too deep").hasNoCause();
  }

  @Test
  void copyOfKeepsMessageAndFlagsAndWrapsTheOriginal() {
    DurableObjectException original = DurableObjectException.overloaded("full");
    DurableObjectException copy = DurableObjectException.copyOf(original);
    assertThat(copy).isNotSameAs(original).hasMessage("full").hasCause(original);
    assertThat(flags(copy)).containsExactly(false, false, true);
  }

  private static Boolean[] flags(DurableObjectException e) {
    return new Boolean[] {e.remote(), e.retryable(), e.overloaded()};
  }
}
