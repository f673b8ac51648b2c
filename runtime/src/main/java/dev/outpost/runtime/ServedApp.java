package dev.outpost.runtime;

import java.util.List;
import java.util.Objects;

/**
 * One app a node runs: a named code bundle ({@code bundle.name}) at one version, owning its
 * namespaces. A node runs several side by side; no namespace belongs to two.
 *
 * @param name the app ({@code bundle.name} of its manifest)
 * @param version the version label: {@code bundle.version} plus a hash of the jar ({@code
 *     2-3fa2b1c9d0}), or {@code embedded} for classes from the node's own class path
 * @param namespaces the namespaces it serves, sorted
 */
public record ServedApp(String name, String version, List<String> namespaces) {

  /** Checks and copies. */
  public ServedApp {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(version, "version");
    namespaces = List.copyOf(namespaces);
  }
}
