package org.quench.compiler.ir;

/**
 * The per-neuron dynamics of a population: either continuous-time float parameters that later
 * passes discretize and quantize ({@link FloatNeurons}), or the chip's fixed-point parameters
 * ({@link FixedNeurons}). Every parameter is per neuron: heterogeneity is the normal case.
 */
public sealed interface NeuronDynamics permits FloatNeurons, FixedNeurons {
  /** Number of neurons described. */
  int size();
}
