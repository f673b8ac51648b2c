package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.ConnectGuard;
import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.api.Env;
import dev.outpost.runtime.ConnectGuards;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
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
  private final Map<String, List<String>> guardNames; // namespace -> jwt or class names, in order
  private final ClassLoader loader; // the bundle's own loader; null for embedded classes

  CodeBundle(
      String name,
      String version,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings,
      Map<String, String> parties,
      ClassLoader loader) {
    this(name, version, classes, settings, parties, Map.of(), loader);
  }

  /**
   * @param guardSpecs the manifest's guard entries: {@code "*"} (the bundle-wide {@code guard=}) or
   *     a namespace → a comma-separated list of built-in names and class names
   * @throws BundleException if an entry names an unknown namespace, an unknown built-in, or a class
   *     that does not load or does not implement {@link ConnectGuard} with a usable constructor
   */
  CodeBundle(
      String name,
      String version,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings,
      Map<String, String> parties,
      Map<String, String> guardSpecs,
      ClassLoader loader) {
    this.name = name;
    this.version = version;
    this.loader = loader;
    this.constructors = new TreeMap<>();
    classes.forEach((ns, type) -> constructors.put(ns, constructorOf(ns, type)));
    this.settings = Map.copyOf(settings);
    this.parties = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(parties));
    this.guardNames = guardNames(guardSpecs);
  }

  private Map<String, List<String>> guardNames(Map<String, String> specs) {
    for (String ns : specs.keySet()) {
      if (!ns.equals("*") && !constructors.containsKey(ns)) {
        throw new BundleException(
            "namespace."
                + ns
                + ".guard in bundle "
                + name
                + " names no namespace of the bundle; it declares "
                + constructors.keySet());
      }
    }
    List<String> shared = split(specs.getOrDefault("*", ""));
    Map<String, List<String>> byNamespace = new TreeMap<>();
    for (String ns : constructors.keySet()) {
      List<String> names = new ArrayList<>(shared);
      names.addAll(split(specs.getOrDefault(ns, "")));
      for (String guard : names) {
        if (!ConnectGuards.BUILT_INS.contains(guard)) {
          guardClass(ns, guard); // fails the load now rather than at the first request
        }
      }
      byNamespace.put(ns, List.copyOf(names));
    }
    return Map.copyOf(byNamespace);
  }

  private static List<String> split(String spec) {
    List<String> names = new ArrayList<>();
    for (String part : spec.split(",")) {
      if (!part.isBlank()) {
        names.add(part.trim());
      }
    }
    return names;
  }

  private Class<? extends ConnectGuard> guardClass(String namespace, String className) {
    ClassLoader from =
        loader != null ? loader : constructors.get(namespace).getDeclaringClass().getClassLoader();
    String where = "guard " + className + " of namespace '" + namespace + "' in bundle " + name;
    Class<?> type;
    try {
      type = Class.forName(className, false, from);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new BundleException(
          where
              + " is neither a built-in guard "
              + ConnectGuards.BUILT_INS
              + " nor a class the bundle has",
          e);
    }
    if (!ConnectGuard.class.isAssignableFrom(type)) {
      throw new BundleException(where + " does not implement dev.outpost.api.ConnectGuard");
    }
    return type.asSubclass(ConnectGuard.class);
  }

  /**
   * The guards of {@code namespace}, in order (the bundle-wide ones first), each class guard
   * constructed now with {@code env} (its {@code (Env)} constructor, else its no-argument one).
   *
   * @throws BundleException naming the guard if it has neither constructor or its constructor threw
   */
  public ConnectGuards guards(String namespace, Env env) {
    List<ConnectGuards.Step> steps = new ArrayList<>();
    for (String guard : guardNames.getOrDefault(namespace, List.of())) {
      if (ConnectGuards.BUILT_INS.contains(guard)) {
        steps.add(new ConnectGuards.BuiltIn(guard));
        continue;
      }
      Class<? extends ConnectGuard> type = guardClass(namespace, guard);
      String where = "guard " + guard + " of namespace '" + namespace + "'";
      try {
        ConnectGuard instance;
        try {
          instance = type.getConstructor(Env.class).newInstance(env);
        } catch (NoSuchMethodException e) {
          instance = type.getConstructor().newInstance();
        }
        steps.add(new ConnectGuards.Custom(guard, instance));
      } catch (NoSuchMethodException e) {
        throw new BundleException(where + " needs a public constructor taking (Env) or nothing", e);
      } catch (InvocationTargetException e) {
        throw new BundleException(where + " threw in its constructor", e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new BundleException(where + " cannot be constructed", e);
      }
    }
    return new ConnectGuards(steps);
  }

  /** A bundle of classes already loaded by the caller. */
  public static CodeBundle of(
      String name,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings) {
    return of(name, classes, settings, Map.of());
  }

  /**
   * A bundle of classes already loaded by the caller, with guards as a manifest gives them ({@code
   * "*"} or a namespace → list); guard classes load through the namespace class's loader.
   */
  public static CodeBundle of(
      String name,
      Map<String, Class<? extends DurableObject>> classes,
      Map<String, String> settings,
      Map<String, String> guardSpecs) {
    return new CodeBundle(name, "embedded", classes, settings, Map.of(), guardSpecs, null);
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
