package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.runtime.ConnectGuards;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.activation.ObjectFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The apps a node runs side by side: app name → its current code version, each version owning its
 * namespaces (and PartyKit party aliases). No namespace or party belongs to two apps.
 *
 * <p><b>Switching.</b> The whole state is one immutable {@link Apps} value behind a volatile field;
 * {@link #activate} and {@link #remove} replace it (serialised by a lock, so that the conflict
 * check and the switch are one step). Each live object asks {@link #version(ObjectAddress)} before
 * each turn and, when its namespace's version changed, drops its instance and builds the next one
 * from the new version. So a turn in progress finishes on the old code, no object runs two versions
 * at once, replacing app B never touches app A's objects, and an old version's class loader is
 * unreachable once its last instance is gone. An object of a removed app fails its next turn with a
 * message saying so. Thread-safe.
 */
public final class BundleRegistry implements ObjectFactory {

  /** One loaded version of one app: its bundle, its namespaces and the Env its objects get. */
  public static final class Version {
    private final CodeBundle bundle;
    private final Map<String, LocalNamespace> namespaces;
    private final BundleEnv env;
    private final Map<String, ConnectGuards> guards; // by namespace, constructed with the version

    /**
     * @throws BundleException if a guard of the bundle cannot be constructed
     */
    private Version(CodeBundle bundle, ObjectIds ids, StubCalls calls) {
      this.bundle = bundle;
      Map<String, LocalNamespace> byName = new LinkedHashMap<>();
      for (String ns : bundle.namespaces()) {
        byName.put(ns, new LocalNamespace(ns, ids, calls));
      }
      this.namespaces = Map.copyOf(byName);
      this.env = new BundleEnv(bundle, byName);
      Map<String, ConnectGuards> byNamespace = new LinkedHashMap<>();
      for (String ns : bundle.namespaces()) {
        byNamespace.put(ns, bundle.guards(ns, env));
      }
      this.guards = Map.copyOf(byNamespace);
    }

    /** The guards of one of its namespaces ({@link ConnectGuards#NONE} for another name). */
    public ConnectGuards guards(String namespace) {
      return guards.getOrDefault(namespace, ConnectGuards.NONE);
    }

    public CodeBundle bundle() {
      return bundle;
    }

    /** The app this is a version of ({@code bundle.name}). */
    public String app() {
      return bundle.name();
    }

    public Map<String, LocalNamespace> namespaces() {
      return namespaces;
    }
  }

  /**
   * The apps at one moment: by app name (sorted), by namespace, and the parties of all apps.
   * Immutable.
   */
  private record Apps(
      SortedMap<String, Version> byApp,
      Map<String, Version> byNamespace,
      SortedMap<String, String> parties) {

    static Apps of(Map<String, Version> versions) {
      SortedMap<String, Version> byApp = new TreeMap<>(versions);
      Map<String, Version> byNamespace = new LinkedHashMap<>();
      SortedMap<String, String> parties = new TreeMap<>();
      for (Version v : byApp.values()) {
        v.namespaces.keySet().forEach(ns -> byNamespace.put(ns, v));
        parties.putAll(v.bundle.parties());
      }
      return new Apps(
          Collections.unmodifiableSortedMap(byApp),
          Map.copyOf(byNamespace),
          Collections.unmodifiableSortedMap(parties));
    }
  }

  private final ObjectIds ids;
  private final StubCalls calls;
  private final Object switching = new Object(); // serialises activate and remove
  private volatile Apps apps;

  /**
   * A registry running {@code initial} side by side (none: no app yet).
   *
   * @throws BundleException if two of them have the same app name, or claim the same namespace or
   *     party (the message names both apps)
   */
  public BundleRegistry(ObjectIds ids, StubCalls calls, List<CodeBundle> initial) {
    this.ids = ids;
    this.calls = calls;
    Map<String, Version> versions = new LinkedHashMap<>();
    for (CodeBundle bundle : initial) {
      if (versions.containsKey(bundle.name())) {
        throw new BundleException(
            "two bundles are both app '"
                + bundle.name()
                + "' (bundle.name); give each bundle its own bundle.name");
      }
      List<String> conflicts = conflicts(versions, bundle);
      if (!conflicts.isEmpty()) {
        throw new BundleException(String.join("; ", conflicts));
      }
      versions.put(bundle.name(), new Version(bundle, ids, calls));
    }
    this.apps = Apps.of(versions);
  }

  /** Wraps a loaded bundle as a version that can be activated. */
  public Version prepare(CodeBundle bundle) {
    return new Version(bundle, ids, calls);
  }

  /**
   * What keeps {@code candidate} from running beside the other apps: each namespace or party it
   * shares with an app of another name, naming both apps. Empty if it fits.
   */
  public List<String> conflicts(CodeBundle candidate) {
    return conflicts(apps.byApp, candidate);
  }

  private static List<String> conflicts(Map<String, Version> running, CodeBundle candidate) {
    SortedMap<String, String> owners = new TreeMap<>(); // namespace or party -> app
    for (Version v : running.values()) {
      if (v.app().equals(candidate.name())) {
        continue; // the version being replaced
      }
      v.namespaces.keySet().forEach(ns -> owners.put(ns, v.app()));
      v.bundle.parties().keySet().forEach(party -> owners.put(party, v.app()));
    }
    List<String> problems = new ArrayList<>();
    SortedSet<String> claimed = new TreeSet<>(candidate.namespaces());
    claimed.addAll(candidate.parties().keySet());
    for (String name : claimed) {
      String owner = owners.get(name);
      if (owner != null) {
        String kind = candidate.namespaces().contains(name) ? "namespace" : "party";
        problems.add(
            kind
                + " '"
                + name
                + "' of app "
                + candidate.name()
                + " is already served by app "
                + owner
                + "; rename it in "
                + candidate.name()
                + "'s "
                + BundleLoader.MANIFEST
                + ", or undeploy "
                + owner
                + " first");
      }
    }
    return problems;
  }

  /**
   * Makes {@code next} its app's current version (adding the app if new); objects of its namespaces
   * move to it at their next turn boundary, other apps' objects are untouched. Keeps no replaced
   * version: once its last instance is gone, its class loader can go too (a rollback prepares the
   * previous version again from its stored jar).
   *
   * @throws BundleException if {@code next} claims a namespace or party of another app (nothing
   *     changes)
   */
  public void activate(Version next) {
    synchronized (switching) {
      List<String> problems = conflicts(apps.byApp, next.bundle);
      if (!problems.isEmpty()) {
        throw new BundleException(String.join("; ", problems));
      }
      Map<String, Version> versions = new LinkedHashMap<>(apps.byApp);
      versions.put(next.app(), next);
      apps = Apps.of(versions);
    }
  }

  /**
   * Stops serving {@code app}: its namespaces are refused from now on, and each of its live objects
   * fails its next turn. Stored data stays; deploying the app again serves it again.
   *
   * @return whether the app was running
   */
  public boolean remove(String app) {
    synchronized (switching) {
      if (!apps.byApp.containsKey(app)) {
        return false;
      }
      Map<String, Version> versions = new LinkedHashMap<>(apps.byApp);
      versions.remove(app);
      apps = Apps.of(versions);
      return true;
    }
  }

  /** Every app's current version, by app name (sorted). */
  public SortedMap<String, Version> apps() {
    return apps.byApp;
  }

  /** The version serving {@code namespace}, if an app has it. */
  public Optional<Version> forNamespace(String namespace) {
    return Optional.ofNullable(apps.byNamespace.get(namespace));
  }

  /** Every namespace of every app, sorted. */
  public SortedSet<String> namespaceNames() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(apps.byNamespace.keySet()));
  }

  /** The PartyKit party aliases of every app: party → namespace, sorted by party. */
  public SortedMap<String, String> parties() {
    return apps.parties;
  }

  @Override
  public Object version(ObjectAddress address) {
    return apps.byNamespace.get(address.namespace()); // null once the app is removed
  }

  @Override
  public DurableObject create(ObjectAddress address, DurableObjectState state, Object version)
      throws Exception {
    if (!(version instanceof Version v)) {
      throw new IllegalStateException(
          "namespace '"
              + address.namespace()
              + "' is not served any more (its app was undeployed); this node serves "
              + namespaceNames());
    }
    return v.bundle.instantiate(address.namespace(), state, v.env);
  }
}
