package org.quench.compiler.passes;

import org.quench.compiler.ir.Projection;

/** A projection's synapses indexed by target (CSC): which synapses arrive at each target neuron. */
final class IncomingSynapses {
  final Projection projection;
  /** Synapse ids arriving at target t: synapse[start[t] .. start[t+1]-1]. */
  final int[] start;
  final int[] synapse;
  /** Source index of each synapse id. */
  final int[] sourceOf;

  IncomingSynapses(Projection p) {
    projection = p;
    int n = p.synapseCount();
    sourceOf = new int[n];
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        sourceOf[k] = s;
      }
    }
    start = new int[p.targetSize() + 1];
    for (int k = 0; k < n; k++) {
      start[p.target(k) + 1]++;
    }
    for (int t = 0; t < p.targetSize(); t++) {
      start[t + 1] += start[t];
    }
    synapse = new int[n];
    int[] next = java.util.Arrays.copyOf(start, p.targetSize());
    for (int k = 0; k < n; k++) {
      synapse[next[p.target(k)]++] = k;
    }
  }
}
