package dev.outpost.runtime.internal.bundle;

import dev.outpost.runtime.ObjectAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The check a code version passes before any node switches to it: every namespace's class must
 * construct, within a time limit, in a sandbox (its own host on manual time and empty in-memory
 * storage). Runs on the calling thread and blocks; nothing outside the sandbox changes.
 */
public final class BundleCheck {

  private BundleCheck() {}

  /**
   * Activates one probe object of each namespace of {@code candidate} through {@code activate};
   * returns one line per failure (class, namespace, exception and message, or the time-out).
   */
  public static List<String> constructEach(
      CodeBundle candidate,
      ObjectIds ids,
      Function<ObjectAddress, CompletableFuture<Void>> activate,
      Duration timeout) {
    List<String> problems = new ArrayList<>();
    for (String ns : candidate.namespaces()) {
      ObjectAddress probe = new ObjectAddress(ns, ids.fromName(ns, "outpost-bundle-check"));
      String type = candidate.classOf(ns).map(Class::getName).orElse("?");
      String what = "class " + type + " of namespace '" + ns + "'";
      try {
        activate.apply(probe).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        Throwable thrown = cause.getCause() != null ? cause.getCause() : cause;
        problems.add(
            what
                + " failed to construct: "
                + thrown.getClass().getName()
                + ": "
                + thrown.getMessage());
      } catch (TimeoutException e) {
        problems.add(what + " did not construct within " + timeout.toSeconds() + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problems.add("check of namespace '" + ns + "' was interrupted");
      }
    }
    return problems;
  }
}
