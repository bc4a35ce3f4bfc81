package org.quench.examples.heterogeneity;

/**
 * One generated drive: {@code source[t]} holds the raw values of every variable at sample
 * {@code t} (a chaotic system's full state, or the i.i.d. values themselves), {@code input[t]}
 * the observed channels scaled to [0, 1], which is what the reservoirs receive.
 */
record DriveSeries(Drive drive, double[][] source, double[][] input) {
  int length() {
    return source.length;
  }

  /** Column {@code c} of the raw source. */
  double[] column(int c) {
    double[] v = new double[source.length];
    for (int t = 0; t < v.length; t++) {
      v[t] = source[t][c];
    }
    return v;
  }
}
