package org.quench.runtime.verify;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.io.NpyArray;

/** The stimuli {@code quench verify} feeds both sides: from a .npy file, or seeded random input. */
public final class VerificationInputs {
  private VerificationInputs() {}

  /**
   * From an array: shape (steps, width) is spikes (non-zero entries; integer values other than 1
   * are graded payloads) on the network's first input port; shape (neurons,) is a constant bias
   * mantissa for the first population when it is fixed point (how netx takes images).
   * {@code steps} (when > 0) runs that many steps: no more than the array has rows for spikes.
   */
  public static Stimulus fromArray(NpyArray a, String where, Network net, int steps) {
    int[] shape = a.shape();
    if (shape.length == 2) {
      InputPort port = firstPort(net, where);
      if (shape[1] != port.width()) {
        throw new QuenchException(where + " has " + shape[1] + " columns but input port '"
            + port.name() + "' has " + port.width() + " channels: give shape (steps, "
            + port.width() + ")");
      }
      int rows = shape[0];
      int run = steps > 0 ? steps : rows;
      if (run > rows) {
        throw new QuenchException(where + " has " + rows + " steps of input but " + run
            + " steps were asked for: give --steps " + rows + " or less");
      }
      double[] v = a.toDoubles();
      boolean integral = Arrays.stream(v).allMatch(x -> x == Math.rint(x));
      Stimulus.Builder b = Stimulus.builder(run);
      for (int k = 0; k < run; k++) {
        for (int c = 0; c < shape[1]; c++) {
          double x = v[k * shape[1] + c];
          if (x != 0) {
            b.payload(k, port.name(), c, integral ? (int) x : 1);
          }
        }
      }
      return b.build();
    }
    if (shape.length == 1) {
      Population first = net.populations().get(0);
      if (!(first.dynamics() instanceof FixedNeurons)) {
        throw new QuenchException(where + " is one-dimensional (a bias vector) but the first"
            + " population '" + first.name() + "' of network '" + net.name() + "' has float"
            + " dynamics; give spikes of shape (steps, width) for its input port");
      }
      if (shape[0] != first.size()) {
        throw new QuenchException(where + " has " + shape[0] + " bias values but population '"
            + first.name() + "' has " + first.size() + " neurons");
      }
      return Stimulus.builder(steps > 0 ? steps : 100).bias(0, first.name(), a.toInts()).build();
    }
    throw new QuenchException(where + " has shape " + Arrays.toString(shape) + ": give (steps, width)"
        + " spikes for the first input port, or (neurons,) bias for a network without ports");
  }

  /** Independent Bernoulli spikes with probability {@code rate} per channel and step, seeded. */
  public static Stimulus poisson(Network net, int steps, double rate, long seed) {
    InputPort port = firstPort(net, "random input");
    SplittableRandom rnd = new SplittableRandom(seed);
    Stimulus.Builder b = Stimulus.builder(steps);
    for (int k = 0; k < steps; k++) {
      for (int c = 0; c < port.width(); c++) {
        if (rnd.nextDouble() < rate) {
          b.spike(k, port.name(), c);
        }
      }
    }
    return b.build();
  }

  /**
   * For a network without input ports: a constant bias on the first (fixed-point) population,
   * uniform per neuron between 0 and about twice its threshold, so that rates spread from silent
   * to every step.
   */
  public static Stimulus randomBias(Network net, ChipSpec spec, int steps, long seed) {
    Population first = net.populations().get(0);
    if (!(first.dynamics() instanceof FixedNeurons f)) {
      throw new QuenchException("network '" + net.name() + "' has no input port and its first"
          + " population '" + first.name() + "' is not fixed point: give --input");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] bias = new int[first.size()];
    for (int i = 0; i < bias.length; i++) {
      // effective bias = mant << exp against the threshold vth << 6
      double limit = Math.scalb((double) f.vth(i), 7 - f.biasExp(i));
      bias[i] = spec.biasMantRange().clamp((long) Math.floor(rnd.nextDouble() * limit));
    }
    return Stimulus.builder(steps).bias(0, first.name(), bias).build();
  }

  private static InputPort firstPort(Network net, String where) {
    if (net.inputs().isEmpty()) {
      throw new QuenchException(where + ": network '" + net.name() + "' has no input port");
    }
    return net.inputs().get(0);
  }
}
