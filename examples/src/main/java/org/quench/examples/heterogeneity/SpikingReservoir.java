package org.quench.examples.heterogeneity;

import java.util.Arrays;
import org.quench.compiler.Compiler;
import org.quench.compiler.CompileReport;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.reference.ReferenceSimulator;
import org.quench.hal.ChipSpec;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.runtime.decode.ExponentialFilter;
import org.quench.runtime.session.Session;

/**
 * The spiking reservoir: one population of current-based LIF neurons with per-neuron membrane and
 * synaptic time constants, built with the compiler's IR builder, deployed through the real
 * pipeline (Compiler with discretize, the Loihi profile budget, quantize, partition, place, emit;
 * then a device opened by URI in a runtime {@link Session}) or run in double precision by the
 * compiler's float reference ({@link ReferenceSimulator}) on the same network and stimulus.
 *
 * <p>Model (FloatNeurons, EXACT discretization at {@link #DT}): {@code tau_syn dI/dt = -I + x},
 * {@code tau_mem dv/dt = -v + I}, spike when v > 1, reset to 0. The drive's input sample is held
 * for {@code stepsPerSample} steps; channel c arrives as a signed graded payload
 * {@code round(127 (2 u_c - 1))} through input weights {@code s Win_ic / 127}; the bias current
 * is {@code b_i = 0.5 + 1.5 offset_i} (threshold 1, so some neurons fire without input).
 * Recurrent weights {@code g J W_ij / sqrt(K)} with {@link #RECURRENT_SCALE} J. Features: spikes
 * low-pass filtered with a time constant of one sample, read at each sample's last step. Every
 * choice is explained in docs/heterogeneity-study.md.
 */
final class SpikingReservoir {
  /** Seconds per chip step. */
  static final double DT = 1e-3;
  /** Scale J of the recurrent weights (threshold units per spike at g = 1). */
  static final double RECURRENT_SCALE = 2.0;
  /** Graded payload bits of the input port (payloads are signed). */
  static final int PAYLOAD_BITS = 8;
  /** Largest payload magnitude: the centred input 2u - 1 in [-1, 1] is sent as 127 (2u - 1). */
  static final int PAYLOAD_MAX = (1 << (PAYLOAD_BITS - 1)) - 1;
  /** Bias current b_i = BIAS_LOW + BIAS_SPAN offset_i (threshold units; 1 is the rheobase). */
  static final double BIAS_LOW = 0.5;
  static final double BIAS_SPAN = 1.5;
  /** Shortest membrane and synaptic time constants, in steps. */
  static final double TAU_MEM_FLOOR = 2;
  static final double TAU_SYN_FLOOR = 1;
  /** Mean synaptic time constant as a fraction of the mean membrane one. */
  static final double SYN_FRACTION = 0.25;

  static final String POPULATION = "reservoir";
  static final String PORT = "in";

  private SpikingReservoir() {}

  /** What a run produced: features per sample and facts about the run. */
  record Run(double[][] features, double spikesPerNeuronStep, CompileReport.PopulationQuality quality) {}

  static double[] tauMemSteps(ReservoirConfig c, long seed) {
    return c.shape().draw(c.neurons(), c.tauMean() * c.stepsPerSample(), c.cv(), TAU_MEM_FLOOR,
        Seeds.mix(seed, "tau/" + c.neurons()));
  }

  static double[] tauSynSteps(ReservoirConfig c, long seed) {
    return c.shape().draw(c.neurons(), SYN_FRACTION * c.tauMean() * c.stepsPerSample(), c.cv(),
        TAU_SYN_FLOOR, Seeds.mix(seed, "tau-syn/" + c.neurons()));
  }

  /** The network of a configuration for {@code seed} and {@code channels} input channels. */
  static Network network(ReservoirConfig c, long seed, int channels) {
    return network(c, seed, channels, true);
  }

  /**
   * The network; with {@code graded} false there is no input port and each neuron's static bias
   * is the largest its input can make it ({@code b_i + s sum_c |Win_ic|}), so that the compiler
   * picks a bias exponent with room for every per-step bias the host will set.
   */
  static Network network(ReservoirConfig c, long seed, int channels, boolean graded) {
    int n = c.neurons();
    Wiring w = Wiring.of(n, c.inDegree(), channels, seed);
    double[] tauMem = tauMemSteps(c, seed);
    double[] tauSyn = tauSynSteps(c, seed);
    double[] bias = new double[n];
    for (int i = 0; i < n; i++) {
      tauMem[i] *= DT;
      tauSyn[i] *= DT;
      bias[i] = BIAS_LOW + BIAS_SPAN * w.offset()[i];
      if (!graded) {
        for (int ch = 0; ch < channels; ch++) {
          bias[i] += c.inputScale() * Math.abs(w.input()[i][ch]);
        }
      }
    }
    FloatNeurons neurons = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).allThreshold(1.0)
        .bias(bias).allResetMode(ResetMode.TO_ZERO).build(POPULATION);
    double unit = c.inputScale() / PAYLOAD_MAX;
    Projection.Builder in = Projection.builder("input", Projection.Source.inputPort(PORT), channels,
        POPULATION, n).numMessageBits(PAYLOAD_BITS);
    for (int ch = 0; ch < channels; ch++) {
      for (int i = 0; i < n; i++) {
        in.floatSynapse(ch, i, unit * w.input()[i][ch], 0);
      }
    }
    Network.Builder net = Network.builder("reservoir").population(Population.of(POPULATION, neurons))
        .output(POPULATION);
    if (graded) {
      net.input(new InputPort(PORT, channels)).projection(in.build());
    }
    int k = w.sources()[0].length;
    if (c.gain() != 0 && k > 0) {
      double scale = c.gain() * RECURRENT_SCALE / Math.sqrt(k);
      Projection.Builder rec = Projection.builder("recurrent", Projection.Source.population(POPULATION),
          n, POPULATION, n);
      for (int i = 0; i < n; i++) {
        for (int s = 0; s < k; s++) {
          rec.floatSynapse(w.sources()[i][s], i, scale * w.weights()[i][s], 0);
        }
      }
      net.projection(rec.build());
    }
    return net.build();
  }

  /** The input as graded payloads, each sample held for {@code stepsPerSample} steps. */
  static Stimulus stimulus(double[][] input, int stepsPerSample) {
    Stimulus.Builder s = Stimulus.builder(input.length * stepsPerSample);
    for (int t = 0; t < input.length; t++) {
      for (int ch = 0; ch < input[t].length; ch++) {
        double centred = 2 * Math.min(1, Math.max(0, input[t][ch])) - 1;
        int payload = (int) Math.round(PAYLOAD_MAX * centred);
        if (payload == 0) {
          continue;
        }
        for (int k = 0; k < stepsPerSample; k++) {
          s.payload(t * stepsPerSample + k, PORT, ch, payload);
        }
      }
    }
    return s.build();
  }

  /**
   * The input as per-sample bias mantissas: neuron i's bias current during sample t is
   * {@code x_i = b_i + s sum_c Win_ic (2 u_c[t] - 1)}; the chip adds {@code k(tau_mem) x_i} to v
   * each step (as the discretize pass places a bias), in chip units {@code scale * k * x_i},
   * written as a mantissa at the neuron's compiled bias exponent and clamped to the signed
   * mantissa range.
   */
  static Stimulus biasStimulus(ReservoirConfig c, long seed, double[][] input, Compiler.Result compiled,
      double scale) {
    int n = c.neurons();
    int channels = input[0].length;
    Wiring w = Wiring.of(n, c.inDegree(), channels, seed);
    double[] tauMem = tauMemSteps(c, seed);
    org.quench.compiler.ir.FixedNeurons fixed = compiled.network().population(POPULATION).fixed();
    ChipSpec spec = ChipSpec.loihi();
    long hi = (1L << (spec.biasMantBits() - 1)) - 1;
    double[] unit = new double[n];
    for (int i = 0; i < n; i++) {
      // EXACT convention: k = 1 - exp(-dt / tau_mem); tauMem is already in steps.
      unit[i] = -Math.expm1(-1 / tauMem[i]) * scale / Math.scalb(1.0, fixed.biasExp(i));
    }
    Stimulus.Builder s = Stimulus.builder(input.length * c.stepsPerSample());
    for (int t = 0; t < input.length; t++) {
      int[] mant = new int[n];
      for (int i = 0; i < n; i++) {
        double x = BIAS_LOW + BIAS_SPAN * w.offset()[i];
        for (int ch = 0; ch < channels; ch++) {
          x += c.inputScale() * w.input()[i][ch] * (2 * Math.min(1, Math.max(0, input[t][ch])) - 1);
        }
        mant[i] = (int) Math.max(-hi - 1, Math.min(hi, Math.round(unit[i] * x)));
      }
      s.bias(t * c.stepsPerSample(), POPULATION, mant);
    }
    return s.build();
  }

  /** The compiler the study deploys with: the float pipeline with the Loihi profile budget. */
  static Compiler compiler() {
    return Compiler.forNir(NirImportOptions.defaults().withDt(DT)
        .withDiscretization(Discretization.Convention.EXACT));
  }

  /**
   * Runs on {@code c.device()}: the float reference or a device URI. The float reference always
   * receives the input as graded events (the model); with {@link ReservoirConfig.InputMode#BIAS}
   * a chip receives it as per-sample bias mantissas instead (see {@link #biasStimulus}).
   */
  static Run run(ReservoirConfig c, long seed, double[][] input) {
    boolean bias = c.inputMode() == ReservoirConfig.InputMode.BIAS
        && !ReservoirConfig.REFERENCE.equals(c.device());
    Network net = network(c, seed, input[0].length, !bias);
    Stimulus stimulus = bias ? null : stimulus(input, c.stepsPerSample());
    int[][] spikes;
    CompileReport.PopulationQuality quality = null;
    if (ReservoirConfig.REFERENCE.equals(c.device())) {
      spikes = new ReferenceSimulator(net, DT, Discretization.Convention.EXACT).run(stimulus)
          .spikes(POPULATION);
    } else {
      Compiler.Result compiled = compiler().compile(net, ChipSpec.loihi());
      for (CompileReport.PopulationQuality q : compiled.report().populations()) {
        if (q.population().equals(POPULATION)) {
          quality = q;
        }
      }
      if (bias) {
        stimulus = biasStimulus(c, seed, input, compiled, quality.scale());
      }
      try (Session session = Session.open(c.device())) {
        session.load(compiled.image());
        RunResult r = session.run(stimulus);
        spikes = r.output(POPULATION).dense(stimulus.steps());
      }
    }
    return new Run(features(spikes, c.stepsPerSample(), input.length), rate(spikes), quality);
  }

  /** Spikes filtered with a one-sample time constant, read at the last step of every sample. */
  static double[][] features(int[][] spikes, int stepsPerSample, int samples) {
    double[][] filtered = new ExponentialFilter(stepsPerSample).apply(spikes);
    double[][] out = new double[samples][];
    for (int t = 0; t < samples; t++) {
      out[t] = Arrays.copyOf(filtered[(t + 1) * stepsPerSample - 1], filtered[0].length);
    }
    return out;
  }

  private static double rate(int[][] spikes) {
    long total = 0;
    for (int[] row : spikes) {
      for (int s : row) {
        total += s != 0 ? 1 : 0;
      }
    }
    return spikes.length == 0 ? 0 : (double) total / spikes.length / spikes[0].length;
  }
}
