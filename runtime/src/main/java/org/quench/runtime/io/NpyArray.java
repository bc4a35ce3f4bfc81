package org.quench.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quench.hal.QuenchException;

/**
 * A NumPy {@code .npy} array (format versions 1, 2 and 3 read; version 1 written, or 2 when the
 * header needs it): little-endian bool, u1, i1, i2, i4, i8, f4 or f8 in C order, with its shape.
 * Holds the raw little-endian bytes; accessors convert. Fortran order, big-endian data, other
 * dtypes and truncated files are refused with a message saying which and how to convert. Immutable.
 */
public final class NpyArray {
  /** The element types supported, with NumPy's descr strings. */
  public enum DType {
    BOOL("|b1", 1, false),
    U1("|u1", 1, false),
    I1("|i1", 1, false),
    I2("<i2", 2, false),
    I4("<i4", 4, false),
    I8("<i8", 8, false),
    F4("<f4", 4, true),
    F8("<f8", 8, true);

    final String descr;
    final int bytes;
    final boolean floating;

    DType(String descr, int bytes, boolean floating) {
      this.descr = descr;
      this.bytes = bytes;
      this.floating = floating;
    }

    /** NumPy's descr string, e.g. {@code <i8}. */
    public String descr() {
      return descr;
    }

    static DType parse(String descr, String where) {
      if (descr.length() >= 2 && descr.charAt(0) == '>' && !descr.endsWith("1")) {
        throw new QuenchException(where + ": dtype '" + descr + "' is big-endian; save it little-endian,"
            + " e.g. a.astype(a.dtype.newbyteorder('<'))");
      }
      String kind = descr.length() >= 2 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
      for (DType t : values()) {
        if (t.descr.substring(1).equals(kind)) {
          return t;
        }
      }
      throw new QuenchException(where + ": dtype '" + descr + "' is not supported; use one of bool, "
          + "uint8, int8, int16, int32, int64, float32, float64 (e.g. a.astype(np.int64))");
    }
  }

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private final DType dtype;
  private final int[] shape;
  private final byte[] data;

  private NpyArray(DType dtype, int[] shape, byte[] data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  /** Reads a .npy file. */
  public static NpyArray read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException("npy file " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read npy file " + file + ": " + e.getMessage(), e);
    }
    return parse(bytes, file.toString());
  }

  /** Parses .npy bytes; {@code where} names the source in errors. */
  public static NpyArray parse(byte[] bytes, String where) {
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
      throw new QuenchException(where + " is not a .npy file (no \\x93NUMPY magic); save with numpy.save");
    }
    int major = bytes[6] & 0xff;
    int headerLen;
    int offset;
    if (major == 1) {
      headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
      offset = 10;
    } else if (major == 2 || major == 3) {
      if (bytes.length < 12) {
        throw new QuenchException(where + " is truncated inside the .npy header");
      }
      long len = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
      if (len > Integer.MAX_VALUE - 12) {
        throw new QuenchException(where + ": .npy header length " + len + " is not plausible");
      }
      headerLen = (int) len;
      offset = 12;
    } else {
      throw new QuenchException(where + ": .npy format version " + major + " is not supported (1, 2, 3 are)");
    }
    if (offset + (long) headerLen > bytes.length) {
      throw new QuenchException(where + " is truncated inside the .npy header");
    }
    String header = new String(bytes, offset, headerLen,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new QuenchException(where + ": .npy header is malformed (needs descr, fortran_order and"
          + " shape): " + header.trim());
    }
    DType dtype = DType.parse(d.group(1), where);
    if (f.group(1).equals("True")) {
      throw new QuenchException(where + " is stored in Fortran order; save a C-ordered array"
          + " (numpy.ascontiguousarray) instead");
    }
    int[] shape = parseShape(s.group(1), where);
    long count = product(shape, where);
    long need = count * dtype.bytes;
    int start = offset + headerLen;
    if (bytes.length - start < need) {
      throw new QuenchException(where + " is truncated: shape " + Arrays.toString(shape) + " of "
          + dtype.descr + " needs " + need + " data bytes, the file has " + (bytes.length - start));
    }
    byte[] data = Arrays.copyOfRange(bytes, start, (int) (start + need));
    if (dtype == DType.BOOL) {
      for (int i = 0; i < data.length; i++) {
        if (data[i] != 0 && data[i] != 1) {
          throw new QuenchException(where + ": bool element " + i + " has byte value " + (data[i] & 0xff));
        }
      }
    }
    return new NpyArray(dtype, shape, data);
  }

  private static int[] parseShape(String text, String where) {
    String t = text.trim();
    if (t.isEmpty()) {
      return new int[0];
    }
    String[] parts = t.split(",");
    int n = parts.length;
    if (parts[n - 1].trim().isEmpty()) {
      n--;
    }
    int[] shape = new int[n];
    for (int i = 0; i < n; i++) {
      try {
        String p = parts[i].trim();
        if (p.endsWith("L")) {
          p = p.substring(0, p.length() - 1);
        }
        long v = Long.parseLong(p);
        if (v < 0 || v > Integer.MAX_VALUE) {
          throw new QuenchException(where + ": .npy shape dimension " + v + " is out of range");
        }
        shape[i] = (int) v;
      } catch (NumberFormatException e) {
        throw new QuenchException(where + ": .npy shape (" + text + ") is not a tuple of integers");
      }
    }
    return shape;
  }

  private static long product(int[] shape, String where) {
    long n = 1;
    for (int d : shape) {
      n *= d;
      if (n > Integer.MAX_VALUE) {
        throw new QuenchException(where + ": array of shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return n;
  }

  /** An integer (or bool) array; every value must fit the dtype. */
  public static NpyArray ofLongs(DType dtype, int[] shape, long[] values) {
    if (dtype.floating) {
      throw new IllegalArgumentException("use ofDoubles for " + dtype);
    }
    ByteBuffer b = allocate(dtype, shape, values.length);
    for (int i = 0; i < values.length; i++) {
      long v = values[i];
      switch (dtype) {
        case BOOL -> b.put((byte) check(v, 0, 1, i, dtype));
        case U1 -> b.put((byte) check(v, 0, 255, i, dtype));
        case I1 -> b.put((byte) check(v, Byte.MIN_VALUE, Byte.MAX_VALUE, i, dtype));
        case I2 -> b.putShort((short) check(v, Short.MIN_VALUE, Short.MAX_VALUE, i, dtype));
        case I4 -> b.putInt((int) check(v, Integer.MIN_VALUE, Integer.MAX_VALUE, i, dtype));
        default -> b.putLong(v);
      }
    }
    return new NpyArray(dtype, shape.clone(), b.array());
  }

  /** An int array (convenience for {@link #ofLongs}). */
  public static NpyArray ofInts(DType dtype, int[] shape, int[] values) {
    return ofLongs(dtype, shape, Arrays.stream(values).asLongStream().toArray());
  }

  /** A float32 or float64 array (float32 rounds each value). */
  public static NpyArray ofDoubles(DType dtype, int[] shape, double[] values) {
    if (!dtype.floating) {
      throw new IllegalArgumentException("use ofLongs for " + dtype);
    }
    ByteBuffer b = allocate(dtype, shape, values.length);
    for (double v : values) {
      if (dtype == DType.F4) {
        b.putFloat((float) v);
      } else {
        b.putDouble(v);
      }
    }
    return new NpyArray(dtype, shape.clone(), b.array());
  }

  private static ByteBuffer allocate(DType dtype, int[] shape, int count) {
    long n = product(shape, "array");
    if (n != count) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
          + " values, got " + count);
    }
    return ByteBuffer.allocate(count * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long check(long v, long lo, long hi, int i, DType t) {
    if (v < lo || v > hi) {
      throw new QuenchException("value " + v + " at flat index " + i + " does not fit " + t);
    }
    return v;
  }

  public DType dtype() {
    return dtype;
  }

  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements. */
  public int size() {
    return data.length / dtype.bytes;
  }

  /** Values as longs (C order); float data is refused unless every value is integral. */
  public long[] toLongs() {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (dtype) {
        case BOOL, U1 -> b.get() & 0xff;
        case I1 -> b.get();
        case I2 -> b.getShort();
        case I4 -> b.getInt();
        case I8 -> b.getLong();
        case F4, F8 -> {
          double v = dtype == DType.F4 ? b.getFloat() : b.getDouble();
          if (v != Math.rint(v) || Math.abs(v) >= 0x1p63) {
            throw new QuenchException("npy " + dtype + " element " + i + " is " + v + ", not an integer");
          }
          yield (long) v;
        }
      };
    }
    return out;
  }

  /** Values as ints; refuses values outside the int range. */
  public int[] toInts() {
    long[] l = toLongs();
    int[] out = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
        throw new QuenchException("npy element " + i + " = " + l[i] + " does not fit a 32-bit int");
      }
      out[i] = (int) l[i];
    }
    return out;
  }

  /** Values as doubles (C order). */
  public double[] toDoubles() {
    if (!dtype.floating) {
      return Arrays.stream(toLongs()).asDoubleStream().toArray();
    }
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = dtype == DType.F4 ? b.getFloat() : b.getDouble();
    }
    return out;
  }

  /** The .npy bytes (version 1 header unless it needs more than 65535 bytes). */
  public byte[] toBytes() {
    StringBuilder h = new StringBuilder("{'descr': '").append(dtype.descr)
        .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      h.append(shape[i]).append(shape.length == 1 ? "," : (i + 1 < shape.length ? ", " : ""));
    }
    h.append("), }");
    int version = h.length() + 11 > 65535 ? 2 : 1;
    int prefix = version == 1 ? 10 : 12;
    // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with '\n'.
    int total = prefix + h.length() + 1;
    int pad = (64 - total % 64) % 64;
    h.append(" ".repeat(pad)).append('\n');
    byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(prefix + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    b.put(header).put(data);
    return b.array();
  }

  public void write(Path file) {
    try {
      Files.write(file, toBytes());
    } catch (IOException e) {
      throw new QuenchException("cannot write npy file " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "NpyArray[" + dtype.descr + ", " + Arrays.toString(shape) + "]";
  }
}
