package org.quench.board;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.quench.board.proto.grpcchannel.GrpcMetaData;

/**
 * Lava's array frames ({@code grpcchannel.GrpcMetaData}) to and from Java integers. A frame is a
 * NumPy array: {@code type} the NumPy type number, {@code elsize} bytes per element, {@code nd}
 * dimensions (at most 5), {@code dims}, {@code strides} in elements, {@code total_size} elements
 * and {@code value} the raw little-endian bytes in C order. Every field is checked against the
 * others and against the value's length: a frame that does not add up is refused whole.
 */
final class LavaArrays {
  static final int MAX_DIMS = 5;
  static final int DOUBLE = 12;
  /** Bytes per element of NumPy types 0..12 (BOOL .. DOUBLE). */
  private static final int[] SIZES = {1, 1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 4, 8};
  private static final String[] NAMES = {"BOOL", "BYTE", "UBYTE", "SHORT", "USHORT", "INT",
      "UINT", "LONG", "ULONG", "LONGLONG", "ULONGLONG", "FLOAT", "DOUBLE"};

  private LavaArrays() {}

  /** Thrown for a frame that does not add up; the message says which field and why. */
  static final class BadFrame extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadFrame(String message) {
      super(message);
    }
  }

  /** Checks every field of a frame; returns its element count. */
  static int check(GrpcMetaData m) {
    if (m.getType() < 0 || m.getType() >= SIZES.length) {
      throw new BadFrame("type " + m.getType() + " is not a NumPy type number Quench reads"
          + " (0 BOOL .. 12 DOUBLE)");
    }
    int type = (int) m.getType();
    if (m.getElsize() != SIZES[type]) {
      throw new BadFrame("elsize " + m.getElsize() + " does not match type " + NAMES[type]
          + " (" + SIZES[type] + " bytes)");
    }
    if (m.getNd() < 0 || m.getNd() > MAX_DIMS) {
      throw new BadFrame("nd " + m.getNd() + " is outside 0.." + MAX_DIMS);
    }
    int nd = (int) m.getNd();
    if (m.getDimsCount() != nd || m.getStridesCount() != nd) {
      throw new BadFrame("nd " + nd + " but " + m.getDimsCount() + " dims and "
          + m.getStridesCount() + " strides");
    }
    long count = 1;
    for (int i = 0; i < nd; i++) {
      long d = m.getDims(i);
      if (d < 0) {
        throw new BadFrame("dims[" + i + "] is negative (" + d + ")");
      }
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw new BadFrame("dims describe more than 2^31 elements");
      }
    }
    long stride = 1;
    for (int i = nd - 1; i >= 0; i--) {
      if (m.getDims(i) > 1 && m.getStrides(i) != stride) {
        throw new BadFrame("strides[" + i + "] is " + m.getStrides(i) + " but a C-order array of"
            + " these dims has " + stride + " (strides count elements)");
      }
      stride *= Math.max(1, m.getDims(i));
    }
    if (m.getTotalSize() != count) {
      throw new BadFrame("total_size " + m.getTotalSize() + " but dims multiply to " + count);
    }
    if (m.getValue().size() != count * SIZES[type]) {
      throw new BadFrame("value holds " + m.getValue().size() + " bytes but " + count
          + " elements of " + SIZES[type] + " bytes need " + count * SIZES[type]);
    }
    return (int) count;
  }

  /**
   * The frame's elements as integers (spike values or graded payloads): floating values must be
   * whole numbers and every value must fit in 32 bits.
   */
  static int[] integers(GrpcMetaData m) {
    int n = check(m);
    int type = (int) m.getType();
    ByteBuffer b = m.getValue().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      double v = element(b, type, i);
      if (v != Math.rint(v) || v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new BadFrame("element " + i + " is " + v + ", not a 32-bit integer spike value");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /** A one-element frame's value (a management token or a variable id). */
  static double scalar(GrpcMetaData m) {
    int n = check(m);
    if (n != 1) {
      throw new BadFrame("a management token is one element, this frame has " + n);
    }
    ByteBuffer b = m.getValue().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return element(b, (int) m.getType(), 0);
  }

  private static double element(ByteBuffer b, int type, int i) {
    int at = i * SIZES[type];
    return switch (type) {
      case 0 -> b.get(at) != 0 ? 1 : 0;
      case 1 -> b.get(at);
      case 2 -> b.get(at) & 0xff;
      case 3 -> b.getShort(at);
      case 4 -> b.getShort(at) & 0xffff;
      case 5 -> b.getInt(at);
      case 6 -> b.getInt(at) & 0xffffffffL;
      case 7, 9 -> b.getLong(at);
      case 8, 10 -> {
        long v = b.getLong(at);
        // Above 2^63 it is no spike value anyway; keep the sign out of the way.
        yield v < 0 ? Double.POSITIVE_INFINITY : v;
      }
      case 11 -> b.getFloat(at);
      default -> b.getDouble(at);
    };
  }

  /** A float64 array of the given values and shape (C order), as Lava's receiving ports expect. */
  static GrpcMetaData doubles(double[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    b.flip();
    GrpcMetaData.Builder m = GrpcMetaData.newBuilder().setNd(dims.length).setType(DOUBLE)
        .setElsize(8).setTotalSize(values.length).setValue(ByteString.copyFrom(b));
    long stride = 1;
    long[] strides = new long[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = stride;
      stride *= dims[i];
    }
    for (int i = 0; i < dims.length; i++) {
      m.addDims(dims[i]).addStrides(strides[i]);
    }
    return m.build();
  }

  /** A 1-element float64 frame: how Lava sends management tokens and their replies. */
  static GrpcMetaData token(double value) {
    return doubles(new double[] {value}, 1);
  }
}
