package dev.outpost.api;

import java.util.Optional;
import java.util.Set;

/**
 * What an object can reach besides its own state: the namespaces of its code bundle (to call other
 * objects) and the bundle's settings.
 *
 * <p>Thread-safe; the same instance may be shared by every object of a bundle.
 */
public interface Env {

  /**
   * The namespace with the given name.
   *
   * @throws IllegalArgumentException if the bundle declares no such namespace; the message lists
   *     the names it does declare
   */
  DurableObjectNamespace namespace(String name);

  /** The names of every namespace of the bundle. */
  Set<String> namespaceNames();

  /** A setting from the bundle's manifest ({@code setting.NAME=value}), if present. */
  Optional<String> setting(String name);
}
