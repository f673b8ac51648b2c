package dev.outpost.runtime.internal.storage;

import dev.outpost.api.ListOptions;
import java.util.NavigableMap;

/**
 * The key range a {@link ListOptions} selects, in both forms: strings in code-point order for the
 * cache's layers, and UTF-8 bytes for the engine.
 */
record KeyRange(String lower, boolean lowerInclusive, String upper, String prefix) {

  static KeyRange of(ListOptions options) {
    String lower = options.start().or(options::startAfter).orElse(null);
    boolean inclusive = options.startAfter().isEmpty();
    String prefix = options.prefix().orElse(null);
    if (prefix != null && (lower == null || KeyOrder.COMPARATOR.compare(prefix, lower) > 0)) {
      lower = prefix;
      inclusive = true;
    }
    return new KeyRange(lower, inclusive, options.end().orElse(null), prefix);
  }

  /** Whether no key can be in the range (its lower bound is not below its upper bound). */
  boolean isEmpty() {
    if (lower == null || upper == null) {
      return false;
    }
    int c = KeyOrder.COMPARATOR.compare(lower, upper);
    return c >= 0;
  }

  boolean contains(String key) {
    if (lower != null) {
      int c = KeyOrder.COMPARATOR.compare(key, lower);
      if (c < 0 || (c == 0 && !lowerInclusive)) {
        return false;
      }
    }
    if (upper != null && KeyOrder.COMPARATOR.compare(key, upper) >= 0) {
      return false;
    }
    return prefix == null || key.startsWith(prefix);
  }

  byte[] fromBytes() {
    return lower == null ? null : KeyOrder.bytes(lower);
  }

  byte[] toBytes() {
    byte[] end = upper == null ? null : KeyOrder.bytes(upper);
    if (prefix != null) {
      byte[] prefixEnd = KeyOrder.prefixEnd(KeyOrder.bytes(prefix));
      if (end == null
          || (prefixEnd != null && java.util.Arrays.compareUnsigned(prefixEnd, end) < 0)) {
        end = prefixEnd;
      }
    }
    return end;
  }

  /** The part of a layer's entries inside this range. */
  NavigableMap<String, byte[]> slice(NavigableMap<String, byte[]> entries) {
    if (isEmpty()) {
      return java.util.Collections.emptyNavigableMap();
    }
    NavigableMap<String, byte[]> view = entries;
    if (lower != null) {
      view = view.tailMap(lower, lowerInclusive);
    }
    if (upper != null) {
      view = view.headMap(upper, false);
    }
    if (prefix == null) {
      return view;
    }
    NavigableMap<String, byte[]> filtered = new java.util.TreeMap<>(KeyOrder.COMPARATOR);
    for (var e : view.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        filtered.put(e.getKey(), e.getValue());
      } else if (KeyOrder.COMPARATOR.compare(e.getKey(), prefix) > 0) {
        break;
      }
    }
    return filtered;
  }

  long count(NavigableMap<String, byte[]> entries) {
    return slice(entries).size();
  }
}
