package org.quench.compiler.passes;

/**
 * A multiset of long keys (open addressing, linear probing): how many times each key was added
 * minus removed, and how many keys have a positive count. Keys whose count drops to zero stay in
 * the table (so a later re-add is cheap and nothing is ever rehashed on removal). Never iterated,
 * so its layout cannot leak into results.
 */
final class LongCounts {
  private long[] keys = new long[16];
  private int[] counts = new int[16];
  private boolean[] used = new boolean[16];
  private int size;
  /** Keys with a positive count. */
  int distinct;

  int get(long key) {
    int mask = keys.length - 1;
    for (int h = mix(key) & mask; used[h]; h = (h + 1) & mask) {
      if (keys[h] == key) {
        return counts[h];
      }
    }
    return 0;
  }

  /** Adds {@code delta} (may be negative) to key's count and returns the new count. */
  int add(long key, int delta) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int h = mix(key) & mask;
    while (used[h] && keys[h] != key) {
      h = (h + 1) & mask;
    }
    if (!used[h]) {
      used[h] = true;
      keys[h] = key;
      size++;
    }
    int before = counts[h];
    int after = before + delta;
    counts[h] = after;
    if (before <= 0 && after > 0) {
      distinct++;
    } else if (before > 0 && after <= 0) {
      distinct--;
    }
    return after;
  }

  private void grow() {
    long[] k = keys;
    int[] c = counts;
    boolean[] u = used;
    keys = new long[k.length * 2];
    counts = new int[k.length * 2];
    used = new boolean[k.length * 2];
    int mask = keys.length - 1;
    for (int i = 0; i < k.length; i++) {
      if (u[i]) {
        int h = mix(k[i]) & mask;
        while (used[h]) {
          h = (h + 1) & mask;
        }
        used[h] = true;
        keys[h] = k[i];
        counts[h] = c[i];
      }
    }
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 29) ^ (h >>> 32));
  }
}
