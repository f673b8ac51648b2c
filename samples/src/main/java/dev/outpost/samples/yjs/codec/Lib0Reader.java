package dev.outpost.samples.yjs.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads lib0's binary encoding (lib0 {@code decoding.js}) from a byte array: unsigned and signed
 * variable-length integers, length-prefixed byte arrays and UTF-8 strings, and lib0 "any" values
 * (whose bytes it can skip over without building them). Not thread-safe; one per message.
 *
 * @throws MalformedUpdateException (from every read) when the bytes end early or break the format
 */
public final class Lib0Reader {

  private final byte[] bytes;
  private int pos;

  public Lib0Reader(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The read position. */
  public int position() {
    return pos;
  }

  /** Whether every byte has been read. */
  public boolean atEnd() {
    return pos >= bytes.length;
  }

  /** One byte, 0-255. */
  public int readUint8() {
    if (pos >= bytes.length) {
      throw new MalformedUpdateException("unexpected end of data at byte " + pos);
    }
    return bytes[pos++] & 0xff;
  }

  /**
   * An unsigned LEB128 integer: 7 bits a byte, least significant first; at most 53 bits, as lib0 (a
   * JavaScript number) allows.
   */
  public long readVarUint() {
    long value = 0;
    int shift = 0;
    while (true) {
      int b = readUint8();
      value |= (long) (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) {
        return value;
      }
      if (shift > 53) {
        throw new MalformedUpdateException("variable-length integer longer than 53 bits");
      }
    }
  }

  /** A {@link #readVarUint()} that must fit in an int (lengths and counts). */
  public int readLength() {
    long n = readVarUint();
    if (n > Integer.MAX_VALUE) {
      throw new MalformedUpdateException("length " + n + " is too large");
    }
    return (int) n;
  }

  /** {@code n} raw bytes (copied). */
  public byte[] readBytes(int n) {
    if (n < 0 || n > bytes.length - pos) {
      throw new MalformedUpdateException(
          "a field of " + n + " bytes runs past the end of the data at byte " + pos);
    }
    byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
    pos += n;
    return out;
  }

  /** A byte array prefixed by its length as a varUint (lib0 {@code readVarUint8Array}). */
  public byte[] readVarUint8Array() {
    return readBytes(readLength());
  }

  /**
   * A UTF-8 string prefixed by its byte length; malformed UTF-8 becomes U+FFFD, as {@code
   * TextDecoder} does.
   */
  public String readVarString() {
    return new String(readVarUint8Array(), StandardCharsets.UTF_8);
  }

  /** The bytes from {@code start} to the read position (copied). */
  public byte[] bytesSince(int start) {
    return Arrays.copyOfRange(bytes, start, pos);
  }

  /** A signed lib0 varInt: first byte 6 bits and a sign bit (0x40), then 7 bits a byte. */
  public void skipVarInt() {
    int b = readUint8();
    int shift = 6;
    while ((b & 0x80) != 0) {
      b = readUint8();
      shift += 7;
      if (shift > 60) {
        throw new MalformedUpdateException("variable-length integer too long");
      }
    }
  }

  /** Moves past one lib0 "any" value (lib0 {@code readAny}) without building it. */
  public void skipAny() {
    skipAny(0);
  }

  private void skipAny(int depth) {
    if (depth > 512) {
      throw new MalformedUpdateException("'any' value nested more than 512 deep");
    }
    int type = readUint8();
    switch (type) {
      case 127, 126, 121, 120 -> {} // undefined, null, false, true
      case 125 -> skipVarInt(); // integer
      case 124 -> readBytes(4); // float32
      case 123, 122 -> readBytes(8); // float64, bigint64
      case 119, 116 -> readVarUint8Array(); // string, Uint8Array
      case 118 -> { // object: count, then key and value
        int n = readLength();
        for (int i = 0; i < n; i++) {
          readVarUint8Array();
          skipAny(depth + 1);
        }
      }
      case 117 -> { // array
        int n = readLength();
        for (int i = 0; i < n; i++) {
          skipAny(depth + 1);
        }
      }
      default -> throw new MalformedUpdateException("unknown 'any' type " + type);
    }
  }
}
