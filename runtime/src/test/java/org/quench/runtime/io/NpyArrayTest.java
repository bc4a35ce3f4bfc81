package org.quench.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.QuenchException;

class NpyArrayTest {
  private static byte[] resource(String name) throws IOException {
    try (InputStream in = NpyArrayTest.class.getResourceAsStream("/golden/netx-random-1001/" + name)) {
      return in.readAllBytes();
    }
  }

  /** A .npy file with a hand-written header, as numpy lays it out. */
  private static byte[] npy(int version, String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    int prefix = version == 1 ? 10 : 12;
    ByteBuffer b = ByteBuffer.allocate(prefix + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
    if (version == 1) {
      b.putShort((short) h.length);
    } else {
      b.putInt(h.length);
    }
    return b.put(h).put(data).array();
  }

  private static byte[] longs(long... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  @Test
  void readsNumpyWrittenUint8AndInt64() throws IOException {
    NpyArray e = NpyArray.parse(resource("expected.npy"), "expected.npy");
    assertEquals(NpyArray.DType.U1, e.dtype());
    assertArrayEquals(new int[] {300, 10}, e.shape());
    // numpy: expected.sum() == 349, column sums [3 5 31 114 0 0 46 104 46 0].
    int[] v = e.toInts();
    assertEquals(349, Arrays.stream(v).sum());
    int col3 = 0;
    for (int t = 0; t < 300; t++) {
      col3 += v[t * 10 + 3];
    }
    assertEquals(114, col3);
    NpyArray b = NpyArray.parse(resource("input_bias.npy"), "input_bias.npy");
    assertEquals(NpyArray.DType.I8, b.dtype());
    assertArrayEquals(new int[] {24}, b.shape());
    assertEquals(46, b.toLongs()[0]);
    assertEquals(9, b.toLongs()[23]);
  }

  @Test
  void everyDtypeRoundTrips(@TempDir Path dir) {
    long[] small = {0, 1, 1, 0, 1, 0};
    long[] signed = {-128, -1, 0, 1, 2, 127};
    long[] wide = {Long.MIN_VALUE, -70000, 0, 1, 70000, Long.MAX_VALUE};
    int[] shape = {2, 3};
    for (NpyArray.DType t : NpyArray.DType.values()) {
      NpyArray a;
      if (t == NpyArray.DType.F4 || t == NpyArray.DType.F8) {
        a = NpyArray.ofDoubles(t, shape, new double[] {-1.5, 0, 0.25, 3, 1e6, -7});
      } else {
        long[] v = switch (t) {
          case BOOL -> small;
          case U1 -> new long[] {0, 1, 128, 200, 254, 255};
          case I1 -> signed;
          case I2 -> new long[] {-32768, -1, 0, 1, 300, 32767};
          case I4 -> new long[] {Integer.MIN_VALUE, -70000, 0, 1, 70000, Integer.MAX_VALUE};
          default -> wide;
        };
        a = NpyArray.ofLongs(t, shape, v);
      }
      Path f = dir.resolve(t + ".npy");
      a.write(f);
      NpyArray back = NpyArray.read(f);
      assertEquals(t, back.dtype());
      assertArrayEquals(shape, back.shape());
      assertArrayEquals(a.toDoubles(), back.toDoubles(), 0.0, t.toString());
      assertEquals(0, (10 + headerLength(f)) % 64, "data aligned to 64 bytes for " + t);
    }
  }

  private static int headerLength(Path f) {
    try {
      byte[] b = Files.readAllBytes(f);
      return (b[8] & 0xff) | (b[9] & 0xff) << 8;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void scalarsAndOneDimensionalShapesRoundTrip() {
    NpyArray s = NpyArray.ofLongs(NpyArray.DType.I4, new int[0], new long[] {42});
    NpyArray back = NpyArray.parse(s.toBytes(), "s");
    assertArrayEquals(new int[0], back.shape());
    assertEquals(42, back.toInts()[0]);
    NpyArray v = NpyArray.parse(NpyArray.ofLongs(NpyArray.DType.I2, new int[] {3}, new long[] {1, 2, 3})
        .toBytes(), "v");
    assertArrayEquals(new int[] {3}, v.shape());
  }

  @Test
  void readsVersionTwoHeaders() {
    byte[] b = npy(2, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", longs(5, -6));
    assertArrayEquals(new long[] {5, -6}, NpyArray.parse(b, "v2").toLongs());
  }

  @Test
  void fortranOrderIsRefused() {
    byte[] b = npy(1, "{'descr': '<i8', 'fortran_order': True, 'shape': (1, 2), }\n", longs(1, 2));
    String m = assertThrows(QuenchException.class, () -> NpyArray.parse(b, "f.npy")).getMessage();
    assertTrue(m.contains("f.npy") && m.contains("Fortran order"), m);
  }

  @Test
  void bigEndianIsRefused() {
    byte[] b = npy(1, "{'descr': '>i8', 'fortran_order': False, 'shape': (2,), }\n", longs(1, 2));
    String m = assertThrows(QuenchException.class, () -> NpyArray.parse(b, "be.npy")).getMessage();
    assertTrue(m.contains("big-endian") && m.contains(">i8"), m);
  }

  @Test
  void unsupportedDtypeIsRefused() {
    byte[] b = npy(1, "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }\n", new byte[12]);
    String m = assertThrows(QuenchException.class, () -> NpyArray.parse(b, "s.npy")).getMessage();
    assertTrue(m.contains("'<U3' is not supported"), m);
  }

  @Test
  void truncatedDataIsRefusedWithTheByteCounts() {
    byte[] b = npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }\n", longs(1, 2));
    String m = assertThrows(QuenchException.class, () -> NpyArray.parse(b, "t.npy")).getMessage();
    assertTrue(m.contains("truncated") && m.contains("needs 24") && m.contains("has 16"), m);
  }

  @Test
  void nonNpyBytesAreRefused() {
    String m = assertThrows(QuenchException.class,
        () -> NpyArray.parse("hello world".getBytes(StandardCharsets.US_ASCII), "x.txt")).getMessage();
    assertTrue(m.contains("not a .npy file"), m);
  }

  @Test
  void valuesThatDoNotFitTheDtypeAreRefused() {
    String m = assertThrows(QuenchException.class,
        () -> NpyArray.ofLongs(NpyArray.DType.U1, new int[] {2}, new long[] {1, 256})).getMessage();
    assertTrue(m.contains("256") && m.contains("U1"), m);
  }
}
