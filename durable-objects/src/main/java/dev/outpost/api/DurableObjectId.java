package dev.outpost.api;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The identity of one durable object within a namespace: 64 lowercase hex digits.
 *
 * <p>Ids made by {@link DurableObjectNamespace#idFromName(String)} are deterministic and carry the
 * name they were made from, which the object can read in every event, alarms included. Ids made by
 * {@link DurableObjectNamespace#newUniqueId()} or parsed by {@link
 * DurableObjectNamespace#idFromString(String)} have no name.
 *
 * <p>Two ids are equal when their hex strings are equal; the name takes no part in equality.
 * Immutable and thread-safe.
 */
public final class DurableObjectId {

  /** Longest name an id keeps, in UTF-8 bytes (Cloudflare's limit for {@code ctx.id.name}). */
  public static final int MAX_NAME_BYTES = 1024;

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

  private final String hex;
  private final String name; // null when the id was not made from a name

  private DurableObjectId(String hex, String name) {
    this.hex = hex;
    this.name = name;
  }

  /**
   * Creates an id from its hex form and the name it was derived from. This is a low-level
   * constructor for runtimes; user code obtains ids from a {@link DurableObjectNamespace}.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 lowercase hex digits
   */
  public static DurableObjectId of(String hex, Optional<String> name) {
    Objects.requireNonNull(hex, "hex");
    Objects.requireNonNull(name, "name");
    if (!isWellFormed(hex)) {
      throw new IllegalArgumentException(
          "a durable object id is 64 lowercase hex digits; got '" + abbreviate(hex) + "'");
    }
    return new DurableObjectId(hex, name.orElse(null));
  }

  /** Whether {@code text} has the shape of an id (64 lowercase hex digits). */
  public static boolean isWellFormed(String text) {
    return text != null && HEX64.matcher(text).matches();
  }

  /** The name this id was derived from, if it was made by {@code idFromName}. */
  public Optional<String> name() {
    return Optional.ofNullable(name);
  }

  /** The 64-hex-digit form, accepted by {@link DurableObjectNamespace#idFromString(String)}. */
  @Override
  public String toString() {
    return hex;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DurableObjectId that && hex.equals(that.hex);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 80) + "...";
  }
}
