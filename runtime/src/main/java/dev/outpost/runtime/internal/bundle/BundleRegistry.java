package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObject;
import dev.outpost.api.DurableObjectState;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.internal.activation.ObjectFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Namespace → current code version. Switching is one volatile write; each live object notices at
 * its next turn boundary that its instance was built from another version, drops it and builds the
 * next one from the current version. So a turn in progress finishes on the old code, no object runs
 * two versions at once, and an old version's class loader is unreachable once its last instance is
 * gone. Thread-safe.
 */
public final class BundleRegistry implements ObjectFactory {

  /** One loaded version: its bundle, its namespaces and the Env its objects get. */
  public static final class Version {
    private final CodeBundle bundle;
    private final Map<String, LocalNamespace> namespaces;
    private final BundleEnv env;

    private Version(CodeBundle bundle, ObjectIds ids, StubCalls calls) {
      this.bundle = bundle;
      Map<String, LocalNamespace> byName = new LinkedHashMap<>();
      for (String ns : bundle.namespaces()) {
        byName.put(ns, new LocalNamespace(ns, ids, calls));
      }
      this.namespaces = Map.copyOf(byName);
      this.env = new BundleEnv(bundle, byName);
    }

    public CodeBundle bundle() {
      return bundle;
    }

    public Map<String, LocalNamespace> namespaces() {
      return namespaces;
    }
  }

  private final ObjectIds ids;
  private final StubCalls calls;
  private volatile Version current;

  public BundleRegistry(ObjectIds ids, StubCalls calls, CodeBundle initial) {
    this.ids = ids;
    this.calls = calls;
    this.current = new Version(initial, ids, calls);
  }

  /** Wraps a loaded bundle as a version that can be activated. */
  public Version prepare(CodeBundle bundle) {
    return new Version(bundle, ids, calls);
  }

  /**
   * Makes {@code next} current; objects move to it at their next turn boundary. The registry keeps
   * no other version: once the old version's last instance is gone, its class loader can go too. (A
   * rollback prepares the previous version again from its stored jar.)
   */
  public void activate(Version next) {
    current = next;
  }

  public Version current() {
    return current;
  }

  @Override
  public Object version() {
    return current;
  }

  @Override
  public DurableObject create(ObjectAddress address, DurableObjectState state, Object version)
      throws Exception {
    Version v = (Version) version;
    return v.bundle.instantiate(address.namespace(), state, v.env);
  }
}
