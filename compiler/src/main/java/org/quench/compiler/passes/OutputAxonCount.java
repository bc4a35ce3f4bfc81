package org.quench.compiler.passes;

import java.util.Arrays;
import java.util.List;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;

/**
 * Output axons per neuron and per core, counted as hal's {@code OutputAxons} defines them
 * (docs/chip-semantics.md, "Per-core limits"): every input axon of a destination core that a
 * population neuron feeds, one per (projection, source neuron, destination core), is one output
 * axon of the core that source neuron is on, and goes with the neuron when it moves. Input ports
 * feed axons from outside the chip and cost no output axon.
 *
 * <p>The compiler's one implementation of that rule: {@link CoreLayout} reports it,
 * {@link TrafficPartition} keeps it exact while it moves neurons (opening and closing input axons
 * one synapse at a time), and {@link WeightTargetCores} while it splits cores. Neurons are
 * numbered globally, population offset plus index, in network order; the core of each neuron is
 * the owner's array, which the owner updates after {@link #move}.
 */
final class OutputAxonCount {
  /** Per global neuron: its core (the owner's array, shared). */
  private final int[] coreOf;
  /** Per global neuron: the input axons it feeds, i.e. its output axons. */
  private final int[] ofNeuron;
  /** Per core: the output axons of its neurons; grows with {@link #ensureCores}. */
  private long[] ofCore;

  /** Nothing counted yet: {@code coreOf} (the owner's) places the neurons on {@code cores} cores. */
  OutputAxonCount(int[] coreOf, int cores) {
    this.coreOf = coreOf;
    ofNeuron = new int[coreOf.length];
    ofCore = new long[cores];
  }

  /**
   * Counts every output axon of {@code net} with its neurons on the cores {@code coreOf} gives
   * (the owner's array, global neuron order; cores {@code 0..cores-1}). Linear in the synapses: a
   * stamp per destination core, renewed per (projection, source neuron), finds the distinct ones.
   */
  static OutputAxonCount of(Network net, int[] coreOf, int cores) {
    OutputAxonCount count = new OutputAxonCount(coreOf, cores);
    int[] offset = offsets(net);
    int[] stamp = new int[cores];
    Arrays.fill(stamp, -1);
    int id = 0;
    for (Projection pr : net.projections()) {
      if (pr.source().isInputPort()) {
        continue;
      }
      int source = offset[net.indexOf(pr.source().name())];
      int target = offset[net.indexOf(pr.target())];
      for (int s = 0; s < pr.sourceSize(); s++) {
        int axons = 0;
        for (int k = pr.rowStart(s); k < pr.rowStart(s + 1); k++) {
          int c = coreOf[target + pr.target(k)];
          if (stamp[c] != id) {
            stamp[c] = id;
            axons++;
          }
        }
        id++;
        count.add(source + s, axons);
      }
    }
    return count;
  }

  /** {@link #of(Network, int[], int)} for a mapping's cores. */
  static OutputAxonCount of(Mapping m) {
    return of(m.network(), coreOfNeuron(m), m.cores().size());
  }

  /** Each neuron's core in {@code m}, global neuron order (population offset plus index). */
  static int[] coreOfNeuron(Mapping m) {
    List<Population> pops = m.network().populations();
    int[] offset = offsets(m.network());
    int[] coreOf = new int[offset[pops.size()]];
    for (int p = 0; p < pops.size(); p++) {
      for (int i = 0; i < pops.get(p).size(); i++) {
        coreOf[offset[p] + i] = m.coreOf(p, i);
      }
    }
    return coreOf;
  }

  /** Global index of each population's first neuron, and the neuron count last. */
  static int[] offsets(Network net) {
    List<Population> pops = net.populations();
    int[] offset = new int[pops.size() + 1];
    for (int p = 0; p < pops.size(); p++) {
      offset[p + 1] = offset[p] + pops.get(p).size();
    }
    return offset;
  }

  /**
   * Neuron {@code neuron} feeds {@code axons} more input axons (fewer when negative): its core
   * has as many more output axons.
   */
  void add(int neuron, int axons) {
    ofNeuron[neuron] += axons;
    ofCore[coreOf[neuron]] += axons;
  }

  /**
   * Neuron {@code neuron} moves from core {@code from} to core {@code to} and its output axons go
   * with it; the owner sets its core in the shared array.
   */
  void move(int neuron, int from, int to) {
    ofCore[from] -= ofNeuron[neuron];
    ofCore[to] += ofNeuron[neuron];
  }

  /** Output axons of the neurons on core {@code c}. */
  long ofCore(int c) {
    return ofCore[c];
  }

  /** Output axons of one neuron. */
  int ofNeuron(int neuron) {
    return ofNeuron[neuron];
  }

  /** Cores counted (at least those in use). */
  int cores() {
    return ofCore.length;
  }

  /** Room for cores {@code 0..cores-1}, new ones with no output axons. */
  void ensureCores(int cores) {
    if (cores > ofCore.length) {
      ofCore = Arrays.copyOf(ofCore, Math.max(cores, ofCore.length * 2));
    }
  }
}
