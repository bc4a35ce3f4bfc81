package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.List;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Which core each neuron lives on: the result of partitioning (neurons grouped into cores, in a
 * core-local order) and placing (cores given (chip, core) addresses). A core holds contiguous
 * slices of populations; a neuron's local index is its slice's offset in the core plus its
 * position in the slice. Immutable.
 */
public final class Mapping {
  /**
   * Positions {@code first .. first+count-1} of a population's placement order (its neuron indices
   * unless the population has a placement order, see Population#neuronAt) at local indices from
   * {@code coreOffset}.
   */
  public record Slice(String population, int first, int count, int coreOffset) {}

  /** One core: its address (chip -1 until placed) and its slices in local order. */
  public record MappedCore(int chip, int core, List<Slice> slices, int neuronCount) {
    public MappedCore {
      slices = List.copyOf(slices);
    }
  }

  private final Network network;
  private final ChipSpec spec;
  private final List<MappedCore> cores;
  private final int[][] coreOf;
  private final int[][] localOf;
  /** Core contents, derived once on first use (deterministic, so caching changes nothing). */
  private List<CoreLayout> layouts;

  private Mapping(Network network, ChipSpec spec, List<MappedCore> cores) {
    this.network = network;
    this.spec = spec;
    this.cores = List.copyOf(cores);
    List<Population> pops = network.populations();
    coreOf = new int[pops.size()][];
    localOf = new int[pops.size()][];
    for (int p = 0; p < pops.size(); p++) {
      coreOf[p] = new int[pops.get(p).size()];
      localOf[p] = new int[pops.get(p).size()];
      java.util.Arrays.fill(coreOf[p], -1);
    }
    for (int c = 0; c < this.cores.size(); c++) {
      for (Slice s : this.cores.get(c).slices()) {
        int p = network.indexOf(s.population());
        if (p < 0) {
          throw new IllegalArgumentException("slice of unknown population " + s.population());
        }
        Population popn = pops.get(p);
        for (int k = 0; k < s.count(); k++) {
          int neuron = popn.neuronAt(s.first() + k);
          if (coreOf[p][neuron] >= 0) {
            throw new IllegalArgumentException("neuron " + neuron + " of " + s.population()
                + " is mapped twice");
          }
          coreOf[p][neuron] = c;
          localOf[p][neuron] = s.coreOffset() + k;
        }
      }
    }
    for (int p = 0; p < pops.size(); p++) {
      for (int i = 0; i < coreOf[p].length; i++) {
        if (coreOf[p][i] < 0) {
          throw new IllegalArgumentException("neuron " + i + " of " + pops.get(p).name() + " is not mapped");
        }
      }
    }
  }

  /** Unplaced cores (chip -1), each a list of slices in local order. */
  public static Mapping partitioned(Network network, ChipSpec spec, List<List<Slice>> coreSlices) {
    List<MappedCore> cores = new ArrayList<>();
    for (List<Slice> slices : coreSlices) {
      cores.add(new MappedCore(-1, -1, slices, count(slices)));
    }
    return new Mapping(network, spec, cores);
  }

  /**
   * Unplaced cores from a core per neuron: {@code coreOf[offset[p] + i]} is the core (0 ..
   * cores-1) of neuron i of population p, offsets in population order. Each core holds, per
   * population in network order, runs of consecutive positions of the population's placement order;
   * the cores come in {@code order} (core ids, each once).
   */
  static Mapping fromCoreOfNeuron(Network network, ChipSpec spec, int[] coreOf, int cores, int[] order) {
    List<Population> pops = network.populations();
    List<List<Slice>> slices = new ArrayList<>();
    for (int c = 0; c < cores; c++) {
      slices.add(new ArrayList<>());
    }
    int[] fill = new int[cores];
    int offset = 0;
    for (Population pop : pops) {
      int q = 0;
      while (q < pop.size()) {
        int c = coreOf[offset + pop.neuronAt(q)];
        int run = 1;
        while (q + run < pop.size() && coreOf[offset + pop.neuronAt(q + run)] == c) {
          run++;
        }
        slices.get(c).add(new Slice(pop.name(), q, run, fill[c]));
        fill[c] += run;
        q += run;
      }
      offset += pop.size();
    }
    List<List<Slice>> ordered = new ArrayList<>();
    for (int c : order) {
      ordered.add(slices.get(c));
    }
    return partitioned(network, spec, ordered);
  }

  /** The same partition with addresses: {@code addresses[c] = {chip, core}} for core c. */
  public Mapping placed(int[][] addresses) {
    if (addresses.length != cores.size()) {
      throw new IllegalArgumentException("need " + cores.size() + " addresses, got " + addresses.length);
    }
    List<MappedCore> placed = new ArrayList<>();
    java.util.Set<Long> used = new java.util.HashSet<>();
    for (int c = 0; c < cores.size(); c++) {
      int chip = addresses[c][0];
      int core = addresses[c][1];
      if (chip < 0 || chip >= spec.maxChips() || core < 0 || core >= spec.coresPerChip()) {
        throw new QuenchException("core address (" + chip + "," + core + ") is outside the spec '"
            + spec.name() + "' (" + spec.maxChips() + " chips x " + spec.coresPerChip() + " cores)");
      }
      if (!used.add(((long) chip << 32) | core)) {
        throw new IllegalArgumentException("core address (" + chip + "," + core + ") used twice");
      }
      MappedCore m = cores.get(c);
      placed.add(new MappedCore(chip, core, m.slices(), m.neuronCount()));
    }
    return new Mapping(network, spec, placed);
  }

  /**
   * The same cores and slices over {@code other}, a network with the same populations (names and
   * sizes, placement orders) whose projections may differ, e.g. in their weights.
   */
  Mapping withNetwork(Network other) {
    return new Mapping(other, spec, cores);
  }

  private static int count(List<Slice> slices) {
    int n = 0;
    for (Slice s : slices) {
      n = Math.max(n, s.coreOffset() + s.count());
    }
    return n;
  }

  synchronized List<CoreLayout> layouts() {
    if (layouts == null) {
      layouts = CoreLayout.of(this);
    }
    return layouts;
  }

  public Network network() {
    return network;
  }

  public ChipSpec spec() {
    return spec;
  }

  public List<MappedCore> cores() {
    return cores;
  }

  public boolean isPlaced() {
    return cores.isEmpty() || cores.get(0).chip() >= 0;
  }

  /** Core index (into {@link #cores()}) of neuron {@code neuron} of population index {@code pop}. */
  public int coreOf(int pop, int neuron) {
    return coreOf[pop][neuron];
  }

  /** Local index within its core. */
  public int localOf(int pop, int neuron) {
    return localOf[pop][neuron];
  }

  /** Number of chips used (highest chip address + 1). */
  public int chipCount() {
    int n = 0;
    for (MappedCore c : cores) {
      n = Math.max(n, c.chip() + 1);
    }
    return Math.max(n, 1);
  }
}
