package org.quench.compiler.frontend.nir;

import java.util.Arrays;

/**
 * A sparse linear map with delays, from a source vector (length {@code cols}) to a target vector
 * (length {@code rows}): entries (row, col, delay in steps, weight). Growable while built; after
 * {@link #compact()} entries are sorted by (row, col, delay) with duplicates summed and zeros gone.
 */
final class LinearMap {
  final int rows;
  final int cols;
  int count;
  int[] row = new int[16];
  int[] col = new int[16];
  int[] delay = new int[16];
  double[] weight = new double[16];

  LinearMap(int rows, int cols) {
    this.rows = rows;
    this.cols = cols;
  }

  static LinearMap identity(int n) {
    LinearMap m = new LinearMap(n, n);
    for (int i = 0; i < n; i++) {
      m.add(i, i, 0, 1.0);
    }
    return m;
  }

  void add(int r, int c, int d, double w) {
    if (count == row.length) {
      int n = count * 2;
      row = Arrays.copyOf(row, n);
      col = Arrays.copyOf(col, n);
      delay = Arrays.copyOf(delay, n);
      weight = Arrays.copyOf(weight, n);
    }
    row[count] = r;
    col[count] = c;
    delay[count] = d;
    weight[count] = w;
    count++;
  }

  /** Sum of two maps of the same dimensions. */
  LinearMap plus(LinearMap o) {
    LinearMap m = new LinearMap(rows, cols);
    for (int k = 0; k < count; k++) {
      m.add(row[k], col[k], delay[k], weight[k]);
    }
    for (int k = 0; k < o.count; k++) {
      m.add(o.row[k], o.col[k], o.delay[k], o.weight[k]);
    }
    return m.compact();
  }

  /** {@code this} applied after {@code inner}: (this x inner), delays adding up. */
  LinearMap after(LinearMap inner) {
    int[] start = rowStarts(inner);
    int[] order = rowOrder(inner, start);
    LinearMap m = new LinearMap(rows, inner.cols);
    for (int k = 0; k < count; k++) {
      int mid = col[k];
      for (int q = start[mid]; q < start[mid + 1]; q++) {
        int e = order[q];
        m.add(row[k], inner.col[e], delay[k] + inner.delay[e], weight[k] * inner.weight[e]);
      }
    }
    return m.compact();
  }

  /** Rows scaled by {@code factor[row]}. */
  LinearMap scaleRows(double[] factor) {
    LinearMap m = new LinearMap(rows, cols);
    for (int k = 0; k < count; k++) {
      m.add(row[k], col[k], delay[k], weight[k] * factor[row[k]]);
    }
    return m.compact();
  }

  /** Sorts by (row, col, delay), sums duplicates, drops zero weights. */
  LinearMap compact() {
    Integer[] idx = new Integer[count];
    for (int k = 0; k < count; k++) {
      idx[k] = k;
    }
    Arrays.sort(idx, (a, b) -> row[a] != row[b] ? Integer.compare(row[a], row[b])
        : col[a] != col[b] ? Integer.compare(col[a], col[b]) : Integer.compare(delay[a], delay[b]));
    LinearMap m = new LinearMap(rows, cols);
    int k = 0;
    while (k < count) {
      int a = idx[k];
      double sum = 0;
      int j = k;
      while (j < count && row[idx[j]] == row[a] && col[idx[j]] == col[a] && delay[idx[j]] == delay[a]) {
        sum += weight[idx[j]];
        j++;
      }
      if (sum != 0) {
        m.add(row[a], col[a], delay[a], sum);
      }
      k = j;
    }
    return m;
  }

  private static int[] rowStarts(LinearMap m) {
    int[] start = new int[m.rows + 1];
    for (int k = 0; k < m.count; k++) {
      start[m.row[k] + 1]++;
    }
    for (int r = 0; r < m.rows; r++) {
      start[r + 1] += start[r];
    }
    return start;
  }

  private static int[] rowOrder(LinearMap m, int[] start) {
    int[] next = Arrays.copyOf(start, m.rows);
    int[] order = new int[m.count];
    for (int k = 0; k < m.count; k++) {
      order[next[m.row[k]]++] = k;
    }
    return order;
  }
}
