package dev.outpost.runtime.internal.storage.rocksdb;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.StorageException;
import dev.outpost.runtime.spi.StoredAlarm;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The byte layout of {@link RocksDbStorageEngine}'s keys and values (described in its design note).
 * Stateless; every method returns a fresh array.
 */
final class RocksKeys {

  private static final byte OBJECT_TAG = 'o';
  private static final byte ALARM_TAG = 'a';
  private static final byte DATA_TAG = 'd';
  private static final byte EPOCH_TAG = 'e';
  private static final int HEX_LENGTH = 64;
  private static final int ALARM_HEADER = 9; // 8-byte millis + name flag

  /**
   * {@code 'm' + "applied-index"} → 8-byte big-endian Raft log index: how far a replica group's
   * copy got (only in a group's store).
   */
  static final byte[] APPLIED_INDEX = "mapplied-index".getBytes(StandardCharsets.US_ASCII);

  /** First key of the alarm index. */
  static final byte[] ALARMS_START = {ALARM_TAG};

  /** First key past the alarm index. */
  static final byte[] ALARMS_END = {ALARM_TAG + 1};

  private RocksKeys() {}

  /** {@code 'o' + namespace + 0x00 + id hex}: the start of the object's range. */
  static byte[] objectPrefix(ObjectAddress object) {
    return rangeKey(OBJECT_TAG, object);
  }

  /** {@code prefix + 'd' + userKey}. With an empty user key, the start of the data range. */
  static byte[] dataKey(byte[] prefix, byte[] userKey) {
    byte[] key = Arrays.copyOf(prefix, prefix.length + 1 + userKey.length);
    key[prefix.length] = DATA_TAG;
    System.arraycopy(userKey, 0, key, prefix.length + 1, userKey.length);
    return key;
  }

  /** {@code prefix + 'e'}: the epoch record, which is also the first key past the data range. */
  static byte[] epochKey(byte[] prefix) {
    byte[] key = Arrays.copyOf(prefix, prefix.length + 1);
    key[prefix.length] = EPOCH_TAG;
    return key;
  }

  static byte[] encodeEpoch(long epoch) {
    return ByteBuffer.allocate(Long.BYTES).putLong(epoch).array();
  }

  /** The stored epoch, 0 when {@code value} is null (never committed). */
  static long decodeEpoch(byte[] value) {
    return value == null ? 0 : ByteBuffer.wrap(value).getLong();
  }

  /** {@code 'a' + namespace + 0x00 + id hex}: the object's entry in the alarm index. */
  static byte[] alarmKey(ObjectAddress object) {
    return rangeKey(ALARM_TAG, object);
  }

  /** 8-byte epoch millis, a flag byte (1 when the id has a name), then the name in UTF-8. */
  static byte[] encodeAlarm(ObjectAddress object, Instant time) {
    byte[] name = object.id().name().map(n -> n.getBytes(StandardCharsets.UTF_8)).orElse(null);
    ByteBuffer value = ByteBuffer.allocate(ALARM_HEADER + (name == null ? 0 : name.length));
    value.putLong(time.toEpochMilli()).put((byte) (name == null ? 0 : 1));
    if (name != null) {
      value.put(name);
    }
    return value.array();
  }

  /**
   * Rebuilds an alarm from its index entry.
   *
   * @throws StorageException if the entry does not have the layout above
   */
  static StoredAlarm decodeAlarm(byte[] key, byte[] value) {
    int zero = 1;
    while (zero < key.length && key[zero] != 0) {
      zero++;
    }
    if (key.length != zero + 1 + HEX_LENGTH || value.length < ALARM_HEADER) {
      throw new StorageException(
          "corrupt alarm index entry (key of "
              + key.length
              + " bytes, value of "
              + value.length
              + " bytes)");
    }
    String namespace = new String(key, 1, zero - 1, StandardCharsets.US_ASCII);
    String hex = new String(key, zero + 1, HEX_LENGTH, StandardCharsets.US_ASCII);
    ByteBuffer buffer = ByteBuffer.wrap(value);
    long millis = buffer.getLong();
    Optional<String> name =
        buffer.get() == 0
            ? Optional.empty()
            : Optional.of(
                new String(
                    value, ALARM_HEADER, value.length - ALARM_HEADER, StandardCharsets.UTF_8));
    return new StoredAlarm(
        new ObjectAddress(namespace, DurableObjectId.of(hex, name)), Instant.ofEpochMilli(millis));
  }

  /** The first key of any object's range. */
  static final byte[] OBJECTS_START = {OBJECT_TAG};

  /** Past the last key of any object's range. */
  static final byte[] OBJECTS_END = {OBJECT_TAG + 1};

  /** The object (without a name) whose range holds {@code key}. */
  static ObjectAddress objectOf(byte[] key) {
    int zero = 1;
    while (key[zero] != 0) {
      zero++;
    }
    String namespace = new String(key, 1, zero - 1, StandardCharsets.US_ASCII);
    String hex = new String(key, zero + 1, HEX_LENGTH, StandardCharsets.US_ASCII);
    return new ObjectAddress(namespace, DurableObjectId.of(hex, Optional.empty()));
  }

  /** Whether an object-range key is a data key (not the epoch key). */
  static boolean isDataKey(byte[] key) {
    int zero = 1;
    while (key[zero] != 0) {
      zero++;
    }
    return key[zero + 1 + HEX_LENGTH] == DATA_TAG;
  }

  /** The first key after every key of the object's range. */
  static byte[] pastObject(ObjectAddress object) {
    byte[] prefix = rangeKey(OBJECT_TAG, object);
    byte[] past = Arrays.copyOf(prefix, prefix.length + 1);
    past[prefix.length] = (byte) 0xFF;
    return past;
  }

  /** {@code tag + namespace + 0x00 + id hex}; namespaces are ASCII and never contain 0x00. */
  private static byte[] rangeKey(byte tag, ObjectAddress object) {
    byte[] ns = object.namespace().getBytes(StandardCharsets.US_ASCII);
    byte[] hex = object.id().toString().getBytes(StandardCharsets.US_ASCII);
    byte[] key = new byte[1 + ns.length + 1 + hex.length];
    key[0] = tag;
    System.arraycopy(ns, 0, key, 1, ns.length);
    System.arraycopy(hex, 0, key, ns.length + 2, hex.length);
    return key;
  }
}
