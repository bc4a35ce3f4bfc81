package org.quench.runtime.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.AxonRange;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.ImageHeader;
import org.quench.hal.proto.InputPort;
import org.quench.hal.proto.NeuronKind;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.ResetMode;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * A random recurrent network written straight into a {@link ChipImage} (no compiler), sized to load
 * the emulator the way a large deployed model would: the workload of {@code quench bench}.
 *
 * <p>Every neuron is a CUBA LIF neuron with a decay profile and a threshold profile drawn at random
 * from its core's tables (filled to the spec's table limits) and a bias chosen so that, alone, it
 * would fire every 12 to 50 steps; about 5% of neurons spike per step in steady state. Each neuron
 * projects {@code synapsesPerNeuron} synapses (8-bit mixed-sign weights, delays 0..7) onto random
 * neurons of {@value #FAN_OUT_CORES} random cores, in blocks of {@value #BLOCK} neurons per route.
 * An input port ({@value #INPUT_PORT}) adds Poisson spikes: {@value #INPUTS_PER_CORE} input axons
 * per core, each driving {@value #INPUT_ROW} neurons.
 *
 * <p>The core count is the smallest whose per-core synapse memory, input axons and output axons fit
 * the spec's budgets, with at most 1000 neurons per core (or the given neurons per core); neurons
 * are spread evenly over the cores.
 * The network and its stimulus are a pure function of the {@link Shape} (seed included).
 */
public final class SyntheticNetwork {
  /** Name of the Poisson input port. */
  public static final String INPUT_PORT = "poisson";
  /** Name of the single population in the symbol table. */
  public static final String POPULATION = "bench";
  /** Destination cores per neuron. */
  static final int FAN_OUT_CORES = 4;
  /** Neurons per route block. */
  static final int BLOCK = 32;
  static final int INPUTS_PER_CORE = 16;
  static final int INPUT_ROW = 20;
  /** Probability that an input element spikes in a step. */
  static final double INPUT_RATE = 0.05;
  static final int MAX_DELAY = 7;
  /** Per-neuron solitary firing rates are drawn uniformly from this range (spikes per step). */
  static final double RATE_MIN = 0.02;
  static final double RATE_MAX = 0.08;
  /**
   * Recurrent mixed weights are uniform in [WEIGHT_MIN, WEIGHT_MAX], summed and shifted by -5. The
   * slight inhibitory lean offsets the extra firing that synaptic noise causes; with these values
   * about 5% of neurons spike per step (tuned on bench/numpy_baseline.py, which has the same
   * statistics; checked for 2k to 100k neurons and several seeds).
   */
  static final int WEIGHT_MIN = -256;
  static final int WEIGHT_MAX = 244;
  static final int RECURRENT_WEIGHT_EXP = -5;
  static final int INPUT_WEIGHT_EXP = -2;

  /**
   * What to build.
   *
   * @param neurons total neurons (>= 1)
   * @param synapsesPerNeuron outgoing synapses per neuron (>= 1)
   * @param neuronsPerCore neurons per core, or 0 to fit the spec's budgets automatically
   * @param seed random seed: same shape, same network and stimulus
   */
  public record Shape(int neurons, int synapsesPerNeuron, int neuronsPerCore, long seed) {
    public Shape {
      if (neurons < 1) {
        throw new QuenchException("the benchmark network needs at least 1 neuron, got " + neurons);
      }
      if (synapsesPerNeuron < 1) {
        throw new QuenchException("synapses per neuron must be at least 1, got " + synapsesPerNeuron);
      }
      if (neuronsPerCore < 0) {
        throw new QuenchException("neurons per core must be positive (or 0 for automatic), got "
            + neuronsPerCore);
      }
    }
  }

  private final Shape shape;
  private final ChipImage image;
  private final int neuronsPerCore;
  private final int cores;
  private final int chips;
  private final long synapses;
  private final int inputWidth;

  private SyntheticNetwork(Shape shape, ChipImage image, int neuronsPerCore, int cores, int chips,
      long synapses, int inputWidth) {
    this.shape = shape;
    this.image = image;
    this.neuronsPerCore = neuronsPerCore;
    this.cores = cores;
    this.chips = chips;
    this.synapses = synapses;
    this.inputWidth = inputWidth;
  }

  public Shape shape() {
    return shape;
  }

  public ChipImage image() {
    return image;
  }

  public int neuronsPerCore() {
    return neuronsPerCore;
  }

  public int cores() {
    return cores;
  }

  public int chips() {
    return chips;
  }

  /** All synapses in the image: recurrent plus input. */
  public long synapses() {
    return synapses;
  }

  /** Width of the {@value #INPUT_PORT} port. */
  public int inputWidth() {
    return inputWidth;
  }

  /**
   * Poisson input for steps {@code firstStep .. firstStep + steps - 1} (absolute step numbers, 0 =
   * first step after load): each element spikes with probability {@value #INPUT_RATE} per step.
   * The draw of a step depends only on the seed and the step, so chunked runs see the same input.
   */
  public Stimulus stimulus(long firstStep, int steps) {
    Stimulus.Builder b = Stimulus.builder(steps);
    for (int s = 0; s < steps; s++) {
      SplittableRandom rng = new SplittableRandom(shape.seed() * 0x9E3779B97F4A7C15L + firstStep + s);
      // Geometric gaps between spikes: one draw per spike instead of one per element.
      double logQ = Math.log1p(-INPUT_RATE);
      int i = -1;
      while (true) {
        i += 1 + (int) Math.floor(Math.log(1.0 - rng.nextDouble()) / logQ);
        if (i >= inputWidth || i < 0) {
          break;
        }
        b.spike(s, INPUT_PORT, i);
      }
    }
    return b.build();
  }

  /** Builds the network for {@code spec}; throws a QuenchException if it cannot fit. */
  public static SyntheticNetwork build(Shape shape, ChipSpec spec) {
    int fanOut = fanOutCores(shape);
    Layout layout;
    if (shape.neuronsPerCore() > 0) {
      if (shape.neuronsPerCore() > spec.neuronsPerCore()) {
        throw new QuenchException("--neurons-per-core " + shape.neuronsPerCore() + " exceeds the "
            + spec.name() + " spec's " + spec.neuronsPerCore() + " neurons per core");
      }
      layout = new Layout(shape, ceilDiv(shape.neurons(), shape.neuronsPerCore()), fanOut);
      String problem = layout.problem(spec);
      if (problem != null) {
        throw new QuenchException("benchmark network with " + shape.neuronsPerCore()
            + " neurons per core does not fit the " + spec.name() + " spec: " + problem
            + "; lower --neurons-per-core or --synapses-per-neuron, or omit --neurons-per-core");
      }
    } else {
      layout = null;
      long maxCores = (long) spec.coresPerChip() * spec.maxChips();
      for (int cores = ceilDiv(shape.neurons(), Math.min(1000, spec.neuronsPerCore())); cores <= maxCores;
          cores++) {
        Layout candidate = new Layout(shape, cores, fanOut);
        if (candidate.problem(spec) == null) {
          layout = candidate;
          break;
        }
      }
      if (layout == null) {
        throw new QuenchException("no core layout fits " + shape.synapsesPerNeuron()
            + " synapses per neuron into the " + spec.name() + " spec's per-core budgets;"
            + " lower --synapses-per-neuron");
      }
    }
    return layout.emit(shape, spec);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  static int fanOutCores(Shape shape) {
    return Math.min(FAN_OUT_CORES, shape.synapsesPerNeuron());
  }

  /** Row length of round {@code r}: the synapses of one neuron split as evenly as possible. */
  static int rowLength(int synapsesPerNeuron, int fanOut, int r) {
    return synapsesPerNeuron / fanOut + (r < synapsesPerNeuron % fanOut ? 1 : 0);
  }

  /** Cores, route blocks and their destinations, before any synapse is drawn. */
  private static final class Layout {
    final int cores;
    final int fanOut;
    final int[] coreNeurons;
    final int[] coreStart;
    // Per block: source core, first neuron within it, size; per (round, block): destination core.
    final int[] blockCore;
    final int[] blockFirst;
    final int[] blockSize;
    final int[][] dest;
    final int[] incomingAxons;
    final long[] incomingSynapses;

    Layout(Shape shape, int cores, int fanOut) {
      this.fanOut = fanOut;
      this.cores = cores;
      this.coreNeurons = new int[cores];
      this.coreStart = new int[cores];
      List<int[]> blocks = new ArrayList<>();
      for (int c = 0; c < cores; c++) {
        // Spread the neurons evenly (sizes differ by at most one): every core receives the same
        // number of routed axons, so an almost empty last core would give its few neurons a huge
        // fan-in.
        coreNeurons[c] = shape.neurons() / cores + (c < shape.neurons() % cores ? 1 : 0);
        coreStart[c] = c == 0 ? 0 : coreStart[c - 1] + coreNeurons[c - 1];
        for (int first = 0; first < coreNeurons[c]; first += BLOCK) {
          blocks.add(new int[] {c, first, Math.min(BLOCK, coreNeurons[c] - first)});
        }
      }
      int nBlocks = blocks.size();
      blockCore = new int[nBlocks];
      blockFirst = new int[nBlocks];
      blockSize = new int[nBlocks];
      for (int b = 0; b < nBlocks; b++) {
        blockCore[b] = blocks.get(b)[0];
        blockFirst[b] = blocks.get(b)[1];
        blockSize[b] = blocks.get(b)[2];
      }
      dest = new int[fanOut][nBlocks];
      incomingAxons = new int[cores];
      incomingSynapses = new long[cores];
      SplittableRandom rng = new SplittableRandom(shape.seed() ^ 0x5DEECE66DL);
      for (int r = 0; r < fanOut; r++) {
        // Each round deals the blocks out to the cores like cards: every core receives the same
        // number of blocks (give or take one), so no core's axon or memory budget overflows.
        int[] order = permutation(nBlocks, rng);
        int offset = rng.nextInt(cores);
        int row = rowLength(shape.synapsesPerNeuron(), fanOut, r);
        for (int i = 0; i < nBlocks; i++) {
          int b = order[i];
          int d = (i + offset) % cores;
          dest[r][b] = d;
          incomingAxons[d] += blockSize[b];
          incomingSynapses[d] += (long) blockSize[b] * row;
        }
      }
    }

    /** Why this layout breaks a per-core budget of the spec, or null if it fits. */
    String problem(ChipSpec spec) {
      long maxCores = (long) spec.coresPerChip() * spec.maxChips();
      if (cores > maxCores) {
        return cores + " cores exceed " + maxCores + " (" + spec.maxChips() + " chips)";
      }
      if ((long) coreNeurons[0] * fanOut > spec.outputAxonsPerCore()) {
        return coreNeurons[0] * fanOut + " output axons per core exceed " + spec.outputAxonsPerCore();
      }
      for (int c = 0; c < cores; c++) {
        int axons = incomingAxons[c] + INPUTS_PER_CORE;
        if (axons > spec.inputAxonsPerCore()) {
          return "core " + c + " needs " + axons + " input axons, more than " + spec.inputAxonsPerCore();
        }
        long bytes = memoryBytes(spec, c);
        if (bytes > spec.synapseMemoryBytesPerCore()) {
          return "core " + c + " needs " + bytes + " bytes of synapse memory, more than "
              + spec.synapseMemoryBytesPerCore();
        }
      }
      return null;
    }

    long memoryBytes(ChipSpec spec, int c) {
      return spec.synapseBytes(incomingAxons[c], incomingSynapses[c], 8, true)
          + spec.synapseBytes(INPUTS_PER_CORE, (long) INPUTS_PER_CORE * Math.min(INPUT_ROW, coreNeurons[c]),
              8, false);
    }

    SyntheticNetwork emit(Shape shape, ChipSpec spec) {
      int chips = (cores + spec.coresPerChip() - 1) / spec.coresPerChip();
      SplittableRandom rng = new SplittableRandom(shape.seed());
      int nBlocks = blockCore.length;
      Core.Builder[] coreBuilders = new Core.Builder[cores];
      for (int c = 0; c < cores; c++) {
        coreBuilders[c] = neurons(spec, c, rng);
      }
      // Routes: each block, in each round, goes to the next free axons of its destination core.
      int[] nextAxon = new int[cores];
      int[][] axonSource = new int[cores][]; // per destination axon: the round it carries
      for (int c = 0; c < cores; c++) {
        axonSource[c] = new int[incomingAxons[c]];
      }
      for (int r = 0; r < fanOut; r++) {
        for (int b = 0; b < nBlocks; b++) {
          int d = dest[r][b];
          coreBuilders[blockCore[b]].addRoutes(Route.newBuilder()
              .setNeuronFirst(blockFirst[b])
              .setNeuronCount(blockSize[b])
              .setDest(address(spec, d))
              .setAxonFirst(nextAxon[d]));
          for (int k = 0; k < blockSize[b]; k++) {
            axonSource[d][nextAxon[d] + k] = r;
          }
          nextAxon[d] += blockSize[b];
        }
      }
      long synapses = 0;
      ChipImage.Builder image = ChipImage.newBuilder();
      InputPort.Builder port = InputPort.newBuilder().setName(INPUT_PORT).setWidth(cores * INPUTS_PER_CORE);
      Symbol.Builder symbol = Symbol.newBuilder().setPopulation(POPULATION).setSize(shape.neurons())
          .addShape(shape.neurons());
      for (int c = 0; c < cores; c++) {
        Core.Builder core = coreBuilders[c];
        int n = coreNeurons[c];
        AxonGroup.Builder rec = AxonGroup.newBuilder()
            .setName("recurrent")
            .setKind(ConnectionKind.DENSE)
            .setAxonFirst(0)
            .setAxonCount(incomingAxons[c])
            .setSignMode(SignMode.MIXED)
            .setNumWeightBits(8)
            .setWeightExp(RECURRENT_WEIGHT_EXP)
            .addRowPtr(0);
        int ptr = 0;
        for (int a = 0; a < incomingAxons[c]; a++) {
          int row = rowLength(shape.synapsesPerNeuron(), fanOut, axonSource[c][a]);
          for (int k = 0; k < row; k++) {
            rec.addTarget(rng.nextInt(n));
            rec.addWeight(WEIGHT_MIN + rng.nextInt(WEIGHT_MAX - WEIGHT_MIN + 1));
            rec.addDelay(rng.nextInt(MAX_DELAY + 1));
          }
          ptr += row;
          rec.addRowPtr(ptr);
        }
        synapses += ptr;
        core.addAxonGroups(rec);
        int inputRow = Math.min(INPUT_ROW, n);
        AxonGroup.Builder in = AxonGroup.newBuilder()
            .setName("poisson-input")
            .setKind(ConnectionKind.DENSE)
            .setAxonFirst(incomingAxons[c])
            .setAxonCount(INPUTS_PER_CORE)
            .setSignMode(SignMode.EXCITATORY)
            .setNumWeightBits(8)
            .setWeightExp(INPUT_WEIGHT_EXP)
            .addRowPtr(0);
        for (int a = 0; a < INPUTS_PER_CORE; a++) {
          for (int k = 0; k < inputRow; k++) {
            in.addTarget(rng.nextInt(n));
            in.addWeight(64 + rng.nextInt(192));
          }
          in.addRowPtr((a + 1) * inputRow);
        }
        synapses += (long) INPUTS_PER_CORE * inputRow;
        core.addAxonGroups(in);
        image.addCores(core);
        port.addTargets(AxonRange.newBuilder().setCore(address(spec, c))
            .setAxonFirst(incomingAxons[c]).setCount(INPUTS_PER_CORE).setPortOffset(c * INPUTS_PER_CORE));
        symbol.addRanges(NeuronRange.newBuilder().setCore(address(spec, c)).setNeuronFirst(0)
            .setCount(n).setOffset(coreStart[c]));
      }
      image.setHeader(ImageHeader.newBuilder()
          .setFormatVersion(1)
          .setSpecName(spec.name())
          .setSpecHash(spec.hash())
          .setCompilerVersion("quench-bench")
          .setSourceModel("synthetic")
          .putOptions("neurons", Integer.toString(shape.neurons()))
          .putOptions("synapses-per-neuron", Integer.toString(shape.synapsesPerNeuron()))
          .putOptions("neurons-per-core", Integer.toString(coreNeurons[0]))
          .putOptions("seed", Long.toString(shape.seed()))
          .setChipCount(chips)
          .setDescription("synthetic random recurrent network of quench bench"));
      image.addInputs(port);
      image.addSymbols(symbol);
      return new SyntheticNetwork(shape, image.build(), coreNeurons[0], cores, chips, synapses,
          cores * INPUTS_PER_CORE);
    }

    /** Profile tables, filled to the spec's limits, and per-neuron profile indices and biases. */
    private Core.Builder neurons(ChipSpec spec, int c, SplittableRandom rng) {
      Core.Builder core = Core.newBuilder().setAddress(address(spec, c)).setNeuronCount(coreNeurons[c]);
      int decays = spec.decayProfilesPerCore();
      int thresholds = spec.thresholdProfilesPerCore();
      int[] dv = new int[decays];
      for (int i = 0; i < decays; i++) {
        int du = 256 + rng.nextInt(1793);
        dv[i] = 64 + rng.nextInt(193);
        core.addDecayProfiles(DecayProfile.newBuilder().setDu(du).setDv(dv[i])
            .setResetMode(ResetMode.RESET_TO_ZERO));
      }
      long[] theta = new long[thresholds];
      for (int i = 0; i < thresholds; i++) {
        int vth = 100 + rng.nextInt(301);
        theta[i] = (long) vth << spec.thresholdShift();
        core.addThresholdProfiles(ThresholdProfile.newBuilder().setVth(vth).setKind(NeuronKind.LIF));
      }
      int biasMax = spec.biasMantRange().max();
      for (int i = 0; i < coreNeurons[c]; i++) {
        int d = rng.nextInt(decays);
        int t = rng.nextInt(thresholds);
        core.addDecayIndex(d);
        core.addThresholdIndex(t);
        // Constant drive b reaches theta after T steps when b = theta * (1 - q) / (1 - q^T), with
        // q = 1 - dv / 2^decayBits the voltage's per-step retention: T = 1 / (target rate).
        double rate = RATE_MIN + (RATE_MAX - RATE_MIN) * rng.nextDouble();
        double q = 1.0 - dv[d] / (double) spec.decayUnity();
        double bias = theta[t] * (1.0 - q) / (1.0 - Math.pow(q, 1.0 / rate));
        core.addBiasMant((int) Math.min(biasMax, Math.round(bias)));
      }
      return core;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
      int[] p = new int[n];
      for (int i = 0; i < n; i++) {
        p[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = p[i];
        p[i] = p[j];
        p[j] = tmp;
      }
      return p;
    }
  }

  static CoreAddress address(ChipSpec spec, int core) {
    return CoreAddress.newBuilder().setChip(core / spec.coresPerChip()).setCore(core % spec.coresPerChip())
        .build();
  }
}
