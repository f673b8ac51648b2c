package dev.outpost.runtime.internal.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encodes stored values and socket attachments: one tag byte, then the content. {@code byte[]} is
 * kept as is, a {@code String} as UTF-8, anything else as Jackson JSON. Reading converts between
 * the forms where that makes sense (a JSON number can be read as {@code Long}, a string as JSON
 * text), and fails with a message naming the key otherwise. Thread-safe.
 */
public final class ValueCodec {

  private static final byte BYTES = 0;
  private static final byte STRING = 1;
  private static final byte JSON = 2;

  // Replaced when the code version changes: Jackson caches (de)serializers per user class, and a
  // cache that outlived its bundle would keep the old class loader alive.
  private static volatile ObjectMapper MAPPER = newMapper();

  private static ObjectMapper newMapper() {
    return JsonMapper.builder().findAndAddModules().build();
  }

  /** Drops every cached (de)serializer, after a code version switch. */
  public static void forgetClasses() {
    MAPPER = newMapper();
  }

  private ValueCodec() {}

  /**
   * Encodes a value.
   *
   * @throws IllegalArgumentException if Jackson cannot serialize it; the message names {@code what}
   */
  public static byte[] encode(Object value, String what) {
    Objects.requireNonNull(value, what + " must not be null; use delete to remove it");
    if (value instanceof byte[] bytes) {
      return tagged(BYTES, bytes);
    }
    if (value instanceof String text) {
      return tagged(STRING, text.getBytes(StandardCharsets.UTF_8));
    }
    try {
      return tagged(JSON, MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          what + " of type " + value.getClass().getName() + " cannot be stored as JSON: " + e, e);
    }
  }

  /**
   * Decodes a value as {@code type}.
   *
   * @throws IllegalArgumentException if the stored form cannot be read as {@code type}
   */
  public static <T> T decode(byte[] encoded, Class<T> type, String what) {
    byte tag = encoded[0];
    byte[] content = Arrays.copyOfRange(encoded, 1, encoded.length);
    try {
      if (type == byte[].class) {
        return type.cast(
            tag == JSON ? MAPPER.readValue(content, byte[].class) : content); // strings as UTF-8
      }
      if (tag == BYTES) {
        throw new IllegalArgumentException(
            what + " holds bytes; read it as byte[], not " + type.getSimpleName());
      }
      if (type == String.class && tag == STRING) {
        return type.cast(new String(content, StandardCharsets.UTF_8));
      }
      if (tag == STRING) {
        return MAPPER.convertValue(new String(content, StandardCharsets.UTF_8), type);
      }
      if (type == Object.class) {
        return type.cast(MAPPER.readValue(content, Object.class));
      }
      return MAPPER.readValue(content, type);
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith(what)) {
        throw iae;
      }
      throw new IllegalArgumentException(
          what + " cannot be read as " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  private static byte[] tagged(byte tag, byte[] content) {
    byte[] out = new byte[content.length + 1];
    out[0] = tag;
    System.arraycopy(content, 0, out, 1, content.length);
    return out;
  }
}
