package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One version of user code: namespace → object class, plus settings. Classes come from the bundle's
 * own class loader (see {@link BundleLoader}) or, for embedded use and tests, from the caller's.
 */
public final class CodeBundle {

  private final String name;
  private final String version;
  private final SortedMap<String, Constructor<? extends DurableObject>> constructors;
  private final Map<String, String> settings;
  private final SortedMap<String, String> parties; // PartyKit party -> namespace
  private final ClassLoader loader; // the bundle's own loader; null for embedded classes

  CodeBundle(
      String name,
      String version,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings,
      Map<String, String> parties,
      ClassLoader loader) {
    this.name = name;
    this.version = version;
    this.loader = loader;
    this.constructors = new TreeMap<>();
    classes.forEach((ns, type) -> constructors.put(ns, constructorOf(ns, type)));
    this.settings = Map.copyOf(settings);
    this.parties = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(parties));
  }

  /** A bundle of classes already loaded by the caller. */
  public static CodeBundle of(
      String name,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings) {
    return new CodeBundle(name, "embedded", classes, settings, Map.of(), null);
  }

  private static Constructor<? extends DurableObject> constructorOf(
      String namespace, Class<? extends DurableObject> type) {
    try {
      return type.getConstructor(DurableObjectState.class, Env.class);
    } catch (NoSuchMethodException e) {
      throw new BundleException(
          "class "
              + type.getName()
              + " of namespace '"
              + namespace
              + "' needs a public constructor (DurableObjectState, Env)",
          e);
    }
  }

  /** The bundle's own class loader, if it has one (not for embedded classes). */
  public java.util.Optional<ClassLoader> classLoader() {
    return java.util.Optional.ofNullable(loader);
  }

  /** The class of a namespace, if the bundle has it. */
  public java.util.Optional<Class<? extends DurableObject>> classOf(String namespace) {
    return java.util.Optional.ofNullable(constructors.get(namespace))
        .map(java.lang.reflect.Constructor::getDeclaringClass);
  }

  /** Releases the class loader's open files; the classes go once nothing refers to them. */
  public void close() {
    if (loader instanceof java.io.Closeable closeable) {
      try {
        closeable.close();
      } catch (java.io.IOException e) {
        // nothing to do: only open jar files are released
      }
    }
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  /** The namespaces, sorted. */
  public java.util.Set<String> namespaces() {
    return constructors.keySet();
  }

  /**
   * The PartyKit party aliases of the manifest ({@code party.NAME=NAMESPACE}), sorted by party;
   * each names one of {@link #namespaces()}. Empty for embedded classes.
   */
  public SortedMap<String, String> parties() {
    return parties;
  }

  /** A setting, if the manifest has it. */
  public Optional<String> setting(String key) {
    return Optional.ofNullable(settings.get(key));
  }

  /** Runs the constructor of {@code namespace}'s class; rethrows what the constructor threw. */
  public DurableObject instantiate(String namespace, DurableObjectState state, Env env)
      throws Exception {
    Constructor<? extends DurableObject> constructor = constructors.get(namespace);
    if (constructor == null) {
      throw new IllegalArgumentException(
          "bundle " + name + " has no namespace '" + namespace + "'");
    }
    try {
      return constructor.newInstance(state, env);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
