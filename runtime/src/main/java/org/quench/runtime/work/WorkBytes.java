package org.quench.runtime.work;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Compact binary forms for {@link WorkKind} codecs: big-endian {@link DataOutputStream} fields
 * (doubles as their IEEE bits, so a decoded value equals the encoded one bit for bit; NaN is
 * written as the one canonical NaN), with
 * helpers for int arrays and nullable strings. Bytes that do not decode are a bug or a version
 * mismatch between members, reported as such.
 */
public final class WorkBytes {
  private WorkBytes() {}

  /** Writes fields to a stream. */
  @FunctionalInterface
  public interface Writing {
    /** Writes to {@code out}. */
    void to(DataOutputStream out) throws IOException;
  }

  /** Reads fields from a stream. */
  @FunctionalInterface
  public interface Reading<T> {
    /** Reads from {@code in}. */
    T from(DataInputStream in) throws IOException;
  }

  /** The bytes {@code writing} writes. */
  public static byte[] write(Writing writing) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writing.to(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** What {@code reading} reads from {@code bytes}, which it must consume exactly. */
  public static <T> T read(byte[] bytes, String what, Reading<T> reading) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      T value = reading.from(in);
      if (in.available() != 0) {
        throw new IllegalStateException(what + ": " + in.available() + " bytes left over (do"
            + " all members run the same quench version?)");
      }
      return value;
    } catch (IOException e) {
      throw new IllegalStateException(what + " does not decode (do all members run the same quench"
          + " version?): " + e, e);
    }
  }

  /** A length-prefixed int array. */
  public static void writeInts(DataOutputStream out, int[] values) throws IOException {
    out.writeInt(values.length);
    for (int v : values) {
      out.writeInt(v);
    }
  }

  /** An int array that {@link #writeInts} wrote. */
  public static int[] readInts(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative array length " + n);
    }
    int[] values = new int[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readInt();
    }
    return values;
  }

  /** A length-prefixed byte array. */
  public static void writeBytes(DataOutputStream out, byte[] values) throws IOException {
    out.writeInt(values.length);
    out.write(values);
  }

  /** A byte array that {@link #writeBytes} wrote. */
  public static byte[] readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative array length " + n);
    }
    byte[] values = new byte[n];
    in.readFully(values);
    return values;
  }

  /** A string that may be null. */
  public static void writeNullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      out.writeUTF(s);
    }
  }

  /** A string that {@link #writeNullable} wrote. */
  public static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? in.readUTF() : null;
  }
}
