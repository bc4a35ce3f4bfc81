package org.quench.emulator;

import java.util.Arrays;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.proto.Core;

/**
 * One emulated core: neuron state, its synapse memory and its activation delay line, with the two
 * halves of a step. {@link #update} (phase 1) advances the neurons and writes this step's spikes
 * as a sorted list and as a bitmap; {@link #deliver} (phase 2) pulls the spikes addressed to this
 * core's axons from the source cores' bitmaps and adds the activation they produce to the delay
 * line. In each step one worker thread calls both for a core (which one may change from step to
 * step, with a barrier in between: see {@link StepWorkers}), so no buffer is ever written by two
 * threads at once.
 *
 * <p>Spike lists, bitmaps and values are double-buffered by step parity: while slower threads
 * still read the spikes of step t, the core's step t+1 may already write those of step t+1.
 */
final class EmulatedCore {
  // Per-synapse finishing operation of a group (how a summed activation enters the delay line).
  private static final int FOLD = SynapseMemory.FOLD;
  private static final int FLOOR = SynapseMemory.FLOOR;

  final int index;
  final int chip;
  final int coreId;
  final int n;
  final String where;

  // Arithmetic constants from the spec.
  private final int decayShift;
  private final long decayRound;
  private final int actShift;
  private final int stateMax; // 2^(stateBits-1)
  private final int stateRange; // 2^stateBits
  private final int voltMax; // 2^(stateBits-1) - 1

  // Neuron state and per-neuron constants.
  final int[] u;
  final int[] v;
  private final int[] refractoryLeft;
  private final int[] uInit;
  private final int[] vInit;
  // Per neuron: the current's decay factor (low 16 bits) and the voltage's (high 16 bits, signed),
  // one int, so the update streams one array for both.
  private final int[] decayFactors;
  private final int[] vthEff;
  private final int[] vthLoEff;
  private final boolean[] ternary;
  private final boolean[] subtractive;
  private final int[] refractory;
  final int[] biasMant;
  private final int[] biasMantInit;
  private final int[] biasExp;
  private final int[] effBias;
  private final boolean plain;
  // The chip instance (null: nominal): host bias translation and per-step noise on v (null: none).
  private final InstanceParameters instance;
  private final int[] noiseAmplitude;
  private final long[] noiseKey;
  // No ternary neuron: every spike value is 1, so destinations need not read the value list.
  private final boolean onlyPositiveSpikes;

  // Periodic reset per decay profile.
  private final int[] decayIndex;
  private final int[] resetInterval;
  private final int[] resetOffset;
  private final boolean anyPeriodicReset;
  private final boolean[] resetNow;

  // Delay line: one slot per delay the words can hold (a power of two, delayMask + 1), each as
  // wide as the target field (1 << delayShift cells). The activation for step s lives in slot
  // s & delayMask, neuron i at (slot << delayShift) + i: so a word's (delay, target) cell, plus
  // the step's rotation, is its delay-line cell, and the scratch uses the same layout, cell for
  // cell (see deliver).
  private final int[] ring;
  // Phase 2's rotation: the word cell of delay d and target i lands on the delay-line cell
  // (cell + rot) & cellMask, the slot of step t + 1 + d.
  private int rot;

  // Synapse memory: one CSR over the core's axons. A packed word holds, from the low bits:
  // target (targetBits), delay (delayBits), prepared weight (the rest, signed). When a weight does
  // not fit (large CONV weights), words hold target and delay only and weights sit in wideWeights.
  final int axonSpan;
  private final int[] rowPtr;
  private final int[] groupOfAxon;
  private final int[] words;
  private final int[] wideWeights;
  private final int delayShift;
  private final int delayMask;
  private final int weightShift;
  private int touchSink; // keeps the early reads of touchRows alive
  // target | delay << targetBits: a word's low bits plus the step's rotation, masked, index the
  // scratch and the delay line.
  private final int cellMask;
  // A FLOOR group visiting at least this many synapses in a step finishes by sweeping all cells.
  private final long denseFloorMin;
  private final int[] groupMode;
  private final int[] groupExp;
  private final boolean[] groupGraded;
  private final int[] groupMessageMin;
  private final int[] groupMessageMax;
  private final String[] groupName;
  // Deferred sums per cell; all zero between steps, so the cores a worker steps share one array
  // (lent by StepWorkers), which then stays in cache from core to core.
  private int[] scratch;
  private final int scratchSize;
  private final int[] groupCount;
  private final int[] groupStart;
  // Phase 2's events of each group's direct routes are [directStart[g], directStart[g + 1]) of
  // sortedAxon (filled in route order, which is group order); the rest, from other routes and
  // the host, are [groupStart[g], groupStart[g + 1]), after all direct ones.
  private final int[] directStart;
  final long synapseCount;

  // Routes arriving at this core (filled at load by the network). resolveIncoming reorders them:
  // first the direct routes (all axons in one group, neurons within two bitmap words) by group,
  // directRoutes[g] to directRoutes[g + 1] for group g; then all others.
  private int[] inSource = new int[0];
  private int[] inFirst = new int[0];
  private int[] inCount = new int[0];
  private int[] inAxon = new int[0];
  // Per incoming route: the words of the source's spike bitmap that hold its neurons (absolute
  // indices into the bitmap array, see spikeBits), with the masks of the first and the last (for
  // a route within one word, both masks are the same, its neurons' bits; but a direct route
  // within one word has a last mask of 0, since deliver reads its word twice, as two words).
  private int[] wordLo = new int[0];
  private int[] wordHi = new int[0];
  private int[] maskLo = new int[0];
  private int[] maskHi = new int[0];
  // Per parity and incoming route: the source's spike values by neuron (arrays fixed at load; null
  // when the source only spikes 1). Held here so a route costs one direct load rather than a
  // chain through the source core object.
  private final int[][][] inValues = new int[2][0][];
  // Per incoming route: -1 when its source sits on another chip, else 0 (so direct routes count
  // inter-chip spikes without a branch); and the axon of bit 0 of its first bitmap word (its
  // first axon minus its first neuron's bit).
  private int[] otherChipMask = new int[0];
  private int[] routeBase = new int[0];
  // What the gather reads of direct route r, packed in one array, four ints from 4r: its first
  // bitmap word (the sign bit set when its source sits on another chip), the masks of that word
  // and the next (0 when the route ends in the first), its routeBase.
  private int[] directRoute = new int[0];
  private int[] directRoutes;
  // Per incoming route: the group of all its axons, NO_GROUP when none has one, MIXED_GROUPS
  // when they differ (then looked up per event).
  private int[] routeGroup = new int[0];
  private static final int NO_GROUP = -1;
  private static final int MIXED_GROUPS = -2;
  // Per incoming route, this step's spike count (phase-2 scratch of the routes that are not direct).
  private int[] routeEvents = new int[0];
  private int incomingCapacity;

  // Spikes of the last two steps, by parity. spikeIdx[p] holds the spiking neurons in ascending
  // order ([0, spikeCount[p])) and spikeVal[p] their values: what probes and output ports record.
  final int[][] spikeIdx;
  final int[][] spikeVal;
  final int[] spikeCount = new int[2];
  // The same spikes as a bitmap, which destinations read: neuron i is bit i % 32 of word
  // bitsAt + i / 32 of spikeBits[parity]. Once the network is wired, every core's bitmap is a
  // slice of one array per parity (shareBitmaps), so a destination reads any source's words from
  // one array, with no per-route array reference to load. BITS_PAD words between two cores'
  // slices keep the words of two cores, which two threads write, off one cache line. A route of up
  // to 32 neurons is then one or two word loads, whatever its spikes.
  static final int BITS_PAD = 16;
  private final int bitWords;
  int[][] spikeBits;
  private int bitsAt = BITS_PAD;
  // Spike values by neuron, by parity (null when every spike is 1): a destination reads the value
  // of a neuron whose bit is set.
  private final int[][] spikeValue;

  // Phase 2's events, bucketed by group: the buffers of the worker stepping the core (lent by
  // StepWorkers, like the scratch), so the few lines a step fills stay in that worker's cache.
  private static final int DIRECT_WRITES = 4;
  private int[] sortedAxon;
  private int[] sortedVal;
  private int eventCapacity;

  // Per-run plan, set by the device before a run (read-only during it).
  RunPlan.CorePlan plan;

  // Counters, written by the worker stepping the core.
  long neuronUpdates;
  long synapticEvents;
  long spikes;
  long interChipSpikes;

  /**
   * Builds core {@code index} from validated image core {@code c} and its materialised
   * parameters {@code p} (see {@link CoreParameters}: the nominal values, or a chip instance's).
   * Only step constants are derived here: decay factors, effective thresholds, the packed synapse
   * memory and the delay line (one slot per value of the words' delay field: the largest delay
   * plus one, rounded up to a power of two).
   */
  EmulatedCore(int index, Core c, CoreParameters p, ChipSpec spec) {
    this(index, c, p, spec, null);
  }

  /**
   * As above, on a chip instance whose deviations {@code instance} already applied to {@code p}
   * (null: nominal); the core keeps it to translate host-set biases and draw per-step noise
   * (docs/variability.md).
   */
  EmulatedCore(int index, Core c, CoreParameters p, ChipSpec spec, InstanceParameters instance) {
    this.index = index;
    this.instance = instance;
    noiseAmplitude = instance == null ? null : instance.noiseAmplitude;
    noiseKey = instance == null ? null : instance.noiseKey;
    this.chip = c.getAddress().getChip();
    this.coreId = c.getAddress().getCore();
    this.where = "core (" + chip + "," + coreId + ")";
    this.n = p.n;
    decayShift = spec.decayBits();
    decayRound = (1L << decayShift) - 1;
    actShift = spec.activationShift();
    stateMax = spec.currentRange().max();
    stateRange = stateMax << 1;
    voltMax = spec.voltageRange().max();
    int unity = spec.decayUnity();
    int shift = spec.thresholdShift();

    u = new int[n];
    v = new int[n];
    refractoryLeft = new int[n];
    uInit = p.uInit.clone();
    vInit = p.vInit.clone();
    decayFactors = new int[n];
    vthEff = new int[n];
    vthLoEff = new int[n];
    ternary = p.ternary.clone();
    subtractive = p.subtractive.clone();
    refractory = p.refractory.clone();
    biasMant = new int[n];
    biasMantInit = p.biasMant.clone();
    biasExp = p.biasExp.clone();
    effBias = new int[n];
    decayIndex = p.decayRow.clone();
    boolean isPlain = true;
    boolean anyTernary = false;
    for (int i = 0; i < n; i++) {
      // Lava's ds_offset: the current decays by du + 1.
      int uFactor = unity - (p.du[i] + 1);
      int vFactor = unity - p.dv[i];
      if (uFactor < 0 || uFactor > 0xFFFF || vFactor != (short) vFactor) {
        throw new IllegalStateException("decay factors " + uFactor + ", " + vFactor + " of neuron " + i
            + " do not fit 16 bits at " + where + ": validate the image first");
      }
      decayFactors[i] = uFactor | vFactor << 16;
      vthEff[i] = p.vth[i] << shift;
      vthLoEff[i] = p.vthLo[i] << shift;
      isPlain &= !ternary[i] && !subtractive[i] && refractory[i] == 0;
      anyTernary |= ternary[i];
    }
    plain = isPlain && noiseAmplitude == null;
    onlyPositiveSpikes = !anyTernary;
    resetInterval = p.resetInterval.clone();
    resetOffset = p.resetOffset.clone();
    resetNow = new boolean[resetInterval.length];
    boolean periodic = false;
    for (int interval : resetInterval) {
      periodic |= interval > 0;
    }
    anyPeriodicReset = periodic;

    SynapseMemory memory = new SynapseMemory(c, n, p.weights);
    // The step loop reads these as fields of the core, as before the memory had its own class.
    axonSpan = memory.axonSpan;
    rowPtr = memory.rowPtr;
    groupOfAxon = memory.groupOfAxon;
    words = memory.words;
    wideWeights = memory.wideWeights;
    delayShift = memory.delayShift;
    delayMask = memory.delayMask;
    weightShift = memory.weightShift;
    cellMask = memory.cellMask;
    groupMode = memory.groupMode;
    groupExp = memory.groupExp;
    groupGraded = memory.groupGraded;
    groupName = memory.groupName;
    synapseCount = memory.synapseCount;
    scratchSize = memory.scratchSize;
    int groups = groupMode.length;
    groupMessageMin = new int[groups];
    groupMessageMax = new int[groups];
    for (int g = 0; g < groups; g++) {
      ChipSpec.Range payload = ChipSpec.payloadRange(memory.groupMessageBits[g]);
      groupMessageMin[g] = payload.min();
      groupMessageMax[g] = payload.max();
    }
    groupCount = new int[groups];
    groupStart = new int[groups + 1];
    directStart = new int[groups + 1];
    directRoutes = new int[groups + 1];
    ring = new int[cellMask + 1];
    // A sweep costs a cheap (vectorised) pass per cell, the row-ordered pass a scattered write
    // per synapse: sweep once the synapses reach an eighth of the cells.
    denseFloorMin = Math.max(1L, (long) ring.length / 8);
    spikeIdx = new int[][] {new int[n], new int[n]};
    spikeVal = new int[][] {new int[n], new int[n]};
    bitWords = (n + 31) >>> 5;
    spikeBits = new int[][] {new int[bitWords + 2 * BITS_PAD], new int[bitWords + 2 * BITS_PAD]};
    spikeValue = onlyPositiveSpikes ? null : new int[][] {new int[n], new int[n]};
    reset();
  }

  /**
   * Moves the spike bitmaps of all {@code cores} into one array per parity, each core's words a
   * slice with {@link #BITS_PAD} words before and after it (load time, before routes are
   * resolved; every core's bitmap is empty then). Returns the two arrays.
   */
  static int[][] shareBitmaps(EmulatedCore[] cores) {
    long words = BITS_PAD;
    for (EmulatedCore c : cores) {
      words += c.bitWords + BITS_PAD;
    }
    if (words > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("spike bitmaps of " + words + " words do not fit one array");
    }
    int[][] shared = {new int[(int) words], new int[(int) words]};
    int at = BITS_PAD;
    for (EmulatedCore c : cores) {
      c.spikeBits = shared;
      c.bitsAt = at;
      at += c.bitWords + BITS_PAD;
    }
    return shared;
  }

  /** Registers a route from {@code source}'s neurons to this core's axons (load time only). */
  void addIncoming(int source, int first, int count, int axonFirst) {
    int k = inSource.length;
    inSource = Arrays.copyOf(inSource, k + 1);
    inFirst = Arrays.copyOf(inFirst, k + 1);
    inCount = Arrays.copyOf(inCount, k + 1);
    inAxon = Arrays.copyOf(inAxon, k + 1);
    inSource[k] = source;
    inFirst[k] = first;
    inCount[k] = count;
    inAxon[k] = axonFirst;
    incomingCapacity += count;
  }

  /**
   * Points every incoming route at its source's spike bitmap (after every core is built), and
   * orders the routes for {@link #deliver}: direct routes by group, then the rest.
   */
  void resolveIncoming(EmulatedCore[] cores) {
    int routes = inSource.length;
    int groups = groupMode.length;
    // Sort key: a direct route's group, or groups for the rest; stable, so ties keep load order.
    int[] key = new int[routes];
    int[] groupOfRoute = new int[routes];
    for (int r = 0; r < routes; r++) {
      int g = groupOf(inAxon[r]);
      for (int a = inAxon[r] + 1; a < inAxon[r] + inCount[r] && g != MIXED_GROUPS; a++) {
        if (groupOf(a) != g) {
          g = MIXED_GROUPS;
        }
      }
      groupOfRoute[r] = g;
      int first = inFirst[r];
      int words = ((first + inCount[r] - 1) >>> 5) - (first >>> 5) + 1;
      key[r] = g >= 0 && words <= 2 ? g : groups;
    }
    int[] order = java.util.stream.IntStream.range(0, routes).boxed()
        .sorted((a, b) -> Integer.compare(key[a], key[b])).mapToInt(Integer::intValue).toArray();
    inSource = permute(inSource, order);
    inFirst = permute(inFirst, order);
    inCount = permute(inCount, order);
    inAxon = permute(inAxon, order);
    routeGroup = permute(groupOfRoute, order);
    Arrays.fill(directRoutes, 0);
    for (int r = 0; r < routes; r++) {
      int kr = key[order[r]];
      if (kr < groups) {
        directRoutes[kr + 1]++;
      }
    }
    for (int g = 0; g < groups; g++) {
      directRoutes[g + 1] += directRoutes[g];
    }
    otherChipMask = new int[routes];
    routeBase = new int[routes];
    wordLo = new int[routes];
    wordHi = new int[routes];
    maskLo = new int[routes];
    maskHi = new int[routes];
    routeEvents = new int[routes];
    for (int parity = 0; parity < 2; parity++) {
      inValues[parity] = new int[routes][];
    }
    for (int r = 0; r < routes; r++) {
      EmulatedCore src = cores[inSource[r]];
      otherChipMask[r] = src.chip != chip ? -1 : 0;
      if (src.spikeBits != spikeBits) {
        throw new IllegalStateException("spike bitmaps not shared (shareBitmaps) at " + where);
      }
      for (int parity = 0; parity < 2; parity++) {
        inValues[parity][r] = src.onlyPositiveSpikes ? null : src.spikeValue[parity];
      }
      int first = inFirst[r];
      int last = first + inCount[r] - 1;
      if (first < 0 || last >= src.n) {
        throw new IllegalStateException("route beyond its source's neurons at " + where);
      }
      wordLo[r] = src.bitsAt + (first >>> 5);
      wordHi[r] = src.bitsAt + (last >>> 5);
      maskLo[r] = -1 << first;
      maskHi[r] = -1 >>> (31 - (last & 31));
      if (wordLo[r] == wordHi[r]) {
        maskLo[r] &= maskHi[r];
        maskHi[r] = maskLo[r];
      }
      routeBase[r] = ((first >>> 5) << 5) + inAxon[r] - first;
      if (r < directRoutes[groups] && wordLo[r] == wordHi[r]) {
        // A direct route reads two words; within one word, the second adds nothing.
        maskHi[r] = 0;
      }
    }
    directRoute = new int[4 * directRoutes[groups]];
    for (int r = 0; r < directRoutes[groups]; r++) {
      directRoute[4 * r] = wordLo[r] | (otherChipMask[r] & Integer.MIN_VALUE);
      directRoute[4 * r + 1] = maskLo[r];
      directRoute[4 * r + 2] = maskHi[r];
      directRoute[4 * r + 3] = routeBase[r];
    }
  }

  private static int[] permute(int[] values, int[] order) {
    int[] out = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      out[i] = values[order[i]];
    }
    return out;
  }

  /** Makes room in the event buffers for routed spikes plus {@code hostEvents} host events per step. */
  void reserveEvents(int hostEvents) {
    // Phase 2 writes up to DIRECT_WRITES - 1 events past the last (see deliver).
    eventCapacity = incomingCapacity + hostEvents + DIRECT_WRITES;
  }

  /** Cells each of the event buffers lent by {@link #shareEvents} must hold (see {@link #reserveEvents}). */
  int eventCapacity() {
    return eventCapacity;
  }

  /**
   * Lends this core the event buffers (axons and values) of the worker stepping it, each at least
   * {@link #eventCapacity()} long; a step leaves nothing in them that the next one reads.
   */
  void shareEvents(int[] axons, int[] values) {
    if (axons.length < eventCapacity || values.length < eventCapacity) {
      throw new IllegalArgumentException("event buffers of " + axons.length + " and " + values.length
          + " cells for " + eventCapacity + " at " + where);
    }
    sortedAxon = axons;
    sortedVal = values;
  }

  /** True when every spike of this core is +1 (no ternary neuron). */
  boolean onlyPositiveSpikes() {
    return onlyPositiveSpikes;
  }

  /** Cells of deferred-sum scratch this core needs (0 when it has no FLOOR or CONV group). */
  int scratchSize() {
    return scratchSize;
  }

  /**
   * Lends this core the scratch of the worker stepping it: exactly {@link #scratchSize()} cells
   * (a power of two, so the summing loops index it by a mask of its own length, which lets the
   * JIT drop the bounds check), all zero; the core leaves them zero after every step.
   */
  void shareScratch(int[] shared) {
    if (shared.length != scratchSize) {
      throw new IllegalArgumentException("scratch of " + shared.length + " cells for " + scratchSize);
    }
    scratch = shared;
  }

  /** True when some weight did not fit the packed word and weights sit in their own array. */
  boolean usesWideWeights() {
    return wideWeights != null;
  }

  /** The group an axon belongs to, or -1. */
  int groupOf(int axon) {
    return axon < axonSpan ? groupOfAxon[axon] : -1;
  }

  String groupName(int g) {
    return groupName[g];
  }

  int messageMin(int g) {
    return groupMessageMin[g];
  }

  int messageMax(int g) {
    return groupMessageMax[g];
  }

  /** Back to the loaded state: initial u and v, image biases, empty delay line and spike lists. */
  void reset() {
    System.arraycopy(uInit, 0, u, 0, n);
    System.arraycopy(vInit, 0, v, 0, n);
    System.arraycopy(biasMantInit, 0, biasMant, 0, n);
    Arrays.fill(refractoryLeft, 0);
    for (int i = 0; i < n; i++) {
      effBias[i] = scaleBias(biasMant[i], biasExp[i]);
    }
    Arrays.fill(ring, 0);
    // Zero between steps, unless a failed step stopped half way.
    Arrays.fill(groupCount, 0);
    spikeCount[0] = 0;
    spikeCount[1] = 0;
  }

  private static int scaleBias(int mant, int exp) {
    return exp >= 0 ? mant << exp : mant >> -exp;
  }

  void setBias(int neuron, int mant) {
    if (instance != null) {
      mant = instance.bias(neuron, mant);
    }
    biasMant[neuron] = mant;
    effBias[neuron] = scaleBias(mant, biasExp[neuron]);
  }

  long synapseBytes() {
    long b = 4L * words.length + 4L * rowPtr.length + 4L * groupOfAxon.length;
    if (wideWeights != null) {
      b += 4L * wideWeights.length;
    }
    return b;
  }

  /**
   * Bytes of this core's arrays other than the synapse memory ({@link #synapseBytes}) and the
   * worker's shared scratch: their elements only (references as 4 bytes, no object headers); of
   * the arrays that point at source cores' bitmaps and values, only the references.
   */
  long stateBytes() {
    // Per neuron: 14 int arrays (state, constants, biases, decay index), 2 boolean arrays, the
    // spike lists (indices and values, two parities), the values by neuron of ternary cores and
    // the noise amplitude and key of a chip instance.
    long perNeuron = 4L * 14 + 2 + 4L * 2 * 2;
    if (spikeValue != null) {
      perNeuron += 4L * 2;
    }
    if (noiseAmplitude != null) {
      perNeuron += 4L + 8L;
    }
    // The spike bitmaps are the network's (EmulatedNetwork.bitmapBytes counts them once).
    long b = perNeuron * n + 4L * ring.length;
    // The per-parity arrays of arrays (spikeIdx, spikeVal, spikeBits, spikeValue, inValues) and
    // the spike counts.
    b += 4L * 2 * (spikeValue == null ? 4 : 5) + 4L * 2;
    // Per incoming route: 12 int arrays, and in inValues one reference per parity; per direct
    // route, the gather's packed copy.
    b += (4L * 12 + 4L * 2) * inSource.length + 4L * directRoute.length;
    // Per group: 8 int arrays (groupStart, directStart and directRoutes have one more), the graded
    // flags, the names' references.
    int groups = groupMode.length;
    b += (4L * 8 + 1 + 4) * groups + 4L * 3;
    // Per decay profile: interval, offset, and whether it resets this step.
    b += (4L * 2 + 1) * resetInterval.length;
    return b;
  }

  /**
   * Phase 1 of global step {@code t} (1-based): bias overrides, the periodic reset due from the
   * end of step t-1, the neuron update, this step's spike list, output events and probe samples.
   * {@code k} is the step's index within the run.
   */
  void update(long t, int k) {
    RunPlan.CorePlan p = plan;
    if (p != null && p.biasPtr != null) {
      for (int e = p.biasPtr[k], end = p.biasPtr[k + 1]; e < end; e++) {
        setBias(p.biasNeuron[e], p.biasValue[e]);
      }
    }
    if (anyPeriodicReset && t >= 2) {
      applyPeriodicReset(t - 1);
    }
    int parity = (int) (t & 1);
    int base = ((int) t & delayMask) << delayShift;
    int[] bits = spikeBits[parity];
    Arrays.fill(bits, bitsAt, bitsAt + bitWords, 0);
    int count = plain ? updatePlain(base, spikeIdx[parity], spikeVal[parity], bits, bitsAt)
        : updateGeneral(t, base, spikeIdx[parity], spikeVal[parity], bits, bitsAt,
            spikeValue == null ? null : spikeValue[parity]);
    spikeCount[parity] = count;
    neuronUpdates += n;
    spikes += count;
    if (p != null) {
      p.record(this, k, parity);
    }
  }

  /**
   * The periodic reset of the end of step {@code ended}. It is applied at the start of the next
   * step so that probes of step {@code ended} still see the state its spikes came from (Lava's
   * LIFReset zeroes at the start of a step; the dynamics are the same either way).
   */
  private void applyPeriodicReset(long ended) {
    boolean any = false;
    for (int p = 0; p < resetInterval.length; p++) {
      int interval = resetInterval[p];
      boolean now = interval > 0 && (ended - 1) % interval == resetOffset[p];
      resetNow[p] = now;
      any |= now;
    }
    if (!any) {
      return;
    }
    for (int i = 0; i < n; i++) {
      if (resetNow[decayIndex[i]]) {
        u[i] = 0;
        v[i] = 0;
        refractoryLeft[i] = 0;
      }
    }
  }

  private int updatePlain(int base, int[] outIdx, int[] outVal, int[] outBits, int bitsAt) {
    final int[] u = this.u;
    final int[] v = this.v;
    final int[] ring = this.ring;
    final int[] df = decayFactors;
    final int[] bias = effBias;
    final int[] vth = vthEff;
    final int shift = decayShift;
    final long round = decayRound;
    final int act = actShift;
    final int smax = stateMax;
    final int srange = stateRange;
    final int vmax = voltMax;
    int count = 0;
    for (int i = 0; i < n; i++) {
      int a = ring[base + i];
      ring[base + i] = 0;
      int f = df[i];
      long pu = (long) u[i] * (f & 0xFFFF);
      int un = (int) ((pu + ((pu >> 63) & round)) >> shift) + (a << act);
      if (un > smax) {
        un -= srange;
      } else if (un <= -smax) {
        un += srange;
      }
      long pv = (long) v[i] * (f >> 16);
      int vn = Math.max(-vmax, Math.min(vmax, (int) ((pv + ((pv >> 63) & round)) >> shift) + un + bias[i]));
      u[i] = un;
      if (vn > vth[i]) {
        vn = 0;
        outIdx[count] = i;
        outVal[count] = 1;
        outBits[bitsAt + (i >>> 5)] |= 1 << i;
        count++;
      }
      v[i] = vn;
    }
    return count;
  }

  private int updateGeneral(long t, int base, int[] outIdx, int[] outVal, int[] outBits, int bitsAt,
      int[] outValue) {
    int count = 0;
    for (int i = 0; i < n; i++) {
      int a = ring[base + i];
      ring[base + i] = 0;
      int f = decayFactors[i];
      long pu = (long) u[i] * (f & 0xFFFF);
      int un = (int) ((pu + ((pu >> 63) & decayRound)) >> decayShift) + (a << actShift);
      if (un > stateMax) {
        un -= stateRange;
      } else if (un <= -stateMax) {
        un += stateRange;
      }
      u[i] = un;
      if (refractoryLeft[i] > 0) {
        // EXTENSION: refractory: u integrates, v is held at 0, no spike.
        refractoryLeft[i]--;
        v[i] = 0;
        continue;
      }
      long pv = (long) v[i] * (f >> 16);
      int vn = (int) ((pv + ((pv >> 63) & decayRound)) >> decayShift) + un + effBias[i];
      if (noiseAmplitude != null) {
        // Temporal noise of the chip instance (docs/variability.md): a pure function of the
        // neuron and the step, so every thread count draws the same value.
        vn += CoreDeviations.noise(noiseKey[i], t, noiseAmplitude[i]);
      }
      if (vn > voltMax) {
        vn = voltMax;
      } else if (vn < -voltMax) {
        vn = -voltMax;
      }
      int out = 0;
      if (ternary[i] && vn < vthLoEff[i]) {
        out = -1;
      } else if (vn > vthEff[i]) {
        out = 1;
      }
      if (out != 0) {
        if (subtractive[i]) {
          vn -= out > 0 ? vthEff[i] : vthLoEff[i];
        } else {
          vn = 0;
        }
        refractoryLeft[i] = refractory[i];
        outIdx[count] = i;
        outVal[count] = out;
        outBits[bitsAt + (i >>> 5)] |= 1 << i;
        if (outValue != null) {
          outValue[i] = out;
        }
        count++;
      }
      v[i] = vn;
    }
    return count;
  }

  /**
   * Index into {@code spikeIdx[parity]} of the first spike whose neuron is >= {@code neuron}
   * ({@code spikeCount[parity]} when none is).
   */
  int lowerBound(int parity, int neuron) {
    int[] idx = spikeIdx[parity];
    int lo = 0;
    int hi = spikeCount[parity];
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (idx[mid] < neuron) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The spike value of {@code neuron} in {@code parity}'s list (0 when it did not spike). */
  int spikeOf(int parity, int neuron) {
    int k = lowerBound(parity, neuron);
    return k < spikeCount[parity] && spikeIdx[parity][k] == neuron ? spikeVal[parity][k] : 0;
  }

  /**
   * Phase 2 of global step {@code t}: gathers the spikes of step t addressed to this core (routes
   * and host events) and adds their activation to the delay line at steps t+1+delay.
   *
   * <p>Events are bucketed by axon group as they are gathered. The direct routes (one group,
   * within two bitmap words: nearly all) are ordered by group at load, so one pass writes their
   * events straight into consecutive group slices of {@code sortedAxon}: per route, two word
   * loads and a loop over the set bits, with no per-event group lookup and no count pass. The
   * other routes and the host events (few) follow in a second region, bucketed by a count pass
   * and a place pass. The rows of every event are then touched at once (see {@link #touchRows})
   * and each group finished over its two slices; integer sums do not depend on the order of
   * addition.
   */
  void deliver(long t, int k, EmulatedCore[] cores) {
    final int parity = (int) (t & 1);
    final int[] bits = spikeBits[parity];
    final int[][] valuesOf = inValues[parity];
    final int[] meta = directRoute;
    final int[] sa = sortedAxon;
    final int[] sv = sortedVal;
    final int[] direct = directStart;
    final int[] byGroup = directRoutes;
    final int groups = groupMode.length;
    int e = 0;
    int inter = 0;
    for (int g = 0; g < groups; g++) {
      direct[g] = e;
      int r = byGroup[g];
      int end = byGroup[g + 1];
      boolean graded = groupGraded[g];
      for (; r < end; r++) {
        int at = 4 * r;
        int first = meta[at];
        int word = first & Integer.MAX_VALUE;
        // A direct route's neurons lie within this word and the next (BITS_PAD words follow
        // every core's slice, so the next one exists even after the last).
        long x = (bits[word] & meta[at + 1] & 0xFFFFFFFFL) | (long) (bits[word + 1] & meta[at + 2]) << 32;
        int base = meta[at + 3];
        int from = e;
        int spiked = Long.bitCount(x);
        // Four events written whatever the count (a route carries 0-3 spikes nearly always), so
        // no loop exit to mispredict; writes past the count are overwritten by the next route.
        sa[e] = base + Long.numberOfTrailingZeros(x);
        x &= x - 1;
        sa[e + 1] = base + Long.numberOfTrailingZeros(x);
        x &= x - 1;
        sa[e + 2] = base + Long.numberOfTrailingZeros(x);
        x &= x - 1;
        sa[e + 3] = base + Long.numberOfTrailingZeros(x);
        if (spiked > 4) {
          for (int f = e + 4; (x &= x - 1) != 0; ) {
            sa[f++] = base + Long.numberOfTrailingZeros(x);
          }
        }
        e += spiked;
        inter += spiked & (first >> 31);
        if (graded) {
          // The same outcome for every route of the group, so the branch is well predicted.
          placeValues(valuesOf[r], inAxon[r] - inFirst[r], sa, sv, from, e);
        }
      }
    }
    direct[groups] = e;
    interChipSpikes += inter;
    final int routes = inSource.length;
    RunPlan.CorePlan p = plan;
    boolean hosted = p != null && p.hostPtr != null && p.hostPtr[k] < p.hostPtr[k + 1];
    int total = e;
    boolean rest = byGroup[groups] < routes || hosted;
    if (rest) {
      total = gatherRest(parity, k, e);
    }
    if (total == 0) {
      return;
    }
    rot = ((int) (t + 1) & delayMask) << delayShift;
    touchRows(sa, total);
    final int[] start = groupStart;
    for (int g = 0; g < groups; g++) {
      int from = direct[g];
      int to = direct[g + 1];
      int restFrom = rest ? start[g] : 0;
      int restTo = rest ? start[g + 1] : 0;
      if (from == to && restFrom == restTo) {
        continue;
      }
      if (groupMode[g] == FOLD) {
        foldEvents(g, sa, sv, from, to);
        foldEvents(g, sa, sv, restFrom, restTo);
      } else {
        finishGroup(g, sa, sv, from, to, restFrom, restTo);
      }
    }
  }

  /**
   * The events of the routes that are not direct and of the host, into the group slices
   * [groupStart[g], groupStart[g + 1]) that begin at {@code first}; returns the end of the last.
   */
  private int gatherRest(int parity, int k, int first) {
    final int[] bits = spikeBits[parity];
    final int[][] valuesOf = inValues[parity];
    final int routes = inSource.length;
    final int firstRoute = directRoutes[groupMode.length];
    final int[] w0s = wordLo;
    final int[] w1s = wordHi;
    final int[] m0s = maskLo;
    final int[] m1s = maskHi;
    final int[] events = routeEvents;
    final int[] rg = routeGroup;
    final int[] cursor = groupCount; // all zero between steps
    // Count pass: each route's spikes from the source's bitmap, and events per group.
    for (int r = firstRoute; r < routes; r++) {
      int w0 = w0s[r];
      int w1 = w1s[r];
      int m = Integer.bitCount(bits[w0] & m0s[r]);
      if (w1 != w0) {
        m += Integer.bitCount(bits[w1] & m1s[r]);
        for (int w = w0 + 1; w < w1; w++) {
          m += Integer.bitCount(bits[w]);
        }
      }
      events[r] = m;
      if (m == 0) {
        continue;
      }
      if (otherChipMask[r] != 0) {
        interChipSpikes += m;
      }
      int g = rg[r];
      if (g >= 0) {
        cursor[g] += m;
      } else if (g == MIXED_GROUPS) {
        for (int w = w0; w <= w1; w++) {
          int x = bits[w] & (w == w0 ? m0s[r] : -1) & (w == w1 ? m1s[r] : -1);
          int axonBase = routeBase[r] + ((w - w0) << 5);
          for (; x != 0; x &= x - 1) {
            int ga = groupOf(axonBase + Integer.numberOfTrailingZeros(x));
            if (ga >= 0) {
              cursor[ga]++;
            }
          }
        }
      }
    }
    RunPlan.CorePlan p = plan;
    int hostFrom = 0;
    int hostTo = 0;
    if (p != null && p.hostPtr != null) {
      hostFrom = p.hostPtr[k];
      hostTo = p.hostPtr[k + 1];
      for (int e = hostFrom; e < hostTo; e++) {
        int g = groupOf(p.hostAxon[e]);
        if (g >= 0 && p.hostValue[e] != 0) {
          cursor[g]++;
        }
      }
    }
    final int groups = groupMode.length;
    final int[] start = groupStart;
    start[0] = first;
    for (int g = 0; g < groups; g++) {
      start[g + 1] = start[g] + cursor[g];
      cursor[g] = start[g];
    }
    // Place pass: each event into its group's slice.
    final int[] sa = sortedAxon;
    final int[] sv = sortedVal;
    for (int r = firstRoute; r < routes; r++) {
      int g = rg[r];
      if (events[r] == 0 || g == NO_GROUP) {
        continue;
      }
      int shift = inAxon[r] - inFirst[r];
      int[] val = valuesOf[r];
      int w0 = w0s[r];
      int w1 = w1s[r];
      for (int w = w0; w <= w1; w++) {
        int x = bits[w] & (w == w0 ? m0s[r] : -1) & (w == w1 ? m1s[r] : -1);
        int axonBase = routeBase[r] + ((w - w0) << 5);
        for (; x != 0; x &= x - 1) {
          int axon = axonBase + Integer.numberOfTrailingZeros(x);
          int ga = g >= 0 ? g : groupOf(axon);
          if (ga >= 0) {
            int at = cursor[ga]++;
            sa[at] = axon;
            sv[at] = val == null ? 1 : val[axon - shift];
          }
        }
      }
    }
    for (int e = hostFrom; e < hostTo; e++) {
      int axon = p.hostAxon[e];
      int g = groupOf(axon);
      if (g >= 0 && p.hostValue[e] != 0) {
        int at = cursor[g]++;
        sa[at] = axon;
        sv[at] = p.hostValue[e];
      }
    }
    Arrays.fill(cursor, 0);
    return start[groups];
  }

  /**
   * The spike values of the events {@code [from, to)} of {@code axons}, all from one route whose
   * axon is its source neuron plus {@code shift}: 1 each when the source only spikes 1.
   */
  private static void placeValues(int[] sourceValues, int shift, int[] axons, int[] values, int from, int to) {
    if (sourceValues == null) {
      Arrays.fill(values, from, to, 1);
    } else {
      for (int e = from; e < to; e++) {
        values[e] = sourceValues[axons[e] - shift];
      }
    }
  }

  private void foldRow(int from, int to, int payload, int exp) {
    synapticEvents += to - from;
    final int[] ring = this.ring;
    final int r = rot;
    // ring.length - 1 is cellMask; written this way the JIT sees that the index is in bounds.
    final int cm = ring.length - 1;
    if (wideWeights == null) {
      final int ws = weightShift;
      final int[] w = words;
      if (payload == 1) {
        for (int s = from; s < to; s++) {
          int word = w[s];
          ring[(word + r) & cm] += (word >> ws) << exp;
        }
      } else {
        for (int s = from; s < to; s++) {
          int word = w[s];
          ring[(word + r) & cm] += ((word >> ws) * payload) << exp;
        }
      }
    } else {
      for (int s = from; s < to; s++) {
        int word = words[s];
        ring[(word + r) & cm] += (wideWeights[s] * payload) << exp;
      }
    }
  }

  /** Adds the rows of the events {@code [from, to)} of {@code axons}, all of FOLD group {@code g}, to the delay line. */
  private void foldEvents(int g, int[] axons, int[] values, int from, int to) {
    boolean graded = groupGraded[g];
    int exp = groupExp[g];
    for (int e = from; e < to; e++) {
      int axon = axons[e];
      foldRow(rowPtr[axon], rowPtr[axon + 1], graded ? values[e] : 1, exp);
    }
  }

  /**
   * Sums and finishes the deferred events of group {@code g}: {@code [from, to)} and
   * {@code [restFrom, restTo)} of {@code axons}.
   */
  private void finishGroup(int g, int[] axons, int[] values, int from, int to, int restFrom, int restTo) {
    boolean graded = groupGraded[g];
    long visited = sumDeferred(axons, values, from, to, graded) + sumDeferred(axons, values, restFrom, restTo, graded);
    if (groupMode[g] == FLOOR) {
      if (visited >= denseFloorMin) {
        floorDense(-groupExp[g]);
      } else {
        floorDeferred(axons, from, to, -groupExp[g]);
        floorDeferred(axons, restFrom, restTo, -groupExp[g]);
      }
    } else {
      wrapDeferred(axons, from, to);
      wrapDeferred(axons, restFrom, restTo);
    }
  }

  /**
   * Reads one word per cache line of the rows of {@code axons[0..count)} before they are summed.
   * The rows lie scattered over the synapse memory, and the step is bound by fetching them: these
   * reads do not depend on each other, so the processor keeps many of the misses in flight at
   * once, and the summing passes then find the rows in the first-level cache.
   */
  private void touchRows(int[] axons, int count) {
    final int[] w = words;
    final int[] rp = rowPtr;
    int touch = 0;
    for (int e = 0; e < count; e++) {
      int axon = axons[e];
      int s0 = rp[axon];
      int s1 = rp[axon + 1];
      int last = s1 - 1;
      if (last - s0 <= 32 && s0 <= last) {
        // Up to 33 words span at most three cache lines: the first word's, the one 16 words on,
        // the last word's. Three loads without a loop, so no mispredicted exit throws away the
        // misses already in flight.
        touch += w[s0] + w[Math.min(s0 + 16, last)] + w[last];
      } else {
        for (int s = s0; s < s1; s += 16) {
          touch += w[s];
        }
        if (s0 < s1) {
          touch += w[last];
        }
      }
    }
    touchSink = touch;
  }

  /** Pass 1: adds weight x payload of the rows of ax[from..to) into scratch; returns the synapses visited. */
  private long sumDeferred(int[] ax, int[] values, int from, int to, boolean graded) {
    final int[] sc = scratch;
    final int[] w = words;
    final int[] rp = rowPtr;
    // sc.length - 1 is cellMask; written this way the JIT sees that the index is in bounds.
    final int cm = sc.length - 1;
    final int r = rot;
    long visited = 0;
    if (wideWeights == null) {
      final int ws = weightShift;
      for (int e = from; e < to; e++) {
        int axon = ax[e];
        int s0 = rp[axon];
        int s1 = rp[axon + 1];
        visited += s1 - s0;
        int payload = graded ? values[e] : 1;
        if (payload == 1) {
          for (int s = s0; s < s1; s++) {
            int word = w[s];
            sc[(word + r) & cm] += word >> ws;
          }
        } else {
          for (int s = s0; s < s1; s++) {
            int word = w[s];
            sc[(word + r) & cm] += (word >> ws) * payload;
          }
        }
      }
    } else {
      final int[] wide = wideWeights;
      for (int e = from; e < to; e++) {
        int axon = ax[e];
        int s0 = rp[axon];
        int s1 = rp[axon + 1];
        visited += s1 - s0;
        int payload = graded ? values[e] : 1;
        for (int s = s0; s < s1; s++) {
          sc[(w[s] + r) & cm] += wide[s] * payload;
        }
      }
    }
    synapticEvents += visited;
    return visited;
  }

  /**
   * Pass 2 of a FLOOR group whose rows touched many cells: sweeps every cell in order instead of
   * revisiting the rows. Sequential reads and writes of scratch and the delay line stream from
   * memory and need no row lookups, where the row-ordered pass scatters one delay-line write per
   * synapse. Untouched cells hold 0, and 0 floors to 0, so the result is the same.
   */
  private void floorDense(int k) {
    final int[] sc = scratch;
    final int[] ring = this.ring;
    final int cells = ring.length;
    final int width = 1 << delayShift;
    // Scratch and delay line share one layout, so each slot is one same-index loop, which the
    // JIT turns into vector code (with different offsets into the two arrays it does not: that
    // loop ran 3 to 5 times slower per cell), and a fill. Only a slot's first n cells can hold
    // anything (targets are below n); the rest of its width is never read or written, so the
    // sweep skips it (a quarter of the delay line's cache lines for 384 neurons in 512 cells).
    for (int base = 0; base < cells; base += width) {
      for (int i = base, end = base + n; i < end; i++) {
        ring[i] += sc[i] >> k;
      }
      Arrays.fill(sc, base, base + n, 0);
    }
  }

  /** Pass 2 of a FLOOR group: each touched cell's sum, floor-shifted by k, into the delay line. */
  private void floorDeferred(int[] ax, int from, int to, int k) {
    final int[] sc = scratch;
    final int[] w = words;
    final int[] rp = rowPtr;
    final int[] ring = this.ring;
    final int cm = cellMask;
    final int r = rot;
    for (int e = from; e < to; e++) {
      int axon = ax[e];
      for (int s = rp[axon], s1 = rp[axon + 1]; s < s1; s++) {
        int cell = (w[s] + r) & cm;
        int sum = sc[cell];
        sc[cell] = 0;
        ring[cell] += sum >> k;
      }
    }
  }

  /** Pass 2 of a CONV group: each touched cell's sum, wrapped to the state width, into the delay line. */
  private void wrapDeferred(int[] ax, int from, int to) {
    final int[] sc = scratch;
    final int[] w = words;
    final int[] rp = rowPtr;
    final int[] ring = this.ring;
    final int cm = cellMask;
    final int r = rot;
    for (int e = from; e < to; e++) {
      int axon = ax[e];
      for (int s = rp[axon], s1 = rp[axon + 1]; s < s1; s++) {
        int cell = (w[s] + r) & cm;
        int sum = sc[cell];
        sc[cell] = 0;
        ring[cell] += wrapState(sum);
      }
    }
  }

  private int wrapState(int x) {
    // ((x + 2^23) mod 2^24) - 2^23 for 24-bit state, in int arithmetic.
    return ((x + stateMax) & (stateRange - 1)) - stateMax;
  }
}
