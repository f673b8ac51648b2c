package dev.outpost.samples.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of one JSON text (RFC 8259) for the samples' requests and commands (the
 * notifications inbox, the playback room), since a code bundle depends on the user API and the JDK
 * only. Objects become {@code Map<String, Object>} in document order, arrays {@code List<Object>},
 * strings {@code String}, numbers {@code BigDecimal}, {@code true}/{@code false} {@code Boolean},
 * and {@code null} a Java null.
 *
 * <p>Stricter than the RFC requires where that catches mistakes: a name repeated in one object is
 * refused (RFC 8259 §4 says names "SHOULD be unique"), and nesting deeper than {@value #MAX_DEPTH}
 * is refused. Anything else the grammar forbids (trailing commas, single quotes, leading zeros, raw
 * control characters in strings, text after the value) is refused too. Every refusal names what was
 * wrong and the character offset where it was found. Stateless; any thread.
 */
public final class JsonText {

  /** Deepest nesting of objects and arrays accepted. */
  public static final int MAX_DEPTH = 16;

  /** A JSON text that does not parse; the message says what and where. */
  public static final class MalformedException extends Exception {
    public MalformedException(String message) {
      super(message);
    }
  }

  private final String text;
  private int at;

  private JsonText(String text) {
    this.text = text;
  }

  /**
   * Parses {@code text}, which must hold exactly one JSON value (whitespace around it allowed).
   *
   * @throws MalformedException if it is not valid JSON, says where
   */
  public static Object parse(String text) throws MalformedException {
    JsonText reader = new JsonText(text);
    reader.skipSpace();
    Object value = reader.value(0);
    reader.skipSpace();
    if (reader.at < text.length()) {
      throw reader.error("unexpected text after the JSON value");
    }
    return value;
  }

  private Object value(int depth) throws MalformedException {
    if (at >= text.length()) {
      throw error("the JSON text ends where a value was expected");
    }
    char c = text.charAt(at);
    return switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't' -> literal("true", Boolean.TRUE);
      case 'f' -> literal("false", Boolean.FALSE);
      case 'n' -> literal("null", null);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected character " + describe(c) + " where a value was expected");
      }
    };
  }

  private Map<String, Object> object(int depth) throws MalformedException {
    checkDepth(depth);
    at++; // {
    Map<String, Object> members = new LinkedHashMap<>();
    skipSpace();
    if (peek() == '}') {
      at++;
      return members;
    }
    while (true) {
      skipSpace();
      if (peek() != '"') {
        throw error("expected a member name in double quotes");
      }
      int nameAt = at;
      String name = string();
      skipSpace();
      expect(':', "expected ':' after the member name");
      skipSpace();
      Object value = value(depth);
      if (members.containsKey(name)) {
        at = nameAt;
        throw error("the member \"" + name + "\" appears twice");
      }
      members.put(name, value);
      skipSpace();
      if (peek() == ',') {
        at++;
        continue;
      }
      expect('}', "expected ',' or '}' in an object");
      return members;
    }
  }

  private List<Object> array(int depth) throws MalformedException {
    checkDepth(depth);
    at++; // [
    List<Object> items = new ArrayList<>();
    skipSpace();
    if (peek() == ']') {
      at++;
      return items;
    }
    while (true) {
      skipSpace();
      items.add(value(depth));
      skipSpace();
      if (peek() == ',') {
        at++;
        continue;
      }
      expect(']', "expected ',' or ']' in an array");
      return items;
    }
  }

  private String string() throws MalformedException {
    at++; // opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw error("a string is not closed");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        at--;
        throw error("a raw control character " + describe(c) + " in a string; escape it");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw error("a string ends in the middle of an escape");
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"' -> out.append('"');
        case '\\' -> out.append('\\');
        case '/' -> out.append('/');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("\\u needs four hex digits");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(at + i), 16);
            if (digit < 0) {
              throw error("\\u needs four hex digits");
            }
            code = code * 16 + digit;
          }
          at += 4;
          out.append((char) code);
        }
        default -> {
          at -= 2;
          throw error("unknown escape \\" + e + " in a string");
        }
      }
    }
  }

  private BigDecimal number() throws MalformedException {
    int start = at;
    if (peek() == '-') {
      at++;
    }
    if (peek() == '0') {
      at++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("a number needs digits after '-'");
    }
    if (peek() == '.') {
      at++;
      if (!isDigit(peek())) {
        throw error("a number needs digits after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      at++;
      if (peek() == '+' || peek() == '-') {
        at++;
      }
      if (!isDigit(peek())) {
        throw error("a number needs digits in its exponent");
      }
      digits();
    }
    if (isDigit(peek())) {
      throw error("a number cannot have leading zeros");
    }
    try {
      return new BigDecimal(text.substring(start, at));
    } catch (NumberFormatException | ArithmeticException e) {
      at = start;
      throw error("a number out of range");
    }
  }

  private Object literal(String word, Object value) throws MalformedException {
    if (!text.startsWith(word, at)) {
      throw error("unexpected word; expected " + word);
    }
    at += word.length();
    return value;
  }

  private void digits() {
    while (isDigit(peek())) {
      at++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void checkDepth(int depth) throws MalformedException {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private void expect(char c, String otherwise) throws MalformedException {
    if (peek() != c) {
      throw error(otherwise);
    }
    at++;
  }

  /** The current character, or NUL past the end (NUL never starts valid JSON outside a string). */
  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private void skipSpace() {
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      at++;
    }
  }

  private MalformedException error(String what) {
    return new MalformedException(what + " at character " + at);
  }

  private static String describe(char c) {
    return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
  }
}
