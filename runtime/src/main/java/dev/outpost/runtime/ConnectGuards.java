package dev.outpost.runtime;

import dev.outpost.api.ConnectGuard;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The guards a namespace's requests and connections pass before its objects are woken, in order:
 * the bundle-wide ones ({@code guard=} in the manifest), then the namespace's own ({@code
 * namespace.NAME.guard=}). The router runs them ({@link ConnectGuard}); the runtime only loads them
 * with their code version, so a deploy changes them with the objects. Immutable.
 *
 * @param steps the guards, in the order they run; empty when nothing is guarded
 */
public record ConnectGuards(List<Step> steps) {

  /** The name of the router's JSON Web Token check in a manifest's guard list. */
  public static final String JWT = "jwt";

  /** Every name a manifest's guard list may use besides a class name. */
  public static final Set<String> BUILT_INS = Set.of(JWT);

  /** No guard: every request goes straight to the object. */
  public static final ConnectGuards NONE = new ConnectGuards(List.of());

  /** Copies the steps. */
  public ConnectGuards {
    steps = List.copyOf(steps);
  }

  /** Whether there is no guard at all. */
  public boolean isEmpty() {
    return steps.isEmpty();
  }

  /** One guard of the chain. */
  public sealed interface Step permits BuiltIn, Custom {
    /** What the manifest calls it: a built-in name or a class name. */
    String name();
  }

  /**
   * A check the router provides, by name (one of {@link #BUILT_INS}).
   *
   * @param name its name in the manifest
   */
  public record BuiltIn(String name) implements Step {
    /** Checks the name is a built-in. */
    public BuiltIn {
      if (!BUILT_INS.contains(Objects.requireNonNull(name, "name"))) {
        throw new IllegalArgumentException(
            "no built-in guard '" + name + "'; there is " + BUILT_INS);
      }
    }
  }

  /**
   * A guard of the bundle's own code, constructed when its code version was loaded.
   *
   * @param name its class name
   * @param guard the instance, shared by every call
   */
  public record Custom(String name, ConnectGuard guard) implements Step {
    /** Checks the fields are present. */
    public Custom {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(guard, "guard");
    }
  }
}
