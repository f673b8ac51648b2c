package dev.outpost.runtime;

import dev.outpost.api.DurableObjectId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where an object lives logically: its namespace and its id. The unit of placement, of storage
 * ranges and of single ownership.
 *
 * @param namespace a namespace name: 1 to 64 characters of {@code [a-z0-9_-]}
 * @param id the object's id
 */
public record ObjectAddress(String namespace, DurableObjectId id) {

  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_-]{1,64}");

  /** Validates the namespace name. */
  public ObjectAddress {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(id, "id");
    if (!isValidNamespace(namespace)) {
      throw new IllegalArgumentException(
          "namespace '" + namespace + "' is invalid: use 1 to 64 characters of [a-z0-9_-]");
    }
  }

  /** Whether {@code name} is a valid namespace name. */
  public static boolean isValidNamespace(String name) {
    return name != null && NAMESPACE.matcher(name).matches();
  }

  @Override
  public String toString() {
    return namespace + "/" + id.name().map(n -> n + "@").orElse("") + shortId();
  }

  /** The first 12 hex digits of the id, for logs. */
  public String shortId() {
    return id.toString().substring(0, 12);
  }
}
