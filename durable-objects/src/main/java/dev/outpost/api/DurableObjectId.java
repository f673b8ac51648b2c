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

  /** The jurisdictions an id may be restricted to (Cloudflare's list). */
  public static final java.util.Set<String> JURISDICTIONS =
      java.util.Set.of("eu", "us", "fedramp", "fedramp-high");

  private final String hex;
  private final String name; // null when the id was not made from a name
  private final String jurisdiction; // null when unrestricted

  private DurableObjectId(String hex, String name, String jurisdiction) {
    this.hex = hex;
    this.name = name;
    this.jurisdiction = jurisdiction;
  }

  /**
   * Creates an id from its hex form and the name it was derived from. This is a low-level
   * constructor for runtimes; user code obtains ids from a {@link DurableObjectNamespace}.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 lowercase hex digits
   */
  public static DurableObjectId of(String hex, Optional<String> name) {
    return of(hex, name, Optional.empty());
  }

  /**
   * Creates an id from its hex form, the name it was derived from and the jurisdiction it is
   * restricted to. A low-level constructor for runtimes.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 lowercase hex digits, or the
   *     jurisdiction is not one of {@link #JURISDICTIONS}
   */
  public static DurableObjectId of(
      String hex, Optional<String> name, Optional<String> jurisdiction) {
    Objects.requireNonNull(hex, "hex");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    if (!isWellFormed(hex)) {
      throw new IllegalArgumentException(
          "a durable object id is 64 lowercase hex digits; got '" + abbreviate(hex) + "'");
    }
    jurisdiction.ifPresent(DurableObjectId::checkJurisdiction);
    return new DurableObjectId(hex, name.orElse(null), jurisdiction.orElse(null));
  }

  /**
   * Checks a jurisdiction name.
   *
   * @throws IllegalArgumentException naming the valid jurisdictions
   */
  public static void checkJurisdiction(String jurisdiction) {
    if (!JURISDICTIONS.contains(jurisdiction)) {
      throw new IllegalArgumentException(
          "unknown jurisdiction '"
              + jurisdiction
              + "'; use one of "
              + new java.util.TreeSet<>(JURISDICTIONS));
    }
  }

  /** The jurisdiction the object is restricted to, if any: it is never placed outside it. */
  public Optional<String> jurisdiction() {
    return Optional.ofNullable(jurisdiction);
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
