package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.ConnectGuard;
import dev.outpost.api.Env;

/** A connect guard loaded from a bundle by {@link BundleLoaderTest}; admits everything. */
public final class BundleGuard implements ConnectGuard {

  /** The bundle setting {@code greeting} it was built with. */
  public final String greeting;

  /**
   * @throws IllegalStateException with the bundle setting {@code fail}, if it has one
   */
  public BundleGuard(Env env) {
    env.setting("fail")
        .ifPresent(
            message -> {
              throw new IllegalStateException(message);
            });
    this.greeting = env.setting("greeting").orElse("");
  }
}
