package dev.outpost.runtime.internal.replication;

import dev.outpost.api.DurableObjectId;
import dev.outpost.runtime.ObjectAddress;
import dev.outpost.runtime.spi.WriteBatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Optional;

/**
 * The Raft log entry of one committed batch: the object's address (namespace, id, name,
 * jurisdiction) and its {@link WriteBatch} (epoch, clear-all, mutations in order, alarm change).
 * Version byte first, so the format can grow. Thread-safe (stateless).
 */
final class BatchCodec {

  private static final byte VERSION = 1;

  private BatchCodec() {}

  /** A decoded entry. */
  record Entry(ObjectAddress object, WriteBatch batch) {}

  static byte[] encode(ObjectAddress object, WriteBatch batch) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + sizeOf(batch));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(object.namespace());
      out.writeUTF(object.id().toString());
      writeOptional(out, object.id().name());
      writeOptional(out, object.id().jurisdiction());
      out.writeLong(batch.epoch());
      out.writeBoolean(batch.isClearAll());
      out.writeInt(batch.mutations().size());
      for (WriteBatch.Mutation m : batch.mutations()) {
        writeBytes(out, m.key());
        out.writeBoolean(m.isDelete());
        if (!m.isDelete()) {
          writeBytes(out, m.value());
        }
      }
      out.writeBoolean(batch.alarmChanged());
      if (batch.alarmChanged()) {
        Optional<Instant> alarm = batch.alarm();
        out.writeBoolean(alarm.isPresent());
        if (alarm.isPresent()) {
          out.writeLong(alarm.get().toEpochMilli());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static Entry decode(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalStateException("unknown replicated batch format " + version);
      }
      String namespace = in.readUTF();
      String hex = in.readUTF();
      Optional<String> name = readOptional(in);
      Optional<String> jurisdiction = readOptional(in);
      ObjectAddress object =
          new ObjectAddress(namespace, DurableObjectId.of(hex, name, jurisdiction));
      WriteBatch batch = new WriteBatch(in.readLong());
      if (in.readBoolean()) {
        batch.clearAll();
      }
      int mutations = in.readInt();
      for (int i = 0; i < mutations; i++) {
        byte[] key = readBytes(in);
        if (in.readBoolean()) {
          batch.delete(key);
        } else {
          batch.put(key, readBytes(in));
        }
      }
      if (in.readBoolean()) {
        batch.alarm(in.readBoolean() ? Instant.ofEpochMilli(in.readLong()) : null);
      }
      return new Entry(object, batch);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt replicated batch", e);
    }
  }

  private static int sizeOf(WriteBatch batch) {
    int size = 0;
    for (WriteBatch.Mutation m : batch.mutations()) {
      size += 10 + m.key().length + (m.isDelete() ? 0 : m.value().length);
    }
    return size;
  }

  private static void writeOptional(DataOutputStream out, Optional<String> value)
      throws IOException {
    out.writeBoolean(value.isPresent());
    if (value.isPresent()) {
      writeBytes(out, value.get().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static Optional<String> readOptional(DataInputStream in) throws IOException {
    return in.readBoolean()
        ? Optional.of(new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8))
        : Optional.empty();
  }

  private static void writeBytes(DataOutputStream out, byte[] value) throws IOException {
    out.writeInt(value.length);
    out.write(value);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    return in.readNBytes(in.readInt());
  }
}
