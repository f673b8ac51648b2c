package dev.outpost.samples.yjs.codec;

import java.util.Arrays;

/**
 * Writes lib0's binary encoding (lib0 {@code encoding.js}) into a growing byte array. Strings are
 * written as UTF-8 the way {@code TextEncoder} does, so a lone UTF-16 surrogate becomes U+FFFD
 * ({@code EF BF BD}), never {@code ?}. Not thread-safe.
 */
public final class Lib0Writer {

  private byte[] buf;
  private int size;

  public Lib0Writer() {
    this(64);
  }

  public Lib0Writer(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private void ensure(int more) {
    if (size + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
    }
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  public Lib0Writer writeUint8(int b) {
    ensure(1);
    buf[size++] = (byte) b;
    return this;
  }

  /** An unsigned LEB128 integer (lib0 {@code writeVarUint}). */
  public Lib0Writer writeVarUint(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative varUint " + n);
    }
    while (n > 0x7f) {
      writeUint8((int) (0x80 | (n & 0x7f)));
      n >>>= 7;
    }
    return writeUint8((int) n);
  }

  public Lib0Writer writeBytes(byte[] bytes) {
    return writeBytes(bytes, 0, bytes.length);
  }

  public Lib0Writer writeBytes(byte[] bytes, int from, int length) {
    ensure(length);
    System.arraycopy(bytes, from, buf, size, length);
    size += length;
    return this;
  }

  /** A byte array prefixed by its length (lib0 {@code writeVarUint8Array}). */
  public Lib0Writer writeVarUint8Array(byte[] bytes) {
    writeVarUint(bytes.length);
    return writeBytes(bytes);
  }

  /** A string as UTF-8 prefixed by its byte length (lib0 {@code writeVarString}). */
  public Lib0Writer writeVarString(String s) {
    return writeVarUint8Array(utf8(s));
  }

  /** The bytes written (a copy). */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  /** UTF-8 as {@code TextEncoder} makes it: lone surrogates become U+FFFD. */
  public static byte[] utf8(String s) {
    byte[] out = new byte[s.length() * 3];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      int c = s.charAt(i);
      if (Character.isHighSurrogate((char) c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint((char) c, s.charAt(++i));
        out[n++] = (byte) (0xf0 | (cp >> 18));
        out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
        out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
        out[n++] = (byte) (0x80 | (cp & 0x3f));
        continue;
      }
      if (Character.isSurrogate((char) c)) {
        c = 0xfffd;
      }
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xc0 | (c >> 6));
        out[n++] = (byte) (0x80 | (c & 0x3f));
      } else {
        out[n++] = (byte) (0xe0 | (c >> 12));
        out[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        out[n++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    return Arrays.copyOf(out, n);
  }
}
