package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Fills cores in population order, neuron by neuron: a neuron joins the current core if the core
 * still has room for it (neurons, distinct decay and threshold profiles, input axons, synapse
 * memory of its incoming synapses); otherwise a new core starts. Populations share cores and
 * split over cores as needed; a population with a placement order (profile co-location,
 * channel-last locality) is walked in that order and starts on a fresh core. Simple, linear and
 * predictable. It is not rate- or traffic-aware beyond what the placement orders give (neighbours
 * in the order share cores), and it does not bound output axons: {@link Place} checks those.
 */
public final class GreedyPartition implements Partition {
  @Override
  public Mapping apply(Network network, PassContext context) {
    ChipSpec spec = context.spec();
    List<Projection> projections = network.projections();
    for (Population p : network.populations()) {
      p.fixed();
    }
    IncomingSynapses[] incoming = new IncomingSynapses[projections.size()];
    for (int j = 0; j < projections.size(); j++) {
      projections.get(j).fixedWeights(); // fails with a clear message for float weights
      incoming[j] = new IncomingSynapses(projections.get(j));
    }
    Core core = new Core(spec, projections, 0, null);
    List<List<Mapping.Slice>> cores = new ArrayList<>();
    for (Population pop : network.populations()) {
      FixedNeurons f = pop.fixed();
      List<Integer> into = new ArrayList<>();
      for (int j = 0; j < projections.size(); j++) {
        if (projections.get(j).target().equals(pop.name())) {
          into.add(j);
        }
      }
      if (pop.hasPlacementOrder() && core.neurons > 0) {
        // An ordered population's profile chunks line up with cores only from a fresh core.
        cores.add(core.slices);
        core = new Core(spec, projections, cores.size(), core);
      }
      int sliceStart = 0;
      for (int i = 0; i < pop.size(); i++) {
        String refusal = core.tryAdd(f, pop.neuronAt(i), into, incoming);
        if (refusal != null) {
          if (core.neurons == 0) {
            throw new QuenchException("population '" + pop.name() + "' neuron " + pop.neuronAt(i)
                + " does not fit an empty core of spec '" + spec.name() + "': " + refusal);
          }
          if (i > sliceStart) {
            core.slices.add(new Mapping.Slice(pop.name(), sliceStart, i - sliceStart, core.sliceOffset));
          }
          cores.add(core.slices);
          core = new Core(spec, projections, cores.size(), core);
          sliceStart = i;
          refusal = core.tryAdd(f, pop.neuronAt(i), into, incoming);
          if (refusal != null) {
            throw new QuenchException("population '" + pop.name() + "' neuron " + pop.neuronAt(i)
                + " does not fit an empty core of spec '" + spec.name() + "': " + refusal);
          }
        }
      }
      core.slices.add(new Mapping.Slice(pop.name(), sliceStart, pop.size() - sliceStart, core.sliceOffset));
      core.sliceOffset = core.neurons;
    }
    if (core.neurons > 0) {
      cores.add(core.slices);
    }
    context.report().decision("partition: greedy in population order, " + cores.size() + " core(s) for "
        + network.neuronCount() + " neurons");
    return Mapping.partitioned(network, spec, cores);
  }

  /** The core being filled and its running budgets. */
  private static final class Core {
    final ChipSpec spec;
    final List<Projection> projections;
    final int id;
    final List<Mapping.Slice> slices = new ArrayList<>();
    int sliceOffset;
    int neurons;
    final Set<ProfileKeys.Decay> decays = new HashSet<>();
    final Set<ProfileKeys.Threshold> thresholds = new HashSet<>();
    int axons;
    long bytes;
    // Per projection: rows (axons), synapses and whether any delay is used on this core.
    final int[] rows;
    final long[] synapses;
    final boolean[] delays;
    // axonStamp[j][s] == id: source s of projection j already has an axon on this core. The
    // stamps are shared by all cores of one run (ids differ), so nothing is cleared per core.
    final int[][] axonStamp;
    final int[][] trialStamp;
    int trial;

    Core(ChipSpec spec, List<Projection> projections, int id, Core previous) {
      this.spec = spec;
      this.projections = projections;
      this.id = id;
      rows = new int[projections.size()];
      synapses = new long[projections.size()];
      delays = new boolean[projections.size()];
      if (previous != null) {
        axonStamp = previous.axonStamp;
        trialStamp = previous.trialStamp;
        trial = previous.trial;
      } else {
        axonStamp = new int[projections.size()][];
        trialStamp = new int[projections.size()][];
        for (int j = 0; j < projections.size(); j++) {
          axonStamp[j] = new int[projections.get(j).sourceSize()];
          trialStamp[j] = new int[projections.get(j).sourceSize()];
          Arrays.fill(axonStamp[j], -1);
          Arrays.fill(trialStamp[j], -1);
        }
      }
    }

    /** Adds neuron i if it fits and returns null; else returns why not (nothing changes). */
    String tryAdd(FixedNeurons f, int i, List<Integer> into, IncomingSynapses[] incoming) {
      if (neurons + 1 > spec.neuronsPerCore()) {
        return "the core already holds " + neurons + " neurons (neuronsPerCore " + spec.neuronsPerCore() + ")";
      }
      ProfileKeys.Decay d = ProfileKeys.decay(f, i);
      ProfileKeys.Threshold t = ProfileKeys.threshold(f, i);
      if (!decays.contains(d) && decays.size() + 1 > spec.decayProfilesPerCore()) {
        return "it needs decay profile " + d + ", a " + (decays.size() + 1) + "th on the core "
            + "(decayProfilesPerCore " + spec.decayProfilesPerCore() + ")";
      }
      if (!thresholds.contains(t) && thresholds.size() + 1 > spec.thresholdProfilesPerCore()) {
        return "it needs threshold profile " + t + ", a " + (thresholds.size() + 1) + "th on the core "
            + "(thresholdProfilesPerCore " + spec.thresholdProfilesPerCore() + ")";
      }
      trial++;
      int newAxons = 0;
      long deltaBytes = 0;
      int[] addRows = new int[into.size()];
      long[] addSyn = new long[into.size()];
      boolean[] addDelay = new boolean[into.size()];
      for (int q = 0; q < into.size(); q++) {
        int j = into.get(q);
        IncomingSynapses in = incoming[j];
        Projection p = in.projection;
        for (int k = in.start[i]; k < in.start[i + 1]; k++) {
          int syn = in.synapse[k];
          int s = in.sourceOf[syn];
          if (axonStamp[j][s] != id && trialStamp[j][s] != trial) {
            trialStamp[j][s] = trial;
            addRows[q]++;
          }
          addSyn[q]++;
          addDelay[q] |= p.delay(syn) != 0;
        }
        newAxons += addRows[q];
        if (addSyn[q] > 0 || addRows[q] > 0) {
          int nwb = p.format().numWeightBits();
          long before = synapses[j] == 0 && rows[j] == 0 ? 0
              : spec.synapseBytes(rows[j], synapses[j], nwb, delays[j]);
          long after = spec.synapseBytes(rows[j] + addRows[q], synapses[j] + addSyn[q], nwb,
              delays[j] || addDelay[q]);
          deltaBytes += after - before;
        }
      }
      if (axons + newAxons > spec.inputAxonsPerCore()) {
        return neurons == 0
            ? "it needs " + newAxons + " input axons (one per source neuron of each incoming projection)"
              + " but a core has " + spec.inputAxonsPerCore() + "; reduce its fan-in by "
              + (newAxons - spec.inputAxonsPerCore()) + " sources or use a chip with more axons"
            : "input axons " + (axons + newAxons) + " > inputAxonsPerCore " + spec.inputAxonsPerCore();
      }
      if (bytes + deltaBytes > spec.synapseMemoryBytesPerCore()) {
        return neurons == 0
            ? "its incoming synapses need " + deltaBytes + " bytes of synapse memory but a core has "
              + spec.synapseMemoryBytesPerCore() + " (" + (deltaBytes - spec.synapseMemoryBytesPerCore())
              + " too many); reduce its fan-in, weight bits or delays, or use a chip with more memory"
            : "synapse memory " + (bytes + deltaBytes) + " > " + spec.synapseMemoryBytesPerCore();
      }
      // Fits: commit.
      neurons++;
      decays.add(d);
      thresholds.add(t);
      axons += newAxons;
      bytes += deltaBytes;
      for (int q = 0; q < into.size(); q++) {
        int j = into.get(q);
        IncomingSynapses in = incoming[j];
        for (int k = in.start[i]; k < in.start[i + 1]; k++) {
          axonStamp[j][in.sourceOf[in.synapse[k]]] = id;
        }
        rows[j] += addRows[q];
        synapses[j] += addSyn[q];
        delays[j] |= addDelay[q];
      }
      return null;
    }
  }
}
