package dev.outpost.api.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void quoteEscapesWhatRfc8259Requires() {
    assertThat(Json.quote("a\"b\\c\n\t\u0001é€")).isEqualTo("\"a\\\"b\\\\c\\n\\t\\u0001é€\"");
    assertThat(Json.quote(null)).isEqualTo("null");
  }

  @Test
  void writeKeepsTheMapsOrderAndWritesNonFiniteNumbersAsNull() {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("z", 1);
    value.put("a", List.of(true, "x", 2.5));
    value.put("nan", Double.NaN);
    value.put("none", null);
    assertThat(Json.write(value))
        .isEqualTo("{\"z\":1,\"a\":[true,\"x\",2.5],\"nan\":null,\"none\":null}");
  }
}
