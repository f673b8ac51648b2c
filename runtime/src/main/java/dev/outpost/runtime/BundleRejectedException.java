package dev.outpost.runtime;

import java.util.List;

/**
 * A code bundle failed its checks (a class that does not load, a constructor that throws or hangs)
 * and was not activated; the version that was serving keeps serving. The message lists every
 * problem with its class, exception and message.
 */
public final class BundleRejectedException extends RuntimeException {

  private final List<String> problems;

  /** Creates the exception from the problems found. */
  public BundleRejectedException(String bundle, List<String> problems) {
    super("code bundle " + bundle + " was rejected: " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem: class, exception and message. */
  public List<String> problems() {
    return problems;
  }
}
