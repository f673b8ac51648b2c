package dev.outpost.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's side of a code rollout: keeps shipped bundle jars under {@code bundlesDir}, prepares
 * (loads and checks) a version when asked, and activates a prepared version. The cluster drives it:
 * every node prepares, and only if all succeeded does every node activate.
 */
public final class CodeDeployments {

  private final ObjectHost host;
  private final Path bundlesDir;
  private final ConcurrentHashMap<String, PreparedBundle> prepared = new ConcurrentHashMap<>();

  public CodeDeployments(ObjectHost host, Path bundlesDir) {
    this.host = host;
    this.bundlesDir = bundlesDir;
  }

  /**
   * Writes the jar of {@code version}, loads and checks it. Blocks.
   *
   * @throws BundleRejectedException if a class does not load or construct
   */
  public void prepare(String version, byte[] jar) {
    if (prepared.containsKey(version)) {
      return;
    }
    Path file = bundlesDir.resolve(version + ".jar");
    try {
      Files.createDirectories(bundlesDir);
      if (!Files.exists(file)) {
        Path partial = bundlesDir.resolve(version + ".jar.partial");
        Files.write(partial, jar);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store bundle " + version + " in " + bundlesDir, e);
    }
    prepared.put(version, host.prepare(file, version));
  }

  /** Makes a prepared version current. */
  public void activate(String version) {
    PreparedBundle bundle = prepared.get(version);
    if (bundle == null) {
      throw new IllegalStateException("version " + version + " was not prepared on this node");
    }
    host.activate(bundle);
    // Keep nothing else: an older version's loader must be free to go once its objects moved on.
    prepared.keySet().removeIf(v -> !v.equals(version));
  }

  /** The version this node runs now. */
  public String currentVersion() {
    return host.bundleVersion();
  }
}
