package org.quench.compiler.ir;

/**
 * The per-neuron dynamics of a population: continuous-time float parameters that later
 * passes discretize ({@link FloatNeurons}), per-step decays and gains at a time step still in model
 * units ({@link DiscreteNeurons}), or the chip's fixed-point parameters
 * ({@link FixedNeurons}). Every parameter is per neuron: heterogeneity is the normal case.
 */
public sealed interface NeuronDynamics permits FloatNeurons, DiscreteNeurons, FixedNeurons {
  /** Number of neurons described. */
  int size();
}
