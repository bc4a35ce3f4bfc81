package org.quench.board;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.quench.board.proto.grpcchannel.GrpcMetaData;

class LavaArraysTest {
  /** A frame built by hand, the way NumPy lays it out. */
  private static GrpcMetaData frame(int type, int elsize, ByteBuffer bytes, long... dims) {
    GrpcMetaData.Builder b = GrpcMetaData.newBuilder().setNd(dims.length).setType(type)
        .setElsize(elsize);
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    long stride = n;
    for (long d : dims) {
      stride /= Math.max(d, 1);
      b.addDims(d).addStrides(stride);
    }
    return b.setTotalSize(n).setValue(ByteString.copyFrom(bytes.array())).build();
  }

  @Test
  void everyIntegerAndFloatTypeReadsLittleEndian() {
    ByteBuffer i16 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    i16.putShort((short) -2).putShort((short) 300).putShort((short) 0).putShort((short) 1);
    assertArrayEquals(new int[] {-2, 300, 0, 1}, LavaArrays.integers(frame(3, 2, i16, 2, 2)));
    assertArrayEquals(new int[] {65534, 300, 0, 1}, LavaArrays.integers(frame(4, 2, i16, 4)));
    ByteBuffer u8 = ByteBuffer.wrap(new byte[] {(byte) 255, 0, 7});
    assertArrayEquals(new int[] {255, 0, 7}, LavaArrays.integers(frame(2, 1, u8, 3)));
    assertArrayEquals(new int[] {-1, 0, 7}, LavaArrays.integers(frame(1, 1, u8, 3)));
    assertArrayEquals(new int[] {1, 0, 1}, LavaArrays.integers(frame(0, 1, u8, 3)));
    ByteBuffer f32 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(-3f);
    assertArrayEquals(new int[] {1, -3}, LavaArrays.integers(frame(11, 4, f32, 2)));
    ByteBuffer i64 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(5).putLong(-5);
    assertArrayEquals(new int[] {5, -5}, LavaArrays.integers(frame(7, 8, i64, 2)));
    assertArrayEquals(new int[] {5, -5}, LavaArrays.integers(frame(9, 8, i64, 1, 2)));
    assertThrows(LavaArrays.BadFrame.class, () -> LavaArrays.integers(frame(10, 8, i64, 2)),
        "2^64 - 5 is no 32-bit value");
  }

  @Test
  void whatQuenchSendsReadsBackAndTokensAreScalars() {
    GrpcMetaData m = LavaArrays.doubles(new double[] {0, 1, -1, 5, 0, 2}, 2, 3);
    assertEquals(6, LavaArrays.check(m));
    assertArrayEquals(new long[] {3, 1}, m.getStridesList().stream().mapToLong(Long::longValue).toArray());
    assertArrayEquals(new int[] {0, 1, -1, 5, 0, 2}, LavaArrays.integers(m));
    assertEquals(-3.0, LavaArrays.scalar(LavaArrays.token(-3)));
    assertThrows(LavaArrays.BadFrame.class, () -> LavaArrays.scalar(m));
  }

  @Test
  void scalarsHaveNoDimsAndOneElement() {
    ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(42);
    GrpcMetaData scalar = GrpcMetaData.newBuilder().setNd(0).setType(12).setElsize(8)
        .setTotalSize(1).setValue(ByteString.copyFrom(one.array())).build();
    assertEquals(42.0, LavaArrays.scalar(scalar));
  }
}
