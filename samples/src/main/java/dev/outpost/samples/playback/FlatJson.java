package dev.outpost.samples.playback;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one flat JSON object (RFC 8259): {@code {"key": value, ...}} whose values are strings,
 * numbers, booleans or null, the shape of every command a playback viewer sends. The samples depend
 * on the user API and the JDK only, so they carry this small reader instead of a JSON library.
 *
 * <p>Numbers come back as {@link BigDecimal} (exact; {@code 1e999999} parses without overflowing,
 * so callers compare ranges before converting), strings as {@link String}, {@code true}/{@code
 * false} as {@link Boolean}, {@code null} as {@link #NULL}. Nested objects and arrays, duplicate
 * keys, trailing text and anything else outside the grammar throw {@link MalformedJsonException}
 * saying where and what was expected. Stateless and thread-safe.
 */
final class FlatJson {

  /** The JSON {@code null} value (maps of this reader never hold Java null). */
  static final Object NULL = new Object();

  /** The text is not one flat JSON object; the message says where and why. */
  static final class MalformedJsonException extends IllegalArgumentException {
    MalformedJsonException(String message) {
      super(message);
    }
  }

  private static final String HEX = "0123456789abcdefABCDEF";

  private final String text;
  private int at;

  private FlatJson(String text) {
    this.text = text;
  }

  /** The members of the object in {@code text}, in their order. */
  static Map<String, Object> parse(String text) {
    FlatJson reader = new FlatJson(text);
    Map<String, Object> members = reader.object();
    reader.space();
    if (reader.at < text.length()) {
      throw reader.error("the end of the text after the object");
    }
    return Collections.unmodifiableMap(members);
  }

  private Map<String, Object> object() {
    space();
    expect('{', "an object '{'");
    Map<String, Object> members = new LinkedHashMap<>();
    space();
    if (peek() == '}') {
      at++;
      return members;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("a member name in double quotes");
      }
      int keyAt = at;
      String key = string();
      space();
      expect(':', "':' after the member name");
      space();
      Object value = value();
      if (members.putIfAbsent(key, value) != null) {
        throw new MalformedJsonException(
            "malformed JSON at character " + keyAt + ": member \"" + key + "\" appears twice");
      }
      space();
      char next = peek();
      at++;
      if (next == '}') {
        return members;
      }
      if (next != ',') {
        at--;
        throw error("',' or '}' after a member");
      }
    }
  }

  private Object value() {
    char c = peek();
    return switch (c) {
      case '"' -> string();
      case 't' -> word("true", Boolean.TRUE);
      case 'f' -> word("false", Boolean.FALSE);
      case 'n' -> word("null", NULL);
      case '{', '[' -> throw error("a string, number, boolean or null (commands are flat)");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("a value");
      }
    };
  }

  private Object word(String word, Object value) {
    if (!text.startsWith(word, at)) {
      throw error(word);
    }
    at += word.length();
    return value;
  }

  private BigDecimal number() {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    if (peek() == '0') {
      at++;
    } else if (!digits()) {
      throw error("a digit");
    }
    if (peek() == '.') {
      at++;
      if (!digits()) {
        throw error("a digit after '.'");
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      if (!digits()) {
        throw error("a digit in the exponent");
      }
    }
    try {
      return new BigDecimal(text.substring(start, at));
    } catch (NumberFormatException e) { // an exponent beyond int range
      at = start;
      throw error("a number of a sensible size");
    }
  }

  private boolean digits() {
    int start = at;
    while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
      at++;
    }
    return at > start;
  }

  private String string() {
    at++; // the opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw error("a closing '\"'");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        at--;
        throw error("no control character in a string (escape it)");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = peek();
      at++;
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = HEX.indexOf(peek());
            if (digit < 0 || peek() == '\0') {
              throw error("four hex digits after \\u");
            }
            code = code * 16 + (digit >= 16 ? digit - 6 : digit);
            at++;
          }
          out.append((char) code);
        }
        default -> {
          at--;
          throw error("an escape: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX");
        }
      }
    }
  }

  private void space() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private void expect(char c, String what) {
    if (peek() != c) {
      throw error(what);
    }
    at++;
  }

  private MalformedJsonException error(String expected) {
    String seen =
        at >= text.length()
            ? "the end of the text"
            : "'"
                + (text.charAt(at) < 0x20
                    ? "\\u%04x".formatted((int) text.charAt(at))
                    : text.charAt(at))
                + "'";
    return new MalformedJsonException(
        "malformed JSON at character " + at + ": expected " + expected + ", saw " + seen);
  }
}
