package dev.outpost.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * How an object URL's name segment is decoded: strictly, so distinct URLs name distinct objects.
 */
class ObjectUrlTest {

  @Test
  void plainAndEscapedNamesDecode() {
    assertThat(ObjectUrl.decodeName("room-1")).isEqualTo("room-1");
    assertThat(ObjectUrl.decodeName("caf%C3%A9")).isEqualTo("café");
    assertThat(ObjectUrl.decodeName("café")).isEqualTo("café");
    assertThat(ObjectUrl.decodeName("%F0%9F%98%80x")).isEqualTo("\uD83D\uDE00x");
  }

  @Test
  void plusStaysLiteralAndAnEscapedSlashIsPartOfTheName() {
    assertThat(ObjectUrl.decodeName("a+b")).isEqualTo("a+b");
    assertThat(ObjectUrl.decodeName("a%2Bb")).isEqualTo("a+b");
    assertThat(ObjectUrl.decodeName("a%2Fb")).isEqualTo("a/b");
    assertThat(ObjectUrl.decodeName("100%25")).isEqualTo("100%");
  }

  @Test
  void namesThatAreNotUtf8AreRefusedNotCollapsedIntoOne() {
    assertThatThrownBy(() -> ObjectUrl.decodeName("a%C3-x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a%C3-x'")
        .hasMessageContaining("does not decode to UTF-8");
    assertThatThrownBy(() -> ObjectUrl.decodeName("a%C4-x"))
        .hasMessageContaining("'a%C4-x'")
        .hasMessageContaining("does not decode to UTF-8");
    assertThatThrownBy(() -> ObjectUrl.decodeName("%FF")).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> ObjectUrl.decodeName("%ED%A0%80")) // an encoded lone surrogate
        .hasMessageContaining("UTF-8");
  }

  @Test
  void malformedEscapesAreRefusedWithTheirPosition() {
    assertThatThrownBy(() -> ObjectUrl.decodeName("a%zzb"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("malformed percent-escape at position 1");
    assertThatThrownBy(() -> ObjectUrl.decodeName("ab%4"))
        .hasMessageContaining("malformed percent-escape at position 2");
    assertThatThrownBy(() -> ObjectUrl.decodeName("ab%")).hasMessageContaining("position 2");
  }
}
