package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObjectNamespace;
import dev.outpost.api.Env;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@link Env} of a bundle: its namespaces and settings. */
public final class BundleEnv implements Env {

  private final CodeBundle bundle;
  private final Map<String, LocalNamespace> namespaces;

  public BundleEnv(CodeBundle bundle, Map<String, LocalNamespace> namespaces) {
    this.bundle = bundle;
    this.namespaces = Map.copyOf(namespaces);
  }

  @Override
  public DurableObjectNamespace namespace(String name) {
    LocalNamespace ns = namespaces.get(name);
    if (ns == null) {
      throw new IllegalArgumentException(
          "no namespace '" + name + "'; this bundle has " + bundle.namespaces());
    }
    return ns;
  }

  @Override
  public Set<String> namespaceNames() {
    return bundle.namespaces();
  }

  @Override
  public Optional<String> setting(String name) {
    return bundle.setting(name);
  }
}
