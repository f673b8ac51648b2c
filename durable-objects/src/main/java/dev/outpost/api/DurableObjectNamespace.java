package dev.outpost.api;

/**
 * All objects of one class, addressed by id. Obtained from {@link Env#namespace(String)}.
 *
 * <p>Thread-safe. No method here creates an object: objects are created on the first call made
 * through a stub.
 */
public interface DurableObjectNamespace {

  /** The namespace's name, as routed at {@code /objects/{name}/...}. */
  String name();

  /**
   * The id for a name: the same name in the same namespace always gives the same id, on every node.
   * The id remembers the name.
   *
   * @throws IllegalArgumentException if the name is empty
   */
  DurableObjectId idFromName(String name);

  /** A new random id, never returned before. Store {@code id.toString()} to reach it again. */
  DurableObjectId newUniqueId();

  /**
   * Parses an id's hex form.
   *
   * @throws IllegalArgumentException if the text is not 64 lowercase hex digits
   */
  DurableObjectId idFromString(String hex);

  /**
   * The same namespace restricted to a jurisdiction: ids it makes are different from the
   * unrestricted ones, carry the jurisdiction, and their objects are never placed outside it.
   *
   * @throws IllegalArgumentException if the jurisdiction is not one of {@link
   *     DurableObjectId#JURISDICTIONS}
   */
  DurableObjectNamespace jurisdiction(String jurisdiction);

  /** A stub for the object with this id; returns at once, without contacting the object. */
  DurableObjectStub get(DurableObjectId id);

  /** Shorthand for {@code get(idFromName(name))}. */
  default DurableObjectStub getByName(String name) {
    return get(idFromName(name));
  }
}
