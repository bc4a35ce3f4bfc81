package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.hal.ChipSpec;

/**
 * The contents of one mapped core, derived deterministically from a {@link Mapping}: its neurons
 * in local order, its profile tables (rows in order of first use), its axon groups (one per
 * projection with synapses into the core; axons in ascending source index) and its resource use.
 */
final class CoreLayout {
  /** Axons of one projection on this core: source indices and, per axon, synapse ids (CSR). */
  record Group(int projection, int[] sources, int[] rowPtr, int[] synapses, boolean usesDelays) {}

  final int index;
  /** Per local neuron: population index and neuron index in the population. */
  final int[] pop;
  final int[] neuron;
  final Map<ProfileKeys.Decay, Integer> decayRows = new LinkedHashMap<>();
  final Map<ProfileKeys.Threshold, Integer> thresholdRows = new LinkedHashMap<>();
  final int[] decayIndex;
  final int[] thresholdIndex;
  final List<Group> groups = new ArrayList<>();
  /** Output axons (hal's OutputAxons): one per (projection, source neuron, destination core). */
  int outputAxons;
  /** Routes: distinct (source neuron, destination core) pairs, the traffic model's unit. */
  int routes;
  /** Of the routes, those to another core and to another chip (placed mappings only). */
  int interCoreRoutes;
  int interChipRoutes;

  private CoreLayout(int index, int neurons) {
    this.index = index;
    pop = new int[neurons];
    neuron = new int[neurons];
    decayIndex = new int[neurons];
    thresholdIndex = new int[neurons];
  }

  static List<CoreLayout> of(Mapping m) {
    Network net = m.network();
    List<CoreLayout> cores = new ArrayList<>();
    for (int c = 0; c < m.cores().size(); c++) {
      Mapping.MappedCore mc = m.cores().get(c);
      CoreLayout core = new CoreLayout(c, mc.neuronCount());
      for (Mapping.Slice s : mc.slices()) {
        int p = net.indexOf(s.population());
        Population popn = net.populations().get(p);
        for (int k = 0; k < s.count(); k++) {
          core.pop[s.coreOffset() + k] = p;
          core.neuron[s.coreOffset() + k] = popn.neuronAt(s.first() + k);
        }
      }
      for (int l = 0; l < mc.neuronCount(); l++) {
        FixedNeurons f = net.populations().get(core.pop[l]).fixed();
        ProfileKeys.Decay d = ProfileKeys.decay(f, core.neuron[l]);
        ProfileKeys.Threshold t = ProfileKeys.threshold(f, core.neuron[l]);
        core.decayIndex[l] = core.decayRows.computeIfAbsent(d, key -> core.decayRows.size());
        core.thresholdIndex[l] = core.thresholdRows.computeIfAbsent(t, key -> core.thresholdRows.size());
      }
      cores.add(core);
    }
    int[] popOffset = new int[net.populations().size()];
    for (int p = 1; p < popOffset.length; p++) {
      popOffset[p] = popOffset[p - 1] + net.populations().get(p - 1).size();
    }
    List<Projection> projections = net.projections();
    for (int j = 0; j < projections.size(); j++) {
      Projection pr = projections.get(j);
      int tp = net.indexOf(pr.target());
      int sp = pr.source().isInputPort() ? -1 : net.indexOf(pr.source().name());
      int n = cores.size();
      // Per target core: axon sources, row starts and synapse ids, in source order.
      int[][] src = new int[n][];
      int[] srcCount = new int[n];
      int[][] syn = new int[n][];
      int[] synCount = new int[n];
      int[][] rowPtr = new int[n][];
      boolean[] delays = new boolean[n];
      int[] lastSource = new int[n];
      java.util.Arrays.fill(lastSource, -1);
      for (int s = 0; s < pr.sourceSize(); s++) {
        for (int k = pr.rowStart(s); k < pr.rowStart(s + 1); k++) {
          int c = m.coreOf(tp, pr.target(k));
          if (syn[c] == null) {
            src[c] = new int[8];
            syn[c] = new int[8];
            rowPtr[c] = new int[9];
          }
          if (lastSource[c] != s) {
            lastSource[c] = s;
            if (srcCount[c] == src[c].length) {
              src[c] = java.util.Arrays.copyOf(src[c], src[c].length * 2);
              rowPtr[c] = java.util.Arrays.copyOf(rowPtr[c], src[c].length + 1);
            }
            src[c][srcCount[c]] = s;
            rowPtr[c][srcCount[c]] = synCount[c];
            srcCount[c]++;
          }
          if (synCount[c] == syn[c].length) {
            syn[c] = java.util.Arrays.copyOf(syn[c], syn[c].length * 2);
          }
          syn[c][synCount[c]++] = k;
          delays[c] |= pr.delay(k) != 0;
        }
      }
      for (int c = 0; c < n; c++) {
        if (syn[c] == null) {
          continue;
        }
        int[] rp = java.util.Arrays.copyOf(rowPtr[c], srcCount[c] + 1);
        rp[srcCount[c]] = synCount[c];
        cores.get(c).groups.add(new Group(j, java.util.Arrays.copyOf(src[c], srcCount[c]), rp,
            java.util.Arrays.copyOf(syn[c], synCount[c]), delays[c]));
      }
    }
    countOutputAxons(m, cores);
    countRoutes(m, cores);
    return cores;
  }

  /** Output axons per core, by the compiler's one count of hal's OutputAxons rule. */
  private static void countOutputAxons(Mapping m, List<CoreLayout> cores) {
    OutputAxonCount count = OutputAxonCount.of(m);
    for (CoreLayout l : cores) {
      l.outputAxons = Math.toIntExact(count.ofCore(l.index));
    }
  }

  /**
   * One route per (source neuron, destination core) pair over all projections leaving the
   * neuron: a stamp per destination core, renewed per source neuron, dedupes in linear time.
   */
  private static void countRoutes(Mapping m, List<CoreLayout> cores) {
    Network net = m.network();
    List<Projection> projections = net.projections();
    int[] stamp = new int[cores.size()];
    java.util.Arrays.fill(stamp, -1);
    int id = 0;
    for (int sp = 0; sp < net.populations().size(); sp++) {
      String name = net.populations().get(sp).name();
      List<Projection> from = new ArrayList<>();
      List<Integer> targetPop = new ArrayList<>();
      for (Projection pr : projections) {
        if (!pr.source().isInputPort() && pr.source().name().equals(name)) {
          from.add(pr);
          targetPop.add(net.indexOf(pr.target()));
        }
      }
      if (from.isEmpty()) {
        continue;
      }
      for (int s = 0; s < net.populations().get(sp).size(); s++) {
        int own = m.coreOf(sp, s);
        int ownChip = m.cores().get(own).chip();
        int count = 0;
        int otherCore = 0;
        int otherChip = 0;
        for (int q = 0; q < from.size(); q++) {
          Projection pr = from.get(q);
          int tp = targetPop.get(q);
          for (int k = pr.rowStart(s); k < pr.rowStart(s + 1); k++) {
            int c = m.coreOf(tp, pr.target(k));
            if (stamp[c] != id) {
              stamp[c] = id;
              count++;
              otherCore += c != own ? 1 : 0;
              otherChip += m.cores().get(c).chip() != ownChip ? 1 : 0;
            }
          }
        }
        cores.get(own).routes += count;
        cores.get(own).interCoreRoutes += otherCore;
        cores.get(own).interChipRoutes += otherChip;
        id++;
      }
    }
  }

  int inputAxons() {
    int n = 0;
    for (Group g : groups) {
      n += g.sources().length;
    }
    return n;
  }

  long synapses() {
    long n = 0;
    for (Group g : groups) {
      n += g.synapses().length;
    }
    return n;
  }

  long synapseBytes(ChipSpec spec, List<Projection> projections) {
    long b = 0;
    for (Group g : groups) {
      b += spec.synapseBytes(g.sources().length, g.synapses().length,
          projections.get(g.projection()).format().numWeightBits(), g.usesDelays());
    }
    return b;
  }

  CompileReport.CoreUsage usage(Mapping m) {
    Mapping.MappedCore mc = m.cores().get(index);
    return new CompileReport.CoreUsage(mc.chip(), mc.core(), pop.length, decayRows.size(),
        thresholdRows.size(), inputAxons(), outputAxons, synapses(),
        synapseBytes(m.spec(), m.network().projections()));
  }

  static String describe(Population p) {
    return "population '" + p.name() + "'";
  }
}
