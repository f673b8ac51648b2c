package dev.outpost.api.realtime;

import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer (RFC 8259) for objects' events, since a code bundle depends on the user API
 * and the JDK only: null, strings, numbers, booleans, maps (keys written as strings, in the map's
 * order) and collections. A non-finite number is written as {@code null}; anything else as its
 * string. Stateless; any thread.
 */
public final class Json {

  private Json() {}

  /** {@code value} as JSON text: {@code Json.write(Map.of("n", 1))} is {@code {"n":1}}. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  /** Appends {@code value} as JSON text to {@code out}. */
  public static void write(Object value, StringBuilder out) {
    switch (value) {
      case null -> out.append("null");
      case String s -> string(s, out);
      case Boolean b -> out.append(b);
      case Integer i -> out.append(i);
      case Long l -> out.append(l);
      case Number n -> {
        double d = n.doubleValue();
        if (Double.isFinite(d)) {
          out.append(n);
        } else {
          out.append("null");
        }
      }
      case Map<?, ?> map -> {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!first) {
            out.append(',');
          }
          first = false;
          string(String.valueOf(e.getKey()), out);
          out.append(':');
          write(e.getValue(), out);
        }
        out.append('}');
      }
      case Collection<?> list -> {
        out.append('[');
        boolean first = true;
        for (Object item : list) {
          if (!first) {
            out.append(',');
          }
          first = false;
          write(item, out);
        }
        out.append(']');
      }
      default -> string(value.toString(), out);
    }
  }

  /**
   * {@code text} as a JSON string, quotes included: {@code "}, {@code \\} and control characters
   * escaped (RFC 8259 §7); {@code null} gives {@code null}.
   */
  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length() + 2);
    string(text, out);
    return out.toString();
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
