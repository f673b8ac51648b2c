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

  CodeBundle(
      String name,
      String version,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings) {
    this.name = name;
    this.version = version;
    this.constructors = new TreeMap<>();
    classes.forEach((ns, type) -> constructors.put(ns, constructorOf(ns, type)));
    this.settings = Map.copyOf(settings);
  }

  /** A bundle of classes already loaded by the caller. */
  public static CodeBundle of(
      String name,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings) {
    return new CodeBundle(name, "embedded", classes, settings);
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
