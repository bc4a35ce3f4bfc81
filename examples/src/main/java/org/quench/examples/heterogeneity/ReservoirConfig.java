package org.quench.examples.heterogeneity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines one reservoir and how it is trained, apart from the seed: together with
 * a task and a seed it determines a study row completely (docs/heterogeneity-study.md lists what
 * each field means and why its default was chosen).
 *
 * @param model rate (leaky tanh, double precision) or spiking (CUBA LIF)
 * @param neurons reservoir size N
 * @param shape distribution of the time constants
 * @param cv coefficient of variation of the time constants (0 for homogeneous)
 * @param tauMean mean membrane (rate: leak) time constant in input samples
 * @param gain recurrent gain g (0 removes recurrence)
 * @param inDegree recurrent synapses per neuron
 * @param inputScale amplitude of the input weights
 * @param inputMode how a spiking chip receives the input (graded payloads or per-step bias)
 * @param washout samples discarded before training
 * @param train training samples
 * @param test held-out samples the NRMSE is measured on
 * @param stepsPerSample chip steps per input sample (spiking only; 1 for rate)
 * @param device {@code double} (rate), {@code reference} (spiking float reference) or a device URI
 */
record ReservoirConfig(Model model, int neurons, TauShape shape, double cv, double tauMean,
    double gain, int inDegree, double inputScale, InputMode inputMode, int washout, int train,
    int test, int stepsPerSample, String device) {

  /** The two network kinds of the study. */
  enum Model { RATE, SPIKING }

  /** How the input reaches a spiking chip. */
  enum InputMode { GRADED, BIAS }

  /** The device name of rate networks. */
  static final String DOUBLE = "double";
  /** The device name of the spiking float reference (compiler.reference.ReferenceSimulator). */
  static final String REFERENCE = "reference";

  ReservoirConfig {
    if (neurons < 1 || washout < 0 || train < 10 || test < 10 || stepsPerSample < 1) {
      throw new IllegalArgumentException("bad reservoir configuration: N " + neurons + ", washout "
          + washout + ", train " + train + ", test " + test + ", steps per sample " + stepsPerSample);
    }
    if (shape == TauShape.HOMOGENEOUS) {
      cv = 0;
    }
  }

  /** The rate network with the study's defaults (docs/heterogeneity-study.md). */
  static ReservoirConfig rate(int neurons, TauShape shape, double cv) {
    return new ReservoirConfig(Model.RATE, neurons, shape, cv, 4, 0.9, 10, 1.0, InputMode.GRADED,
        200, 1000, 1000, 1, DOUBLE);
  }

  /** The spiking network with the study's defaults, on {@code device}. */
  static ReservoirConfig spiking(int neurons, TauShape shape, double cv, String device) {
    return new ReservoirConfig(Model.SPIKING, neurons, shape, cv, 4, 0.9, 10,
        4.0,
        InputMode.GRADED, 200, 1000, 1000, 5, device);
  }

  ReservoirConfig withNeurons(int n) {
    return new ReservoirConfig(model, n, shape, cv, tauMean, gain, inDegree, inputScale, inputMode,
        washout, train, test, stepsPerSample, device);
  }

  ReservoirConfig withShape(TauShape s, double c) {
    return new ReservoirConfig(model, neurons, s, c, tauMean, gain, inDegree, inputScale, inputMode,
        washout, train, test, stepsPerSample, device);
  }

  ReservoirConfig withGain(double g) {
    return new ReservoirConfig(model, neurons, shape, cv, tauMean, g, inDegree, inputScale, inputMode,
        washout, train, test, stepsPerSample, device);
  }

  ReservoirConfig withTrain(int samples) {
    return new ReservoirConfig(model, neurons, shape, cv, tauMean, gain, inDegree, inputScale,
        inputMode, washout, samples, test, stepsPerSample, device);
  }

  ReservoirConfig withTest(int samples) {
    return new ReservoirConfig(model, neurons, shape, cv, tauMean, gain, inDegree, inputScale,
        inputMode, washout, train, samples, stepsPerSample, device);
  }

  ReservoirConfig withDevice(String uri) {
    return new ReservoirConfig(model, neurons, shape, cv, tauMean, gain, inDegree, inputScale,
        inputMode, washout, train, test, stepsPerSample, uri);
  }

  ReservoirConfig withInputMode(InputMode mode) {
    return new ReservoirConfig(model, neurons, shape, cv, tauMean, gain, inDegree, inputScale, mode,
        washout, train, test, stepsPerSample, device);
  }

  /** Samples a drive must have: washout, training, test, and the reach of the longest task. */
  int samples() {
    return washout + train + test + TaskSuite.MAX_REACH;
  }

  /** Whether the time constants vary across neurons. */
  boolean heterogeneous() {
    return shape != TauShape.HOMOGENEOUS && cv > 0;
  }

  /** The fields as CSV columns, in a fixed order (see {@link StudyCsv}). */
  Map<String, String> columns() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("model", model.name().toLowerCase());
    m.put("neurons", Integer.toString(neurons));
    m.put("tau_shape", shape.id());
    m.put("tau_cv", StudyCsv.number(cv));
    m.put("tau_mean", StudyCsv.number(tauMean));
    m.put("gain", StudyCsv.number(gain));
    m.put("in_degree", Integer.toString(inDegree));
    m.put("input_scale", StudyCsv.number(inputScale));
    m.put("input_mode", inputMode.name().toLowerCase());
    m.put("washout", Integer.toString(washout));
    m.put("train", Integer.toString(train));
    m.put("test", Integer.toString(test));
    m.put("steps_per_sample", Integer.toString(stepsPerSample));
    m.put("device", device);
    return m;
  }

  /** The configuration the columns of {@link #columns()} describe. */
  static ReservoirConfig fromColumns(Map<String, String> c) {
    return new ReservoirConfig(Model.valueOf(c.get("model").toUpperCase()),
        Integer.parseInt(c.get("neurons")), TauShape.byId(c.get("tau_shape")),
        Double.parseDouble(c.get("tau_cv")), Double.parseDouble(c.get("tau_mean")),
        Double.parseDouble(c.get("gain")), Integer.parseInt(c.get("in_degree")),
        Double.parseDouble(c.get("input_scale")), InputMode.valueOf(c.get("input_mode").toUpperCase()),
        Integer.parseInt(c.get("washout")), Integer.parseInt(c.get("train")),
        Integer.parseInt(c.get("test")), Integer.parseInt(c.get("steps_per_sample")), c.get("device"));
  }
}
