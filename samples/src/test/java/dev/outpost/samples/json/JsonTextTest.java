package dev.outpost.samples.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTextTest {

  @Test
  void readsEveryKindOfValue() throws Exception {
    Object value =
        JsonText.parse(
            " {\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\udd14\",\"n\":-12.5e1,\"z\":0,"
                + "\"t\":true,\"f\":false,\"x\":null,\"a\":[1,[],{}]} ");

    assertThat(value).isInstanceOf(Map.class);
    Map<?, ?> map = (Map<?, ?>) value;
    assertThat(String.join(",", map.keySet().stream().map(String::valueOf).toList()))
        .isEqualTo("s,n,z,t,f,x,a");
    assertThat(map.get("s")).isEqualTo("a\"b\\c/\n\u00e9\uD83D\uDD14");
    assertThat(map.get("n")).isEqualTo(new BigDecimal("-12.5e1"));
    assertThat(map.get("z")).isEqualTo(BigDecimal.ZERO);
    assertThat(map.get("t")).isEqualTo(true);
    assertThat(map.get("f")).isEqualTo(false);
    assertThat(map.containsKey("x")).isTrue();
    assertThat(map.get("x")).isNull();
    assertThat(map.get("a")).isEqualTo(List.of(BigDecimal.ONE, List.of(), Map.of()));
  }

  @Test
  void refusesWhatTheGrammarForbidsSayingWhere() {
    assertRefused("{\"a\":1,}", "expected a member name in double quotes at character 7");
    assertRefused("[1,]", "unexpected character ']' where a value was expected at character 3");
    assertRefused("{'a':1}", "expected a member name in double quotes at character 1");
    assertRefused("01", "a number cannot have leading zeros at character 1");
    assertRefused("-", "a number needs digits after '-' at character 1");
    assertRefused("1.", "a number needs digits after '.' at character 2");
    assertRefused("1e", "a number needs digits in its exponent at character 2");
    assertRefused(
        "\"a\nb\"", "a raw control character U+000A in a string; escape it at character 2");
    assertRefused("\"\\x\"", "unknown escape \\x in a string at character 1");
    assertRefused("\"\\u12\"", "\\u needs four hex digits at character 3");
    assertRefused("\"abc", "a string is not closed at character 4");
    assertRefused("tru", "unexpected word; expected true at character 0");
    assertRefused("{} {}", "unexpected text after the JSON value at character 3");
    assertRefused("{\"a\":1 \"b\":2}", "expected ',' or '}' in an object at character 7");
    assertRefused("{\"a\":1,\"a\":2}", "the member \"a\" appears twice at character 7");
    assertRefused("", "the JSON text ends where a value was expected at character 0");
  }

  @Test
  void refusesNestingPastTheLimit() throws Exception {
    String deepest = "[".repeat(JsonText.MAX_DEPTH) + "]".repeat(JsonText.MAX_DEPTH);
    assertThat(JsonText.parse(deepest)).isInstanceOf(List.class);
    char[] open = new char[JsonText.MAX_DEPTH + 1];
    Arrays.fill(open, '[');
    assertRefused(new String(open), "nested deeper than 16 levels at character 16");
  }

  private static void assertRefused(String text, String message) {
    assertThatThrownBy(() -> JsonText.parse(text))
        .isInstanceOf(JsonText.MalformedException.class)
        .hasMessage(message);
  }
}
