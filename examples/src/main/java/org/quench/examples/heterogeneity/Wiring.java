package org.quench.examples.heterogeneity;

import java.util.SplittableRandom;

/**
 * The random parts of a reservoir that do not depend on its time constants: recurrent sources and
 * standard-normal weights ({@code inDegree} distinct presynaptic neurons per neuron, no
 * self-connections), input weights uniform in [-1, 1], and a per-neuron offset uniform in [0, 1]
 * that each model maps to its bias. Each part has its own random stream (see {@link Seeds}), so a
 * homogeneous and a heterogeneous network of the same seed and size share all of them.
 */
record Wiring(int[][] sources, double[][] weights, double[][] input, double[] offset) {

  static Wiring of(int neurons, int inDegree, int channels, long seed) {
    int k = Math.min(inDegree, neurons - 1);
    SplittableRandom rec = new SplittableRandom(Seeds.mix(seed, "recurrent/" + neurons));
    int[][] sources = new int[neurons][k];
    double[][] weights = new double[neurons][k];
    for (int i = 0; i < neurons; i++) {
      // Partial Fisher-Yates over the other neurons: k distinct sources.
      int[] pool = new int[neurons - 1];
      for (int j = 0, p = 0; j < neurons; j++) {
        if (j != i) {
          pool[p++] = j;
        }
      }
      for (int s = 0; s < k; s++) {
        int pick = s + rec.nextInt(pool.length - s);
        int tmp = pool[s];
        pool[s] = pool[pick];
        pool[pick] = tmp;
        sources[i][s] = pool[s];
        weights[i][s] = gaussian(rec);
      }
    }
    SplittableRandom in = new SplittableRandom(Seeds.mix(seed, "input/" + neurons + "/" + channels));
    double[][] input = new double[neurons][channels];
    for (int i = 0; i < neurons; i++) {
      for (int c = 0; c < channels; c++) {
        input[i][c] = 2 * in.nextDouble() - 1;
      }
    }
    SplittableRandom off = new SplittableRandom(Seeds.mix(seed, "offset/" + neurons));
    double[] offset = new double[neurons];
    for (int i = 0; i < neurons; i++) {
      offset[i] = off.nextDouble();
    }
    return new Wiring(sources, weights, input, offset);
  }

  int neurons() {
    return sources.length;
  }

  /** A standard normal draw (Box-Muller; deterministic, unlike a shared generator's cache). */
  private static double gaussian(SplittableRandom r) {
    double u1 = r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
