package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObject;
import dev.outpost.runtime.ObjectAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Loads a code bundle: a jar, or a classes directory, holding {@value #MANIFEST}:
 *
 * <pre>
 * bundle.name=samples
 * bundle.version=1
 * namespace.counter.class=dev.outpost.samples.counter.Counter
 * namespace.chat.class=dev.outpost.samples.chat.ChatRoom
 * party.main=chat
 * setting.greeting=hello
 * guard=dev.outpost.samples.SomeCheck
 * namespace.chat.guard=jwt
 * </pre>
 *
 * <p>{@code guard} (every namespace) and {@code namespace.NAME.guard} (one, after the bundle's)
 * list the connect guards that run in the router before an object is woken ({@link
 * dev.outpost.api.ConnectGuard}): {@code jwt}, or classes of the bundle; see {@link
 * CodeBundle#guards}.
 *
 * <p>{@code bundle.name} is the app the bundle is a version of (1-64 of {@code [a-z0-9_-]};
 * default: the file name): a node runs several apps side by side, each owning its namespaces, and a
 * deploy replaces the version of one app (see {@link BundleRegistry}).
 *
 * <p>{@code party.NAME=NAMESPACE} names the namespace that PartyKit's party {@code NAME} reaches
 * ({@code /parties/NAME/{room}}; {@code main} also {@code /party/{room}}). A party without such an
 * entry reaches the namespace of its own name. The party name follows the namespace rules, must not
 * be a namespace of the bundle (an alias never hides one) and must name a declared namespace.
 *
 * <p>Each bundle gets its own class loader whose parent exposes only the {@code durable-objects}
 * API ({@code dev.outpost.api}) and the JDK: bundle code cannot see the runtime, Vert.x, Hazelcast
 * or RocksDB, and two versions of a bundle never share classes.
 */
public final class BundleLoader {

  /** Where the manifest sits inside the bundle. */
  public static final String MANIFEST = "META-INF/outpost/bundle.properties";

  private BundleLoader() {}

  /**
   * Loads the bundle at {@code path} and checks that every declared class loads and implements
   * {@link DurableObject} with the expected constructor.
   *
   * @throws BundleException naming what is wrong
   */
  public static CodeBundle load(Path path) {
    return load(path, null);
  }

  /**
   * Loads the bundle at {@code path} as version {@code version} (null: the manifest's {@code
   * bundle.version}).
   *
   * @throws BundleException naming what is wrong
   */
  public static CodeBundle load(Path path, String version) {
    if (!Files.exists(path)) {
      throw new BundleException("code bundle " + path + " does not exist");
    }
    URL url;
    try {
      url = path.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new BundleException("bad bundle path " + path, e);
    }
    URLClassLoader loader =
        new URLClassLoader("bundle:" + path.getFileName(), new URL[] {url}, new ApiOnlyLoader());
    Properties manifest = new Properties();
    try (InputStream in = loader.getResourceAsStream(MANIFEST)) {
      if (in == null) {
        throw new BundleException("code bundle " + path + " has no " + MANIFEST);
      }
      manifest.load(in);
    } catch (IOException e) {
      throw new BundleException("cannot read " + MANIFEST + " in " + path, e);
    }
    Map<String, Class<? extends DurableObject>> classes = new LinkedHashMap<>();
    Map<String, String> settings = new LinkedHashMap<>();
    Map<String, String> parties = new LinkedHashMap<>();
    Map<String, String> guards = new LinkedHashMap<>();
    for (String key : manifest.stringPropertyNames()) {
      String value = manifest.getProperty(key).trim();
      if (key.equals("guard")) {
        guards.put("*", value);
      } else if (key.startsWith("namespace.") && key.endsWith(".guard")) {
        guards.put(key.substring("namespace.".length(), key.length() - ".guard".length()), value);
      } else if (key.startsWith("namespace.") && key.endsWith(".class")) {
        String ns = key.substring("namespace.".length(), key.length() - ".class".length());
        if (!ObjectAddress.isValidNamespace(ns)) {
          throw new BundleException(
              "namespace '" + ns + "' in " + path + " is invalid: use 1-64 of [a-z0-9_-]");
        }
        classes.put(ns, loadClass(loader, path, ns, value));
      } else if (key.startsWith("setting.")) {
        settings.put(key.substring("setting.".length()), value);
      } else if (key.startsWith("party.")) {
        parties.put(key.substring("party.".length()), value);
      }
    }
    if (classes.isEmpty()) {
      throw new BundleException(
          "code bundle " + path + " declares no namespace (namespace.NAME.class=...)");
    }
    checkParties(parties, classes.keySet(), path);
    String name = manifest.getProperty("bundle.name");
    if (name == null || name.isBlank()) {
      name = defaultName(path);
    } else if (!ObjectAddress.isValidNamespace(name.trim())) {
      throw new BundleException(
          "bundle.name '" + name.trim() + "' in " + path + " is invalid: use 1-64 of [a-z0-9_-]");
    }
    return new CodeBundle(
        name.trim(),
        version != null ? version : manifest.getProperty("bundle.version", "0"),
        classes,
        settings,
        parties,
        guards,
        loader);
  }

  /** The app name of a bundle whose manifest has none: its file name, in the namespace alphabet. */
  static String defaultName(Path path) {
    String file =
        path.getFileName()
            .toString()
            .replaceFirst("\\.jar$", "")
            .toLowerCase(java.util.Locale.ROOT);
    String name = file.replaceAll("[^a-z0-9_-]", "-");
    name = name.length() > 64 ? name.substring(0, 64) : name;
    return name.isEmpty() ? "bundle" : name;
  }

  /** Checks the {@code party.NAME=NAMESPACE} entries against the declared namespaces. */
  static void checkParties(
      Map<String, String> parties, java.util.Set<String> namespaces, Object where) {
    parties.forEach(
        (party, namespace) -> {
          if (!ObjectAddress.isValidNamespace(party)) {
            throw new BundleException(
                "party '" + party + "' in " + where + " is invalid: use 1-64 of [a-z0-9_-]");
          }
          if (namespaces.contains(party)) {
            throw new BundleException(
                "party."
                    + party
                    + " in "
                    + where
                    + " would hide the namespace '"
                    + party
                    + "', which /parties/"
                    + party
                    + "/{room} already reaches; remove the entry");
          }
          if (!namespaces.contains(namespace)) {
            throw new BundleException(
                "party."
                    + party
                    + "="
                    + namespace
                    + " in "
                    + where
                    + " names no namespace of the bundle; it declares "
                    + namespaces);
          }
        });
  }

  private static Class<? extends DurableObject> loadClass(
      ClassLoader loader, Path path, String namespace, String className) {
    Class<?> type;
    try {
      type = Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new BundleException(
          "class " + className + " of namespace '" + namespace + "' cannot load from " + path, e);
    }
    if (!DurableObject.class.isAssignableFrom(type)) {
      throw new BundleException(
          "class "
              + className
              + " of namespace '"
              + namespace
              + "' does not implement DurableObject");
    }
    return type.asSubclass(DurableObject.class);
  }

  /** Parent of bundle loaders: the JDK (platform loader) plus {@code dev.outpost.api} only. */
  private static final class ApiOnlyLoader extends ClassLoader {
    private static final ClassLoader API = DurableObject.class.getClassLoader();

    ApiOnlyLoader() {
      super("outpost-api", ClassLoader.getPlatformClassLoader());
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      if (name.startsWith("dev.outpost.api.")) {
        return API.loadClass(name);
      }
      throw new ClassNotFoundException(name + " (bundles see only dev.outpost.api and the JDK)");
    }

    @Override
    public URL getResource(String name) {
      return null; // resources come from the bundle itself
    }
  }
}
