package dev.outpost.runtime.internal.storage;

import java.util.Locale;

/** Formats byte counts for error messages: "512 bytes", "16 KiB", "3.1 MiB". */
public final class Sizes {

  private Sizes() {}

  /** A byte count in the largest binary unit that keeps it at or above 1. */
  public static String describe(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    if (bytes < 1024 * 1024) {
      return format(bytes / 1024.0) + " KiB";
    }
    return format(bytes / (1024.0 * 1024.0)) + " MiB";
  }

  private static String format(double value) {
    return value == Math.rint(value)
        ? String.valueOf((long) value)
        : String.format(Locale.ROOT, "%.1f", value);
  }
}
