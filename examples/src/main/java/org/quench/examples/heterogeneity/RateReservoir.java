package org.quench.examples.heterogeneity;

/**
 * A leaky-integrator echo state network in double precision, each neuron with its own time
 * constant {@code tau_i} (in samples, at least 1):
 * <pre>
 *   x_i[t] = (1 - 1/tau_i) x_i[t-1]
 *          + (1/tau_i) tanh( g/sqrt(K) sum_j W_ij x_j[t-1] + s sum_c Win_ic (2 u_c[t] - 1) + b_i )
 * </pre>
 * with {@code W_ij} standard normal on K random sources per neuron (so g is close to the spectral
 * radius of the recurrent matrix), {@code u} the drive's input scaled to [0, 1], s the input scale
 * and {@code b_i} uniform in [-0.2, 0.2]. The states are the readout's features.
 */
final class RateReservoir {
  /** Shortest time constant: 1 sample means no memory in the leak. */
  static final double TAU_FLOOR = 1.0;

  private RateReservoir() {}

  /** The time constants of a configuration's neurons for {@code seed}. */
  static double[] taus(ReservoirConfig c, long seed) {
    return c.shape().draw(c.neurons(), c.tauMean(), c.cv(), TAU_FLOOR, Seeds.mix(seed, "tau/" + c.neurons()));
  }

  /** States after every sample of {@code input} (rows = samples, columns = neurons). */
  static double[][] states(ReservoirConfig c, long seed, double[][] input) {
    int n = c.neurons();
    Wiring w = Wiring.of(n, c.inDegree(), input[0].length, seed);
    double[] tau = taus(c, seed);
    double[] leak = new double[n];
    double[] bias = new double[n];
    for (int i = 0; i < n; i++) {
      leak[i] = 1 / tau[i];
      bias[i] = 0.4 * w.offset()[i] - 0.2;
    }
    double rec = w.sources()[0].length == 0 ? 0 : c.gain() / Math.sqrt(w.sources()[0].length);
    double[][] x = new double[input.length][n];
    double[] prev = new double[n];
    for (int t = 0; t < input.length; t++) {
      double[] u = input[t];
      double[] now = x[t];
      for (int i = 0; i < n; i++) {
        double a = bias[i];
        double[] win = w.input()[i];
        for (int ch = 0; ch < u.length; ch++) {
          a += c.inputScale() * win[ch] * (2 * u[ch] - 1);
        }
        if (rec != 0) {
          int[] src = w.sources()[i];
          double[] wt = w.weights()[i];
          double r = 0;
          for (int s = 0; s < src.length; s++) {
            r += wt[s] * prev[src[s]];
          }
          a += rec * r;
        }
        now[i] = (1 - leak[i]) * prev[i] + leak[i] * Math.tanh(a);
      }
      prev = now;
    }
    return x;
  }
}
