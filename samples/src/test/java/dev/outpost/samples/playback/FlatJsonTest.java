package dev.outpost.samples.playback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.samples.playback.FlatJson.MalformedJsonException;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlatJsonTest {

  @Test
  void readsEveryKindOfFlatValueInOrder() {
    Map<String, Object> members =
        FlatJson.parse(
            " {\"s\":\"a\\\"b\\\\c\\/\\n\\u00e9\\u20AC\", \"n\": -12.5e2 ,\"z\":0,\"t\":true,"
                + "\"f\":false,\"x\":null}\n");

    assertThat(members.keySet()).containsExactly("s", "n", "z", "t", "f", "x");
    assertThat(members.get("s")).isEqualTo("a\"b\\c/\né€");
    assertThat(members.get("n")).isEqualTo(new BigDecimal("-12.5e2"));
    assertThat(members.get("z")).isEqualTo(BigDecimal.ZERO);
    assertThat(members.get("t")).isEqualTo(true);
    assertThat(members.get("f")).isEqualTo(false);
    assertThat(members.get("x")).isSameAs(FlatJson.NULL);
    assertThat(FlatJson.parse("{}")).isEmpty();
  }

  @Test
  void keepsNumbersExactAndHugeExponentsWithoutOverflow() {
    assertThat(
            ((BigDecimal) FlatJson.parse("{\"t0\":1893455997123.456}").get("t0")).toPlainString())
        .isEqualTo("1893455997123.456");
    assertThat((BigDecimal) FlatJson.parse("{\"n\":1e999999}").get("n"))
        .isGreaterThan(BigDecimal.valueOf(Long.MAX_VALUE));
  }

  @Test
  void saysWhereAndWhatWasExpected() {
    assertError("", "at character 0: expected an object '{', saw the end of the text");
    assertError("[1]", "at character 0: expected an object '{', saw '['");
    assertError("{\"a\":1,}", "at character 7: expected a member name in double quotes, saw '}'");
    assertError("{\"a\" 1}", "at character 5: expected ':' after the member name, saw '1'");
    assertError("{\"a\":{}}", "at character 5: expected a string, number, boolean or null");
    assertError("{\"a\":[1]}", "at character 5: expected a string, number, boolean or null");
    assertError("{\"a\":01}", "at character 6: expected ',' or '}' after a member, saw '1'");
    assertError("{\"a\":-}", "at character 6: expected a digit, saw '}'");
    assertError("{\"a\":1.}", "at character 7: expected a digit after '.'");
    assertError("{\"a\":1e}", "at character 7: expected a digit in the exponent");
    assertError("{\"a\":+1}", "at character 5: expected a value, saw '+'");
    assertError("{\"a\":tru}", "at character 5: expected true");
    assertError("{\"a\":\"x}", "at character 8: expected a closing '\"'");
    assertError("{\"a\":\"\\x\"}", "at character 7: expected an escape");
    assertError("{\"a\":\"\\u12g4\"}", "at character 10: expected four hex digits after \\u");
    assertError("{\"a\":\"\\u+123\"}", "expected four hex digits after \\u, saw '+'");
    assertError("{\"a\":\"\t\"}", "at character 6: expected no control character in a string");
    assertError("{\"a\":1e99999999999}", "at character 5: expected a number of a sensible size");
    assertError("{\"a\":1} x", "at character 8: expected the end of the text after the object");
    assertError("{\"a\":1,\"a\":2}", "at character 7: member \"a\" appears twice");
  }

  private static void assertError(String text, String message) {
    assertThatThrownBy(() -> FlatJson.parse(text))
        .as(text)
        .isInstanceOf(MalformedJsonException.class)
        .hasMessageContaining("malformed JSON")
        .hasMessageContaining(message);
  }
}
