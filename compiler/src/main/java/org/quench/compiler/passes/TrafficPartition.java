package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.hal.ChipSpec;

/**
 * The default partitioner: starts from {@link GreedyPartition} (valid by construction) and lowers
 * the estimated spike traffic by local refinement, then orders the cores so that in-order
 * placement puts strongly connected cores on the same chip.
 *
 * <p>Traffic model: every spike of a source neuron costs one message per distinct other core it
 * has synapses on (one route each); every neuron fires at the same rate (one spike
 * per step), so the estimate counts routes. A route that leaves its chip costs
 * {@value #INTER_CHIP_WEIGHT} inter-core messages.
 *
 * <p>Refinement (Kernighan-Lin / Fiduccia-Mattheyses style, bounded to {@value #MAX_PASSES}
 * passes): each neuron proposes the core holding most of its synaptic neighbours; proposals are
 * tried best first as a single move, else as a swap with a neuron proposing the opposite move. A
 * trial is applied incrementally and kept only if every touched core stays within all per-core
 * budgets (neurons, decay and threshold profiles, input axons, synapse memory, output axons counted
 * as hal's OutputAxons defines them, by {@link OutputAxonCount}) and
 * the route count falls, or stays equal while the number of synapses crossing cores falls (the
 * smooth proxy that lets interleaved clusters separate before whole routes disappear).
 * Deterministic: neurons, proposals and cores are visited in index order; hash tables are only
 * looked up, never iterated.
 */
public final class TrafficPartition implements Partition {
  /** Cost of one inter-chip message in inter-core messages. */
  public static final int INTER_CHIP_WEIGHT = 10;
  static final int MAX_PASSES = 12;
  private static final int SWAP_PARTNERS = 4;
  /** Partners examined (after the used-up head of the list) per proposal. */
  private static final int SCAN_LIMIT = 64;
  /** Above this many cores the core-to-core traffic matrix is not built (cores stay in order). */
  private static final int MAX_CLUSTERED_CORES = 2048;

  @Override
  public Mapping apply(Network network, PassContext context) {
    ChipSpec spec = context.spec();
    // Two starts, both valid by construction: the greedy partition in population order, and the
    // greedy partition of a breadth-first (connectivity) order, which keeps clusters together that
    // population order interleaves; refinement alone cannot escape such symmetric splits. Each is
    // refined; the better result is kept (routes, then synapses crossing cores; ties: population
    // order) unless it needs more cores.
    PassContext quiet = new PassContext(spec, context.options(), org.quench.compiler.report.CompileReport.builder());
    // With a weight target, refinement keeps each core's weights within the magnitudes it started
    // with, so the exponent chosen per core (CoreWeightExponents) stays fine.
    boolean bands = Double.isFinite(context.options().relativeError(Quantize.MAX_WEIGHT_ERROR));
    State plain = new State(network, spec, new GreedyPartition().apply(network, context), bands);
    State chosen = plain;
    long routesBefore = plain.routes;
    long cutBefore = plain.cut;
    long[][] before = plain.coreTraffic();
    int[] identity = new int[plain.cores];
    for (int c = 0; c < identity.length; c++) {
      identity[c] = c;
    }
    long chipBefore = before == null ? -1 : interChip(before, identity, spec.coresPerChip());
    int moved = plain.refine();
    String start = "population order";
    Network bfs = breadthFirstOrder(network);
    if (bfs != network) {
      State other = new State(network, spec, new GreedyPartition().apply(bfs, quiet), bands);
      int otherMoved = other.refine();
      // Never more cores than the population-order start (an ordered population starts a fresh core).
      if (other.liveCores().length <= plain.liveCores().length
          && (other.routes < plain.routes || (other.routes == plain.routes && other.cut < plain.cut))) {
        chosen = other;
        moved = otherMoved;
        start = "breadth-first order";
      }
    }
    State s = chosen;
    int[] order = s.liveCores();
    long[][] after = s.coreTraffic();
    if (after != null && order.length > spec.coresPerChip()) {
      // Greedy clustering can lose to plain order (e.g. on a ring of local connections), so it is
      // kept only when it lowers the inter-chip routes.
      int[] clustered = clusterIntoChips(after, order, spec.coresPerChip());
      if (interChip(after, clustered, spec.coresPerChip()) < interChip(after, order, spec.coresPerChip())) {
        order = clustered;
      }
    }
    long chipAfter = after == null ? -1 : interChip(after, order, spec.coresPerChip());
    context.report().decision(String.format(Locale.ROOT,
        "partition: traffic-aware refinement (kept the start from %s; %d neuron move(s) in %d pass(es));"
            + " estimated messages per step at one spike per neuron, greedy -> refined: inter-core routes"
            + " %d -> %d, inter-chip routes %s -> %s, weighted cost (inter-chip x%d) %s -> %s;"
            + " synapses crossing cores %d -> %d; %d -> %d core(s)",
        start, moved, s.passes, routesBefore, s.routes, count(chipBefore), count(chipAfter), INTER_CHIP_WEIGHT,
        chipBefore < 0 ? "n/a" : Long.toString(routesBefore + (INTER_CHIP_WEIGHT - 1) * chipBefore),
        chipAfter < 0 ? "n/a" : Long.toString(s.routes + (INTER_CHIP_WEIGHT - 1) * chipAfter),
        cutBefore, s.cut, plain.cores, order.length));
    return s.toMapping(order);
  }

  /**
   * The network with a breadth-first placement order (over synapses in both directions, from the
   * lowest unvisited neuron) for every population that has none; the same network if all have one.
   */
  static Network breadthFirstOrder(Network net) {
    List<Population> pops = net.populations();
    int[] offset = new int[pops.size() + 1];
    for (int p = 0; p < pops.size(); p++) {
      offset[p + 1] = offset[p] + pops.get(p).size();
    }
    int n = offset[pops.size()];
    List<Projection> prs = net.projections();
    int[] src = new int[prs.size()];
    int[] tgt = new int[prs.size()];
    IncomingSynapses[] in = new IncomingSynapses[prs.size()];
    List<List<Integer>> into = new ArrayList<>();
    List<List<Integer>> outOf = new ArrayList<>();
    for (int p = 0; p < pops.size(); p++) {
      into.add(new ArrayList<>());
      outOf.add(new ArrayList<>());
    }
    boolean any = false;
    for (Population p : pops) {
      any |= !p.hasPlacementOrder();
    }
    if (!any) {
      return net;
    }
    for (int j = 0; j < prs.size(); j++) {
      Projection pr = prs.get(j);
      src[j] = pr.source().isInputPort() ? -1 : net.indexOf(pr.source().name());
      tgt[j] = net.indexOf(pr.target());
      if (src[j] >= 0) {
        in[j] = new IncomingSynapses(pr);
        into.get(tgt[j]).add(j);
        outOf.get(src[j]).add(j);
      }
    }
    int[] popOf = new int[n];
    for (int p = 0; p < pops.size(); p++) {
      Arrays.fill(popOf, offset[p], offset[p + 1], p);
    }
    boolean[] seen = new boolean[n];
    int[] queue = new int[n];
    int[][] order = new int[pops.size()][];
    int[] filled = new int[pops.size()];
    for (int p = 0; p < pops.size(); p++) {
      order[p] = new int[pops.get(p).size()];
    }
    int head = 0;
    int tail = 0;
    for (int root = 0; root < n; root++) {
      if (seen[root]) {
        continue;
      }
      seen[root] = true;
      queue[tail++] = root;
      while (head < tail) {
        int v = queue[head++];
        int p = popOf[v];
        int i = v - offset[p];
        order[p][filled[p]++] = i;
        for (int j : into.get(p)) {
          IncomingSynapses s = in[j];
          for (int k = s.start[i]; k < s.start[i + 1]; k++) {
            int u = offset[src[j]] + s.sourceOf[s.synapse[k]];
            if (!seen[u]) {
              seen[u] = true;
              queue[tail++] = u;
            }
          }
        }
        for (int j : outOf.get(p)) {
          Projection pr = prs.get(j);
          for (int k = pr.rowStart(i); k < pr.rowStart(i + 1); k++) {
            int t = offset[tgt[j]] + pr.target(k);
            if (!seen[t]) {
              seen[t] = true;
              queue[tail++] = t;
            }
          }
        }
      }
    }
    Network.Builder b = net.toBuilder();
    for (int p = 0; p < pops.size(); p++) {
      if (!pops.get(p).hasPlacementOrder()) {
        b.replacePopulation(pops.get(p).withPlacementOrder(order[p]));
      }
    }
    return b.build();
  }

  private static String count(long v) {
    return v < 0 ? "n/a" : Long.toString(v);
  }

  /** Routes between chips when core {@code order[i]} sits at position i (chip i / perChip). */
  static long interChip(long[][] w, int[] order, int perChip) {
    int[] chip = new int[w.length];
    for (int i = 0; i < order.length; i++) {
      chip[order[i]] = i / perChip;
    }
    long sum = 0;
    for (int i = 0; i < order.length; i++) {
      for (int j = 0; j < order.length; j++) {
        if (chip[order[i]] != chip[order[j]]) {
          sum += w[order[i]][order[j]];
        }
      }
    }
    return sum;
  }

  /**
   * Greedy clustering into chip-sized groups: a chip starts from the lowest-numbered free core and
   * repeatedly takes the free core with most traffic to and from the chip so far (ties: lowest
   * core). Returns the cores in placement order.
   */
  static int[] clusterIntoChips(long[][] w, int[] cores, int perChip) {
    int n = cores.length;
    boolean[] taken = new boolean[n];
    long[] conn = new long[n];
    int[] order = new int[n];
    int placed = 0;
    while (placed < n) {
      Arrays.fill(conn, 0);
      int seed = 0;
      while (taken[seed]) {
        seed++;
      }
      int inChip = 0;
      int next = seed;
      while (next >= 0 && inChip < perChip) {
        taken[next] = true;
        order[placed++] = cores[next];
        inChip++;
        for (int x = 0; x < n; x++) {
          conn[x] += w[cores[next]][cores[x]] + w[cores[x]][cores[next]];
        }
        next = -1;
        for (int x = 0; x < n; x++) {
          if (!taken[x] && (next < 0 || conn[x] > conn[next])) {
            next = x;
          }
        }
      }
    }
    return order;
  }

  /** The partition under refinement with its per-core budgets, kept exact under moves. */
  private static final class State {
    final Network net;
    final ChipSpec spec;
    final List<Projection> projections;
    final int cores;
    final int n;
    final int[] popOffset;
    final int[] popOf;
    final int[] core;
    final int[] decayId;
    final int[] thresholdId;
    final int[][] into;
    final int[][] outOf;
    final int[] sourcePop;
    final int[] targetPop;
    final int[] weightBits;
    final IncomingSynapses[] incoming;
    // Per core.
    final int[] neurons;
    final LongCounts[] decays;
    final LongCounts[] thresholds;
    /** Input axons: key (projection << 32 | source), count = synapses using it. */
    final LongCounts[] axons;
    /** Synapses from each population neuron (global id) into the core. */
    final LongCounts[] fanIn;
    final int[][] rows;
    final long[][] synapses;
    final int[][] delayed;
    /** Output axons per neuron and core, kept exact as input axons open and close. */
    final OutputAxonCount outAxons;
    long routes;
    long cut;
    int passes;
    // Cores whose output axons grew during the current trial.
    final int[] grownStamp;
    int[] grown = new int[16];
    int grownCount;
    int trial = 1;

    /**
     * Per neuron the octave of its largest requested incoming weight (Math.getExponent), or
     * Integer.MIN_VALUE when it has none; null when moves are not limited by weight magnitude.
     */
    final int[] band;
    /** Per core the range of bands it started with. */
    final int[] bandLo;
    final int[] bandHi;

    State(Network net, ChipSpec spec, Mapping start, boolean bands) {
      this.net = net;
      this.spec = spec;
      projections = net.projections();
      cores = start.cores().size();
      List<Population> pops = net.populations();
      popOffset = new int[pops.size() + 1];
      for (int p = 0; p < pops.size(); p++) {
        popOffset[p + 1] = popOffset[p] + pops.get(p).size();
      }
      n = popOffset[pops.size()];
      popOf = new int[n];
      core = new int[n];
      decayId = new int[n];
      thresholdId = new int[n];
      Map<ProfileKeys.Decay, Integer> dIds = new HashMap<>();
      Map<ProfileKeys.Threshold, Integer> tIds = new HashMap<>();
      for (int p = 0; p < pops.size(); p++) {
        FixedNeurons f = pops.get(p).fixed();
        for (int i = 0; i < pops.get(p).size(); i++) {
          int g = popOffset[p] + i;
          popOf[g] = p;
          core[g] = start.coreOf(p, i);
          // Ids in first-seen order: deterministic, and only compared for equality.
          decayId[g] = dIds.computeIfAbsent(ProfileKeys.decay(f, i), k -> dIds.size());
          thresholdId[g] = tIds.computeIfAbsent(ProfileKeys.threshold(f, i), k -> tIds.size());
        }
      }
      int pj = projections.size();
      sourcePop = new int[pj];
      targetPop = new int[pj];
      weightBits = new int[pj];
      incoming = new IncomingSynapses[pj];
      List<List<Integer>> in = new ArrayList<>();
      List<List<Integer>> out = new ArrayList<>();
      for (int p = 0; p < pops.size(); p++) {
        in.add(new ArrayList<>());
        out.add(new ArrayList<>());
      }
      for (int j = 0; j < pj; j++) {
        Projection pr = projections.get(j);
        sourcePop[j] = pr.source().isInputPort() ? -1 : net.indexOf(pr.source().name());
        targetPop[j] = net.indexOf(pr.target());
        weightBits[j] = pr.format().numWeightBits();
        incoming[j] = new IncomingSynapses(pr);
        in.get(targetPop[j]).add(j);
        if (sourcePop[j] >= 0) {
          out.get(sourcePop[j]).add(j);
        }
      }
      into = new int[pops.size()][];
      outOf = new int[pops.size()][];
      for (int p = 0; p < pops.size(); p++) {
        into[p] = in.get(p).stream().mapToInt(Integer::intValue).toArray();
        outOf[p] = out.get(p).stream().mapToInt(Integer::intValue).toArray();
      }
      if (bands) {
        band = new int[n];
        bandLo = new int[cores];
        bandHi = new int[cores];
        weightBands(pops);
      } else {
        band = null;
        bandLo = null;
        bandHi = null;
      }
      neurons = new int[cores];
      decays = new LongCounts[cores];
      thresholds = new LongCounts[cores];
      axons = new LongCounts[cores];
      fanIn = new LongCounts[cores];
      for (int c = 0; c < cores; c++) {
        decays[c] = new LongCounts();
        thresholds[c] = new LongCounts();
        axons[c] = new LongCounts();
        fanIn[c] = new LongCounts();
      }
      rows = new int[cores][pj];
      synapses = new long[cores][pj];
      delayed = new int[cores][pj];
      outAxons = new OutputAxonCount(core, cores);
      grownStamp = new int[cores];
      for (int g = 0; g < n; g++) {
        addTarget(g, core[g], 1);
      }
      cut = 0;
      for (int g = 0; g < n; g++) {
        cut += crossingIn(g, core[g]);
      }
    }

    /** Synapses into neuron v from population neurons on cores other than c (self-loops never cross). */
    long crossingIn(int v, int c) {
      int p = popOf[v];
      int i = v - popOffset[p];
      long x = 0;
      for (int j : into[p]) {
        if (sourcePop[j] < 0) {
          continue;
        }
        IncomingSynapses in = incoming[j];
        int base = popOffset[sourcePop[j]];
        for (int k = in.start[i]; k < in.start[i + 1]; k++) {
          int u = base + in.sourceOf[in.synapse[k]];
          if (u != v && core[u] != c) {
            x++;
          }
        }
      }
      return x;
    }

    /** Synapses out of neuron v to population neurons on cores other than c. */
    long crossingOut(int v, int c) {
      int p = popOf[v];
      int i = v - popOffset[p];
      long x = 0;
      for (int j : outOf[p]) {
        Projection pr = projections.get(j);
        int base = popOffset[targetPop[j]];
        for (int k = pr.rowStart(i); k < pr.rowStart(i + 1); k++) {
          int t = base + pr.target(k);
          if (t != v && core[t] != c) {
            x++;
          }
        }
      }
      return x;
    }

    /** Adds (sign 1) or removes (sign -1) neuron v's budget use as a target on core c. */
    void addTarget(int v, int c, int sign) {
      int p = popOf[v];
      int i = v - popOffset[p];
      neurons[c] += sign;
      decays[c].add(decayId[v], sign);
      thresholds[c].add(thresholdId[v], sign);
      for (int j : into[p]) {
        IncomingSynapses in = incoming[j];
        Projection pr = in.projection;
        int base = sourcePop[j] < 0 ? -1 : popOffset[sourcePop[j]];
        for (int k = in.start[i]; k < in.start[i + 1]; k++) {
          int syn = in.synapse[k];
          int s = in.sourceOf[syn];
          int a = axons[c].add(((long) j << 32) | s, sign);
          if (sign > 0 && a == 1) {
            rows[c][j]++;
          } else if (sign < 0 && a == 0) {
            rows[c][j]--;
          }
          // An input axon fed by a neuron is one output axon of that neuron's core.
          if (base >= 0 && (sign > 0 ? a == 1 : a == 0)) {
            int u = base + s;
            outAxons.add(u, sign);
            if (sign > 0) {
              grew(core[u]);
            }
          }
          synapses[c][j] += sign;
          if (pr.delay(syn) != 0) {
            delayed[c][j] += sign;
          }
          if (base >= 0) {
            int u = base + s;
            int f = fanIn[c].add(u, sign);
            if (sign > 0 && f == 1) {
              if (c != core[u]) {
                routes++;
              }
            } else if (sign < 0 && f == 0) {
              if (c != core[u]) {
                routes--;
              }
            }
          }
        }
      }
    }

    void grew(int c) {
      if (grownStamp[c] != trial) {
        grownStamp[c] = trial;
        if (grownCount == grown.length) {
          grown = Arrays.copyOf(grown, grownCount * 2);
        }
        grown[grownCount++] = c;
      }
    }

    /** Moves neuron v to core b, updating every budget, the route count and the cut exactly. */
    void move(int v, int b) {
      int a = core[v];
      cut += crossingIn(v, b) - crossingIn(v, a) + crossingOut(v, b) - crossingOut(v, a);
      // As a source: its routes leave from b now; a route to a becomes remote, one to b local.
      outAxons.move(v, a, b);
      grew(b);
      if (fanIn[a].get(v) > 0) {
        routes++;
      }
      if (fanIn[b].get(v) > 0) {
        routes--;
      }
      core[v] = b;
      addTarget(v, a, -1);
      addTarget(v, b, 1);
    }

    private void weightBands(List<Population> pops) {
      double[] largest = new double[n];
      for (int j = 0; j < projections.size(); j++) {
        double[] req = projections.get(j).requestedWeights();
        if (req == null) {
          continue;
        }
        Projection pr = projections.get(j);
        int base = popOffset[targetPop[j]];
        for (int k = 0; k < req.length; k++) {
          int t = base + pr.target(k);
          largest[t] = Math.max(largest[t], Math.abs(req[k]));
        }
      }
      Arrays.fill(bandLo, Integer.MAX_VALUE);
      Arrays.fill(bandHi, Integer.MIN_VALUE);
      for (int g = 0; g < n; g++) {
        band[g] = largest[g] > 0 ? Math.getExponent(largest[g]) : Integer.MIN_VALUE;
        if (band[g] != Integer.MIN_VALUE) {
          bandLo[core[g]] = Math.min(bandLo[core[g]], band[g]);
          bandHi[core[g]] = Math.max(bandHi[core[g]], band[g]);
        }
      }
    }

    /** Whether v's weights lie within the magnitudes core b started with (always, without bands). */
    boolean bandFits(int v, int b) {
      return band == null || band[v] == Integer.MIN_VALUE || (band[v] >= bandLo[b] && band[v] <= bandHi[b]);
    }

    /** Whether v's decay and threshold profiles are on core b or b has a free row for each. */
    boolean profileRoom(int v, int b) {
      return bandFits(v, b) && (decays[b].get(decayId[v]) > 0 || decays[b].distinct < spec.decayProfilesPerCore())
          && (thresholds[b].get(thresholdId[v]) > 0 || thresholds[b].distinct < spec.thresholdProfilesPerCore());
    }

    /**
     * Cheap filter before a swap trial: each neuron's profiles are on the other core, free there,
     * or the same as its partner's. (A swap that frees the partner's last row is not considered.)
     */
    boolean swapProfilesFit(int v, int a, int w, int b) {
      if (!bandFits(v, b) || !bandFits(w, a)) {
        return false;
      }
      boolean vd = decayId[v] == decayId[w] || decays[b].get(decayId[v]) > 0
          || decays[b].distinct < spec.decayProfilesPerCore();
      boolean vt = thresholdId[v] == thresholdId[w] || thresholds[b].get(thresholdId[v]) > 0
          || thresholds[b].distinct < spec.thresholdProfilesPerCore();
      boolean wd = decayId[v] == decayId[w] || decays[a].get(decayId[w]) > 0
          || decays[a].distinct < spec.decayProfilesPerCore();
      boolean wt = thresholdId[v] == thresholdId[w] || thresholds[a].get(thresholdId[w]) > 0
          || thresholds[a].distinct < spec.thresholdProfilesPerCore();
      return vd && vt && wd && wt;
    }

    boolean fits(int c) {
      if (neurons[c] > spec.neuronsPerCore() || decays[c].distinct > spec.decayProfilesPerCore()
          || thresholds[c].distinct > spec.thresholdProfilesPerCore()
          || axons[c].distinct > spec.inputAxonsPerCore() || outAxons.ofCore(c) > spec.outputAxonsPerCore()) {
        return false;
      }
      long bytes = 0;
      for (int j = 0; j < projections.size(); j++) {
        if (rows[c][j] > 0 || synapses[c][j] > 0) {
          bytes += spec.synapseBytes(rows[c][j], synapses[c][j], weightBits[j], delayed[c][j] > 0);
        }
      }
      return bytes <= spec.synapseMemoryBytesPerCore();
    }

    void beginTrial() {
      trial++;
      grownCount = 0;
    }

    boolean trialFits(int a, int b) {
      if (!fits(a) || !fits(b)) {
        return false;
      }
      for (int q = 0; q < grownCount; q++) {
        if (outAxons.ofCore(grown[q]) > spec.outputAxonsPerCore()) {
          return false;
        }
      }
      return true;
    }

    boolean better(long routes0, long cut0) {
      return routes < routes0 || (routes == routes0 && cut < cut0);
    }

    /** Runs refinement passes until one changes nothing; returns the neurons moved. */
    int refine() {
      int moved = 0;
      int[] weight = new int[cores];
      int[] seen = new int[cores];
      int[] touched = new int[cores];
      int stamp = 0;
      for (passes = 0; passes < MAX_PASSES; ) {
        passes++;
        // Proposals: each neuron's core with most neighbours, if it beats its own.
        int[] pv = new int[16];
        int[] pTo = new int[16];
        int[] pGain = new int[16];
        int np = 0;
        for (int v = 0; v < n; v++) {
          stamp++;
          int nt = 0;
          int p = popOf[v];
          int i = v - popOffset[p];
          for (int j : into[p]) {
            if (sourcePop[j] < 0) {
              continue;
            }
            IncomingSynapses in = incoming[j];
            int base = popOffset[sourcePop[j]];
            for (int k = in.start[i]; k < in.start[i + 1]; k++) {
              int c = core[base + in.sourceOf[in.synapse[k]]];
              if (seen[c] != stamp) {
                seen[c] = stamp;
                weight[c] = 0;
                touched[nt++] = c;
              }
              weight[c]++;
            }
          }
          for (int j : outOf[p]) {
            Projection pr = projections.get(j);
            int base = popOffset[targetPop[j]];
            for (int k = pr.rowStart(i); k < pr.rowStart(i + 1); k++) {
              int c = core[base + pr.target(k)];
              if (seen[c] != stamp) {
                seen[c] = stamp;
                weight[c] = 0;
                touched[nt++] = c;
              }
              weight[c]++;
            }
          }
          int a = core[v];
          int own = seen[a] == stamp ? weight[a] : 0;
          int best = -1;
          for (int q = 0; q < nt; q++) {
            int c = touched[q];
            if (c != a && (best < 0 || weight[c] > weight[best] || (weight[c] == weight[best] && c < best))) {
              best = c;
            }
          }
          if (best >= 0 && weight[best] > own) {
            if (np == pv.length) {
              pv = Arrays.copyOf(pv, np * 2);
              pTo = Arrays.copyOf(pTo, np * 2);
              pGain = Arrays.copyOf(pGain, np * 2);
            }
            pv[np] = v;
            pTo[np] = best;
            pGain[np] = weight[best] - own;
            np++;
          }
        }
        // Best gain first, then neuron order (a stable sort on gain keeps neuron order).
        Integer[] idx = new Integer[np];
        for (int q = 0; q < np; q++) {
          idx[q] = q;
        }
        final int[] gains = pGain;
        Arrays.sort(idx, (x, y) -> Integer.compare(gains[y], gains[x]));
        int[] from = new int[np];
        Map<Long, List<Integer>> byDirection = new HashMap<>();
        for (int q : idx) {
          from[q] = core[pv[q]];
          byDirection.computeIfAbsent((long) from[q] * cores + pTo[q], k -> new ArrayList<>()).add(q);
        }
        // Per direction list: entries before the head are used up (moved or stale), so each list
        // is skipped over once per pass, not once per candidate.
        Map<Long, int[]> heads = new HashMap<>();
        boolean[] done = new boolean[np];
        int movedThisPass = 0;
        for (int q : idx) {
          int v = pv[q];
          int a = from[q];
          int b = pTo[q];
          if (done[q] || core[v] != a) {
            continue;
          }
          long routes0 = routes;
          long cut0 = cut;
          if (neurons[b] < spec.neuronsPerCore() && profileRoom(v, b)) {
            beginTrial();
            move(v, b);
            if (better(routes0, cut0) && trialFits(a, b)) {
              done[q] = true;
              movedThisPass++;
              continue;
            }
            move(v, a);
          }
          List<Integer> partners = byDirection.get((long) b * cores + a);
          if (partners == null) {
            continue;
          }
          int[] head = heads.computeIfAbsent((long) b * cores + a, k -> new int[1]);
          while (head[0] < partners.size() && (done[partners.get(head[0])]
              || core[pv[partners.get(head[0])]] != b)) {
            head[0]++;
          }
          int tries = 0;
          for (int r = head[0]; r < partners.size() && r < head[0] + SCAN_LIMIT && tries < SWAP_PARTNERS; r++) {
            int pr = partners.get(r);
            int w = pv[pr];
            if (done[pr] || core[w] != b || !swapProfilesFit(v, a, w, b)) {
              continue;
            }
            tries++;
            beginTrial();
            move(v, b);
            move(w, a);
            if (better(routes0, cut0) && trialFits(a, b)) {
              done[q] = true;
              done[pr] = true;
              movedThisPass += 2;
              break;
            }
            move(w, b);
            move(v, a);
          }
        }
        moved += movedThisPass;
        if (movedThisPass == 0) {
          break;
        }
      }
      return moved;
    }

    /** Cores that still hold neurons, in index order. */
    int[] liveCores() {
      int k = 0;
      int[] live = new int[cores];
      for (int c = 0; c < cores; c++) {
        if (neurons[c] > 0) {
          live[k++] = c;
        }
      }
      return Arrays.copyOf(live, k);
    }

    /** Routes from core a to core b (a != b), or null when there are too many cores for a matrix. */
    long[][] coreTraffic() {
      if (cores > MAX_CLUSTERED_CORES) {
        return null;
      }
      long[][] w = new long[cores][cores];
      int[] stampOf = new int[cores];
      Arrays.fill(stampOf, -1);
      for (int u = 0; u < n; u++) {
        int p = popOf[u];
        int i = u - popOffset[p];
        for (int j : outOf[p]) {
          Projection pr = projections.get(j);
          int base = popOffset[targetPop[j]];
          for (int k = pr.rowStart(i); k < pr.rowStart(i + 1); k++) {
            int d = core[base + pr.target(k)];
            if (stampOf[d] != u) {
              stampOf[d] = u;
              if (d != core[u]) {
                w[core[u]][d]++;
              }
            }
          }
        }
      }
      return w;
    }

    /** Cores in the given order; each core's neurons in population then placement order. */
    Mapping toMapping(int[] order) {
      return Mapping.fromCoreOfNeuron(net, spec, core, cores, order);
    }
  }
}
