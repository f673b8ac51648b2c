package dev.outpost.runtime;

import dev.outpost.runtime.internal.bundle.BundleRegistry;

/**
 * A code bundle that is loaded and checked on this node, ready for {@link ObjectHost#activate}. Its
 * classes loaded and every namespace's class constructed in a sandbox.
 */
public final class PreparedBundle {

  private final BundleRegistry.Version version;

  PreparedBundle(BundleRegistry.Version version) {
    this.version = version;
  }

  BundleRegistry.Version internal() {
    return version;
  }

  /** The bundle's name. */
  public String name() {
    return version.bundle().name();
  }

  /** The version label. */
  public String version() {
    return version.bundle().version();
  }

  /** The class loader of the bundle, for tests that check it is released after a switch. */
  public java.util.Optional<ClassLoader> classLoaderForTest() {
    return version.bundle().classLoader();
  }
}
