package org.quench.runtime.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The byte-level mutations a careless disk, a truncated download or an attacker makes to a file:
 * bit flips, byte overwrites with boundary values, truncation, a range duplicated in place, a
 * range zeroed. One to three are stacked per mutant.
 */
final class ByteMutations {
  /** Bytes that sit on the boundaries of signed and unsigned integer fields. */
  private static final byte[] INTERESTING = {0, 1, -1, 0x7f, (byte) 0x80, 0x40, 0x10, (byte) 0xfe};

  private ByteMutations() {}

  /** One mutant of {@code seed}; the description says what was done, for reproducing it. */
  static Mutant mutate(byte[] seed, SplittableRandom random) {
    byte[] bytes = seed.clone();
    StringBuilder what = new StringBuilder();
    int count = 1 + random.nextInt(3);
    for (int m = 0; m < count && bytes.length > 0; m++) {
      if (what.length() > 0) {
        what.append(", ");
      }
      bytes = once(bytes, random, what);
    }
    return new Mutant(bytes, what.toString());
  }

  private static byte[] once(byte[] bytes, SplittableRandom random, StringBuilder what) {
    int n = bytes.length;
    switch (random.nextInt(6)) {
      case 0 -> {
        int at = random.nextInt(n);
        int bit = random.nextInt(8);
        bytes[at] ^= (byte) (1 << bit);
        what.append("flip bit ").append(bit).append(" of byte ").append(at);
        return bytes;
      }
      case 1 -> {
        int at = random.nextInt(n);
        byte v = INTERESTING[random.nextInt(INTERESTING.length)];
        bytes[at] = v;
        what.append("byte ").append(at).append(" := ").append(v & 0xff);
        return bytes;
      }
      case 2 -> {
        int length = random.nextInt(n);
        what.append("truncate to ").append(length).append(" bytes");
        return Arrays.copyOf(bytes, length);
      }
      case 3 -> {
        int from = random.nextInt(n);
        int length = 1 + random.nextInt(Math.min(n - from, 256));
        int to = random.nextInt(n + 1);
        byte[] out = new byte[n + length];
        System.arraycopy(bytes, 0, out, 0, to);
        System.arraycopy(bytes, from, out, to, length);
        System.arraycopy(bytes, to, out, to + length, n - to);
        what.append("duplicate [").append(from).append(", ").append(from + length)
            .append(") at ").append(to);
        return out;
      }
      case 4 -> {
        int from = random.nextInt(n);
        int length = 1 + random.nextInt(Math.min(n - from, 64));
        Arrays.fill(bytes, from, from + length, (byte) 0);
        what.append("zero [").append(from).append(", ").append(from + length).append(")");
        return bytes;
      }
      default -> {
        // Four bytes at once: lengths and offsets are 32- or 64-bit little- or big-endian fields.
        int at = random.nextInt(n);
        int value = switch (random.nextInt(4)) {
          case 0 -> Integer.MAX_VALUE;
          case 1 -> -1;
          case 2 -> 1 << (16 + random.nextInt(15));
          default -> random.nextInt();
        };
        for (int k = 0; k < 4 && at + k < n; k++) {
          bytes[at + k] = (byte) (value >>> (8 * k));
        }
        what.append("int32 at ").append(at).append(" := ").append(value);
        return bytes;
      }
    }
  }
}
