package org.quench.compiler.frontend;

import java.util.SplittableRandom;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.Provenance;

/**
 * A network written with the Java builder front-end: the heterogeneous recurrent population of the
 * precision work (docs/precision.md), used by tests and by the precision benchmark. CubaLIF
 * neurons with lognormal tau_mem (median 10 ms, sigma of log 0.8), lognormal tau_syn (median 3 ms,
 * sigma of log 0.5) and thresholds uniform in [0.5, 1.5], in neuron index order (no sorting).
 * Every neuron gets {@link #RECURRENT_FAN_IN} recurrent synapses from random other neurons (weights
 * normal, mean 0, sd 0.1: balanced) and {@link #INPUT_FAN_IN} from an input port of
 * {@link #INPUT_WIDTH} channels (weights normal, mean 1, sd 0.25: excitatory drive).
 * Deterministic in the seed.
 */
public final class HeterogeneousRecurrent {
  /** Recurrent synapses into each neuron. */
  public static final int RECURRENT_FAN_IN = 100;
  /** Input synapses into each neuron. */
  public static final int INPUT_FAN_IN = 10;
  /** Channels of the input port {@code input}. */
  public static final int INPUT_WIDTH = 200;

  private HeterogeneousRecurrent() {}

  /** The network of {@code n} neurons in population {@code pop}, input port {@code input}. */
  public static Network network(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] params = lognormalParameters(n, rng, 0.010, 0.8, 0.003, 0.5, 0.5, 1.5);
    double[] tauMem = params[0];
    double[] tauSyn = params[1];
    double[] th = params[2];
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("pop");
    Projection.Builder in = Projection.builder("input->pop", Projection.Source.inputPort("input"),
        INPUT_WIDTH, "pop", n);
    Projection.Builder rec = Projection.builder("pop->pop", Projection.Source.population("pop"), n,
        "pop", n);
    int fanIn = Math.min(RECURRENT_FAN_IN, n - 1);
    for (int t = 0; t < n; t++) {
      boolean[] used = new boolean[n];
      used[t] = true;
      for (int k = 0; k < fanIn; k++) {
        int s = rng.nextInt(n);
        while (used[s]) {
          s = rng.nextInt(n);
        }
        used[s] = true;
        rec.floatSynapse(s, t, 0.1 * gaussian(rng), 0);
      }
      boolean[] usedIn = new boolean[INPUT_WIDTH];
      for (int k = 0; k < Math.min(INPUT_FAN_IN, INPUT_WIDTH); k++) {
        int s = rng.nextInt(INPUT_WIDTH);
        while (usedIn[s]) {
          s = rng.nextInt(INPUT_WIDTH);
        }
        usedIn[s] = true;
        in.floatSynapse(s, t, 1.0 + 0.25 * gaussian(rng), 0);
      }
    }
    return Network.builder("heterogeneous" + n).input(new InputPort("input", INPUT_WIDTH))
        .population(Population.of("pop", f)).projection(in.build()).projection(rec.build())
        .output("pop").provenance(Provenance.none()).build();
  }

  /**
   * Per neuron, drawn in turn: tau_mem and tau_syn lognormal (median, sigma of the log), threshold
   * uniform in [thLo, thHi]. Returns {tauMem, tauSyn, threshold}.
   */
  public static double[][] lognormalParameters(int n, SplittableRandom rng, double memMedian,
      double memSigma, double synMedian, double synSigma, double thLo, double thHi) {
    double[][] p = new double[3][n];
    for (int i = 0; i < n; i++) {
      p[0][i] = memMedian * Math.exp(memSigma * gaussian(rng));
      p[1][i] = synMedian * Math.exp(synSigma * gaussian(rng));
      p[2][i] = thLo + (thHi - thLo) * rng.nextDouble();
    }
    return p;
  }

  /** A standard normal value (Box-Muller, one per call: a simple, deterministic stream). */
  public static double gaussian(SplittableRandom rng) {
    double u = 1.0 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
