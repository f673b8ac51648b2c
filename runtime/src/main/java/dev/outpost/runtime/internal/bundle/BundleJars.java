package dev.outpost.runtime.internal.bundle;

import dev.outpost.runtime.ObjectAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A bundle as bytes, the form in which the cluster stores and ships it: the app name and version
 * label a jar carries, and the jar of a bundle a node boots with (a jar file read as is, or a
 * classes directory packed deterministically, so that the same directory gives the same bytes).
 */
public final class BundleJars {

  private BundleJars() {}

  /**
   * The version label of a jar: its manifest's {@code bundle.version} (characters other than {@code
   * [A-Za-z0-9._-]} replaced by {@code _}; {@code 0} if absent) plus the first 5 bytes of its
   * SHA-256 in hex, so that two different jars never share a label: {@code 2-3fa2b1c9d0}.
   *
   * @throws IllegalArgumentException if the bytes are not a jar
   */
  public static String label(byte[] jar) {
    String declared =
        manifest(jar).getProperty("bundle.version", "0").trim().replaceAll("[^A-Za-z0-9._-]", "_");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(jar);
      return declared + "-" + HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The app a jar is a version of: its manifest's {@code bundle.name}.
   *
   * @throws IllegalArgumentException if the bytes are not a jar, the manifest is missing or names
   *     no app, or the name is not 1-64 of {@code [a-z0-9_-]}
   */
  public static String appName(byte[] jar) {
    String name = manifest(jar).getProperty("bundle.name");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "the bundle's "
              + BundleLoader.MANIFEST
              + " has no bundle.name: add bundle.name=APP (the app this jar is a version of)");
    }
    return checkedAppName(name.trim(), "bundle.name in " + BundleLoader.MANIFEST);
  }

  /**
   * Returns {@code name} if it is a valid app name (1-64 of {@code [a-z0-9_-]}, as namespaces).
   *
   * @throws IllegalArgumentException naming {@code where} otherwise
   */
  public static String checkedAppName(String name, String where) {
    if (!ObjectAddress.isValidNamespace(name)) {
      throw new IllegalArgumentException(
          "app name '" + name + "' (" + where + ") is invalid: use 1-64 of [a-z0-9_-]");
    }
    return name;
  }

  private static Properties manifest(byte[] jar) {
    try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
      JarEntry entry;
      boolean any = false;
      while ((entry = in.getNextJarEntry()) != null) {
        any = true;
        if (entry.getName().equals(BundleLoader.MANIFEST)) {
          Properties manifest = new Properties();
          manifest.load(in);
          return manifest;
        }
      }
      if (!any) {
        throw new IllegalArgumentException("not a jar: it has no entries");
      }
      throw new IllegalArgumentException(
          "the jar has no "
              + BundleLoader.MANIFEST
              + "; a bundle declares its app, version and namespaces there");
    } catch (IOException e) {
      throw new IllegalArgumentException("not a jar: " + e.getMessage(), e);
    }
  }

  /**
   * The bytes of the bundle at {@code path}: a jar file as it is, or a classes directory packed
   * into a jar (entries sorted, no timestamps) so that equal directories give equal bytes. Blocks.
   *
   * @throws UncheckedIOException if the path cannot be read
   */
  public static byte[] read(Path path) {
    try {
      if (Files.isRegularFile(path)) {
        return Files.readAllBytes(path);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (JarOutputStream out = new JarOutputStream(bytes);
          Stream<Path> walk = Files.walk(path)) {
        List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
        for (Path file : files) {
          JarEntry entry = new JarEntry(path.relativize(file).toString().replace('\\', '/'));
          entry.setTime(0);
          out.putNextEntry(entry);
          out.write(Files.readAllBytes(file));
          out.closeEntry();
        }
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read code bundle " + path, e);
    }
  }
}
