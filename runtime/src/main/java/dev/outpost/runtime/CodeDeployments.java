package dev.outpost.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's side of a code rollout, per app: keeps shipped bundle jars under {@code bundlesDir}
 * (as {@code APP-VERSION.jar}), prepares (loads and checks) a version of an app when asked,
 * activates a prepared version, and removes an app. The cluster drives it: every node prepares, and
 * only if all succeeded does every node activate. Thread-safe; every method blocks.
 */
public final class CodeDeployments {

  private final ObjectHost host;
  private final Path bundlesDir;
  private final ConcurrentHashMap<String, PreparedBundle> prepared = new ConcurrentHashMap<>();

  /**
   * Deployments into {@code host}, storing shipped jars in {@code bundlesDir} (created if needed).
   */
  public CodeDeployments(ObjectHost host, Path bundlesDir) {
    this.host = host;
    this.bundlesDir = bundlesDir;
  }

  private static String key(String app, String version) {
    return app + "/" + version;
  }

  /**
   * Writes the jar of {@code app} at {@code version}, loads and checks it; nothing changes on this
   * node. Preparing a version already prepared does nothing.
   *
   * @throws BundleRejectedException if a class does not load or construct, or a namespace or party
   *     of the bundle belongs to another app
   * @throws UncheckedIOException if the jar cannot be stored
   */
  public void prepare(String app, String version, byte[] jar) {
    if (prepared.containsKey(key(app, version))) {
      return;
    }
    Path file = bundlesDir.resolve(app + "-" + version + ".jar");
    try {
      Files.createDirectories(bundlesDir);
      if (!Files.exists(file)) {
        Path partial = bundlesDir.resolve(app + "-" + version + ".jar.partial");
        Files.write(partial, jar);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot store bundle " + app + " " + version + " in " + bundlesDir, e);
    }
    PreparedBundle bundle = host.prepare(file, version);
    if (!bundle.name().equals(app)) {
      throw new BundleRejectedException(
          app + " " + version,
          java.util.List.of("the jar is app '" + bundle.name() + "', not '" + app + "'"));
    }
    prepared.put(key(app, version), bundle);
  }

  /**
   * Makes a prepared version its app's current one; the other apps keep theirs.
   *
   * @throws IllegalStateException if it was not prepared on this node
   * @throws BundleRejectedException if another app took one of its namespaces meanwhile
   */
  public void activate(String app, String version) {
    PreparedBundle bundle = prepared.get(key(app, version));
    if (bundle == null) {
      throw new IllegalStateException(
          "app " + app + " version " + version + " was not prepared on this node");
    }
    host.activate(bundle);
    // Keep no other version of the app: an older loader must be free to go once its objects moved.
    prepared.keySet().removeIf(k -> k.startsWith(app + "/") && !k.equals(key(app, version)));
  }

  /**
   * Stops serving {@code app} on this node (see {@link ObjectHost#undeploy}).
   *
   * @return whether this node ran it
   */
  public boolean remove(String app) {
    prepared.keySet().removeIf(k -> k.startsWith(app + "/"));
    return host.undeploy(app);
  }

  /** The version this node runs {@code app} at, if it runs it. */
  public Optional<String> currentVersion(String app) {
    return host.appVersion(app);
  }

  /**
   * The apps this node booted with from bundle files, with their jar bytes: the cluster records
   * each as its app's first version (unless it already has one), so a rollback can return to it.
   */
  public Map<String, byte[]> bootJars() {
    return host.bootJars();
  }
}
