package dev.outpost.runtime.internal.bundle;

import dev.outpost.api.DurableObjectId;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Derives and checks object ids with HMAC-SHA256 under the cluster's id key. An id is 28 bytes of
 * identity (derived from the name, or random) followed by a 4-byte tag binding it to its namespace
 * and jurisdiction, in lowercase hex: 64 digits. So {@code idFromName} is the same on every node,
 * {@code idFromString} rejects ids made for another namespace or typed wrong, and it recovers the
 * jurisdiction an id was made in (the tag matches exactly one). Thread-safe.
 */
public final class ObjectIds {

  private static final int IDENTITY_BYTES = 28;
  private static final HexFormat HEX = HexFormat.of();

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();
  private final ThreadLocal<Mac> macs;

  public ObjectIds(String idKey) {
    this.key = new SecretKeySpec(idKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  /** The id for {@code name} in {@code namespace}; it keeps the name if at most 1,024 bytes. */
  public DurableObjectId fromName(String namespace, String name) {
    return fromName(namespace, name, Optional.empty());
  }

  /** The id for {@code name} in {@code namespace}, restricted to {@code jurisdiction} if given. */
  public DurableObjectId fromName(String namespace, String name, Optional<String> jurisdiction) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("an object name must not be empty");
    }
    byte[] identity = new byte[IDENTITY_BYTES];
    String scope = jurisdiction.map(j -> "\0" + j).orElse("");
    System.arraycopy(
        mac("name\0" + namespace + scope + "\0" + name), 0, identity, 0, IDENTITY_BYTES);
    boolean keepName =
        name.getBytes(StandardCharsets.UTF_8).length <= DurableObjectId.MAX_NAME_BYTES;
    return DurableObjectId.of(
        withTag(namespace, jurisdiction, identity),
        Optional.ofNullable(keepName ? name : null),
        jurisdiction);
  }

  /** A new random id in {@code namespace}. */
  public DurableObjectId unique(String namespace) {
    return unique(namespace, Optional.empty());
  }

  /** A new random id in {@code namespace}, restricted to {@code jurisdiction} if given. */
  public DurableObjectId unique(String namespace, Optional<String> jurisdiction) {
    byte[] identity = new byte[IDENTITY_BYTES];
    random.nextBytes(identity);
    return DurableObjectId.of(
        withTag(namespace, jurisdiction, identity), Optional.empty(), jurisdiction);
  }

  /**
   * Parses an id of {@code namespace}, recovering its jurisdiction.
   *
   * @throws IllegalArgumentException if it is malformed or belongs to another namespace
   */
  public DurableObjectId parse(String namespace, String text) {
    if (!DurableObjectId.isWellFormed(text)) {
      throw new IllegalArgumentException(
          "invalid object id: expected 64 lowercase hex digits, got "
              + (text == null ? "null" : text.length() + " characters"));
    }
    byte[] identity = HEX.parseHex(text, 0, IDENTITY_BYTES * 2);
    if (withTag(namespace, Optional.empty(), identity).equals(text)) {
      return DurableObjectId.of(text, Optional.empty());
    }
    for (String jurisdiction : DurableObjectId.JURISDICTIONS) {
      if (withTag(namespace, Optional.of(jurisdiction), identity).equals(text)) {
        return DurableObjectId.of(text, Optional.empty(), Optional.of(jurisdiction));
      }
    }
    throw new IllegalArgumentException(
        "object id "
            + text.substring(0, 12)
            + "... was not made for namespace '"
            + namespace
            + "'");
  }

  private String withTag(String namespace, Optional<String> jurisdiction, byte[] identity) {
    String scope = jurisdiction.map(j -> "\0" + j).orElse("");
    byte[] tag = mac("tag\0" + namespace + scope + "\0" + HEX.formatHex(identity));
    return HEX.formatHex(identity) + HEX.formatHex(tag, 0, 4);
  }

  private byte[] mac(String input) {
    return macs.get().doFinal(input.getBytes(StandardCharsets.UTF_8));
  }
}
