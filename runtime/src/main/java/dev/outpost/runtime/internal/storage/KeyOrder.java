package dev.outpost.runtime.internal.storage;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Storage keys are strings ordered by their UTF-8 bytes, which is the order of their Unicode code
 * points. Java's {@code String.compareTo} orders UTF-16 units instead and differs for characters
 * above U+FFFF, so every ordered structure of keys uses {@link #COMPARATOR}.
 */
public final class KeyOrder {

  /** Orders strings by code point, i.e. by their UTF-8 bytes. */
  public static final Comparator<String> COMPARATOR = KeyOrder::compare;

  private KeyOrder() {}

  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** The UTF-8 bytes of a key. */
  public static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** The key a stored byte form stands for. */
  public static String key(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * Checks that a key is well-formed Unicode (no lone surrogates), so that its UTF-8 form is exact.
   */
  public static void requireWellFormed(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < key.length()
          && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "key contains a lone surrogate at index " + i + "; keys must be valid Unicode");
      }
    }
  }

  /** The smallest byte string above every string starting with {@code prefix}, or null. */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }
}
