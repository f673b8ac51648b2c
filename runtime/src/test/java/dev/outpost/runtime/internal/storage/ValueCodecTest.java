package dev.outpost.runtime.internal.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueCodecTest {

  private static final JsonMapper JACKSON = JsonMapper.builder().build();

  @Test
  void integersAreEncodedAsTheJsonJacksonWrites() throws Exception {
    for (Object value :
        List.of(
            0L,
            1L,
            -1L,
            42,
            Integer.MIN_VALUE,
            Integer.MAX_VALUE,
            Long.MAX_VALUE,
            Long.MIN_VALUE)) {
      byte[] encoded = ValueCodec.encode(value, "value");
      assertThat(encoded[0]).isEqualTo((byte) 2);
      assertThat(new String(encoded, 1, encoded.length - 1, StandardCharsets.US_ASCII))
          .isEqualTo(JACKSON.writeValueAsString(value));
    }
  }

  @Test
  void integersReadBackAsLongIntegerOrAnyOtherType() {
    for (long value :
        new long[] {0, 7, -7, 123_456_789_012_345_678L, Long.MAX_VALUE, Long.MIN_VALUE}) {
      assertThat(ValueCodec.decode(ValueCodec.encode(value, "v"), Long.class, "v"))
          .isEqualTo(value);
    }
    assertThat(ValueCodec.decode(ValueCodec.encode(-12, "v"), Integer.class, "v")).isEqualTo(-12);
    assertThat(ValueCodec.decode(ValueCodec.encode(12L, "v"), Integer.class, "v")).isEqualTo(12);
    assertThat(ValueCodec.decode(ValueCodec.encode(12L, "v"), Object.class, "v")).isEqualTo(12);
    assertThat(ValueCodec.decode(ValueCodec.encode(12L, "v"), Double.class, "v")).isEqualTo(12.0);
    assertThat(ValueCodec.decode(ValueCodec.encode(1.5, "v"), Double.class, "v")).isEqualTo(1.5);
    assertThat(ValueCodec.decode(ValueCodec.encode(Map.of("n", 3), "v"), Map.class, "v"))
        .isEqualTo(Map.of("n", 3));
  }

  @Test
  void whatIsNotAPlainIntegerIsLeftToJacksonAndItsErrors() {
    assertThatThrownBy(
            () -> ValueCodec.decode(ValueCodec.encode(3_000_000_000L, "v"), Integer.class, "count"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("count cannot be read as java.lang.Integer");
    assertThatThrownBy(() -> ValueCodec.decode(json("007"), Long.class, "count"))
        .hasMessageStartingWith("count cannot be read as java.lang.Long");
    assertThatThrownBy(() -> ValueCodec.decode(json("\"abc\""), Long.class, "count"))
        .hasMessageStartingWith("count cannot be read as java.lang.Long");
    assertThat(ValueCodec.decode(json("2.0"), Long.class, "v")).isEqualTo(2L);
    assertThat(ValueCodec.decode(json("-0"), Long.class, "v")).isEqualTo(0L);
    assertThatThrownBy(() -> ValueCodec.decode(json("-"), Long.class, "count"))
        .hasMessageStartingWith("count cannot be read as java.lang.Long");
  }

  private static byte[] json(String text) {
    byte[] content = text.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[content.length + 1];
    out[0] = 2;
    System.arraycopy(content, 0, out, 1, content.length);
    return out;
  }
}
