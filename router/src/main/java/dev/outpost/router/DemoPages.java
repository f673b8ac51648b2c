package dev.outpost.router;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The samples' demo pages bundled in the router jar: {@code outpost/demo/{sample}.html}, served at
 * {@code /_outpost/demo/{sample}}, each listed with a one-line description in {@code
 * outpost/demo/pages.properties} (in the order the demo prints them). Only listed pages are served;
 * a page is added by dropping its HTML beside the others and adding its line.
 */
public final class DemoPages {

  /** Where the pages are served: {@code PREFIX + name}. */
  public static final String PREFIX = "/_outpost/demo/";

  static final String DIRECTORY = "outpost/demo/";
  private static final String INDEX = DIRECTORY + "pages.properties";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private DemoPages() {}

  /** Every page's name and description, in the index's order. */
  public static Map<String, String> all() {
    Map<String, String> pages = new LinkedHashMap<>();
    try (InputStream in = DemoPages.class.getClassLoader().getResourceAsStream(INDEX)) {
      if (in == null) {
        return pages;
      }
      // Properties forgets the order, so read the lines ourselves (no continuations, no escapes).
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        String trimmed = line.strip();
        int eq = trimmed.indexOf('=');
        if (trimmed.isEmpty() || trimmed.startsWith("#") || eq <= 0) {
          continue;
        }
        String name = trimmed.substring(0, eq).strip();
        if (NAME.matcher(name).matches()) {
          pages.put(name, trimmed.substring(eq + 1).strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + INDEX, e);
    }
    return pages;
  }

  /** The class-path resource of page {@code name}, if it is listed. */
  static Optional<String> resource(String name) {
    if (name == null || !NAME.matcher(name).matches() || !all().containsKey(name)) {
      return Optional.empty();
    }
    return Optional.of(DIRECTORY + name + ".html");
  }
}
