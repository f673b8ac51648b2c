package dev.outpost.runtime.internal.bundle;

/** A code bundle cannot be loaded: the message names the file, class or setting at fault. */
public final class BundleException extends RuntimeException {
  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }

  public BundleException(String message) {
    super(message);
  }
}
