package org.quench.hal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
import org.quench.hal.proto.OutputPort;
import org.quench.hal.proto.ResetMode;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Checks a {@link ChipImage} against a {@link ChipSpec} before any device runs it: header, ranges
 * of every field, references (cores, axons, neurons, table rows, ports, symbols), table sizes and
 * the synapse memory budget. A device never runs a half-valid image.
 *
 * <p>Every problem names its location ({@code core (0,3) axon group 'fc1' synapse 17}) and the
 * limit it breaks. Validation takes time linear in the image size (each neuron, synapse, route
 * and range is looked at a bounded number of times); it stops looking for more problems once
 * {@value #MAX_REPORTED} are found.
 *
 * <p>Every range comes from the spec ({@link ChipSpec#vthRange()}, {@link ChipSpec#biasMantRange()},
 * ...) and every weight rule from {@link WeightRules}: this class is the one judge of an image.
 * Devices run only images it accepted; the emulator keeps no checks of its own beyond internal
 * invariants. A neuron problem also names the population and index the symbol table gives it.
 */
public final class ImageValidator {
  /** How many problems one report lists at most. */
  public static final int MAX_REPORTED = 10;
  /** Longest single problem reported; longer ones (names echoed from the image) are cut. */
  static final int MAX_PROBLEM_CHARS = 300;

  private ImageValidator() {}

  /**
   * Throws a {@link QuenchException} listing the first problems found (each with its location,
   * e.g. "core (0,3) axon group 'fc1' synapse 17: delay 70 is outside 0..63 (maxDelay)"); returns quietly
   * when the image is valid for {@code spec}.
   */
  public static void validate(ChipImage image, ChipSpec spec) {
    Problems found = check(image, spec);
    if (found.list.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder("image is invalid for chip '" + spec.name() + "': ");
    message.append(String.join("; ", found.list));
    if (found.more) {
      message.append("; ... (further problems not listed)");
    }
    throw new QuenchException(message.toString());
  }

  /**
   * The first {@value #MAX_REPORTED} problems of {@code image} for {@code spec}, each a
   * "location: problem" sentence; empty when the image is valid.
   */
  public static List<String> problems(ChipImage image, ChipSpec spec) {
    return List.copyOf(check(image, spec).list);
  }

  /** Collects problem sentences up to a cap; {@link #full()} lets long loops stop early. */
  private static final class Problems {
    final List<String> list = new ArrayList<>();
    boolean more;

    /** As {@link #add(String, String)}, the location built only when the problem is kept. */
    void add(Supplier<String> where, String what) {
      if (list.size() < MAX_REPORTED) {
        add(where.get(), what);
      } else {
        more = true;
      }
    }

    void add(String where, String what) {
      if (list.size() < MAX_REPORTED) {
        // Names come from the image: a 100,000-character spec name must not be echoed whole.
        String problem = where + ": " + what;
        list.add(MessageText.capped(problem, MAX_PROBLEM_CHARS));
      } else {
        more = true;
      }
    }

    /** True once a problem beyond the cap was seen: nothing further can be reported. */
    boolean full() {
      return more;
    }
  }

  /** What later checks (routes, ports, symbols) need to know about a core. */
  private static final class CoreFacts {
    final long neuronCount;
    /** Valid axon group ranges [start, end), sorted by start, not overlapping. */
    long[] starts = new long[0];
    long[] ends = new long[0];

    CoreFacts(long neuronCount) {
      this.neuronCount = neuronCount;
    }

    /** True when axons [first, first+count) lie entirely inside (adjacent) axon groups. */
    boolean covers(long first, long count) {
      long end = first + count;
      int i = Arrays.binarySearch(starts, first);
      if (i < 0) {
        i = -i - 2; // the group starting before `first`, if any
      }
      if (i < 0) {
        return false;
      }
      long reached = first;
      for (; i < starts.length && starts[i] <= reached; i++) {
        reached = Math.max(reached, ends[i]);
        if (reached >= end) {
          return true;
        }
      }
      return false;
    }
  }

  private static Problems check(ChipImage image, ChipSpec spec) {
    Problems p = new Problems();
    long chipCount = checkHeader(image, spec, p);
    Map<Long, CoreFacts> cores = new HashMap<>();
    Map<Long, Integer> firstIndex = new HashMap<>();
    long previous = 0;
    for (int ci = 0; ci < image.getCoresCount(); ci++) {
      Core core = image.getCores(ci);
      String where = where(core.getAddress());
      long key = key(core.getAddress());
      checkAddress(core.getAddress(), chipCount, spec, where, p);
      Integer earlier = firstIndex.putIfAbsent(key, ci);
      if (earlier != null) {
        p.add(where, "appears twice in the image (cores[" + earlier + "] and cores[" + ci + "])");
      } else if (ci > 0 && Long.compareUnsigned(key, previous) < 0) {
        p.add(where, "is listed after core " + addressText(previous)
            + ": cores must be sorted by (chip, core)");
      }
      if (ci == 0 || Long.compareUnsigned(key, previous) > 0) {
        previous = key;
      }
      CoreFacts facts = checkCore(image, core, spec, where, p);
      cores.putIfAbsent(key, facts);
    }
    for (Core core : image.getCoresList()) {
      checkRoutes(core, cores, spec, p);
    }
    checkPorts(image, cores, chipCount, spec, p);
    checkSymbols(image, cores, p);
    return p;
  }

  private static long checkHeader(ChipImage image, ChipSpec spec, Problems p) {
    if (!image.hasHeader()) {
      p.add("header", "missing (an image needs its format version, spec name and chip count)");
    }
    ImageHeader h = image.getHeader();
    if (h.getFormatVersion() != ChipImages.FORMAT_VERSION) {
      p.add("header", "format_version " + u(h.getFormatVersion()) + " is not supported (this Quench"
          + " reads version " + ChipImages.FORMAT_VERSION + ")");
    }
    if (!h.getSpecName().equals(spec.name())) {
      p.add("header", "the image was compiled for chip '" + h.getSpecName() + "', not '"
          + spec.name() + "': recompile for '" + spec.name() + "' or use a device of chip '"
          + h.getSpecName() + "'");
    } else if (!h.getSpecHash().isEmpty() && !h.getSpecHash().equals(spec.hash())) {
      p.add("header", "spec_hash " + h.getSpecHash() + " differs from chip '" + spec.name()
          + "' hash " + spec.hash() + ": the spec changed since the image was compiled; recompile");
    }
    long chips = u(h.getChipCount());
    if (chips < 1 || chips > spec.maxChips()) {
      p.add("header", "chip_count " + chips + " is outside 1.." + spec.maxChips()
          + " (maxChips of chip '" + spec.name() + "')");
    }
    return chips;
  }

  private static void checkAddress(CoreAddress a, long chipCount, ChipSpec spec, String where,
      Problems p) {
    if (u(a.getChip()) >= chipCount) {
      p.add(where, "chip " + u(a.getChip()) + " is outside the image's chip_count " + chipCount);
    }
    if (u(a.getCore()) >= spec.coresPerChip()) {
      p.add(where, "core index " + u(a.getCore()) + " exceeds the chip's " + spec.coresPerChip()
          + " cores per chip (0.." + (spec.coresPerChip() - 1) + ")");
    }
  }

  private static CoreFacts checkCore(ChipImage image, Core core, ChipSpec spec, String where,
      Problems p) {
    int decayRows = core.getDecayProfilesCount();
    int thresholdRows = core.getThresholdProfilesCount();
    if (decayRows > spec.decayProfilesPerCore()) {
      p.add(where, decayRows + " decay profiles exceed the chip's " + spec.decayProfilesPerCore()
          + " per core");
    }
    if (thresholdRows > spec.thresholdProfilesPerCore()) {
      p.add(where, thresholdRows + " threshold profiles exceed the chip's "
          + spec.thresholdProfilesPerCore() + " per core");
    }
    NeuronNames names = new NeuronNames(image, core.getAddress());
    for (int j = 0; j < decayRows && !p.full(); j++) {
      int row = j;
      checkDecay(core.getDecayProfiles(j), spec,
          () -> names.ofProfile(where + " decay profile " + row, core.getDecayIndexList(), row), p);
    }
    for (int j = 0; j < thresholdRows && !p.full(); j++) {
      int row = j;
      checkThreshold(core.getThresholdProfiles(j), spec,
          () -> names.ofProfile(where + " threshold profile " + row, core.getThresholdIndexList(), row),
          p);
    }
    long n = u(core.getNeuronCount());
    if (n > spec.neuronsPerCore()) {
      p.add(where, "neuron_count " + n + " exceeds the chip's " + spec.neuronsPerCore()
          + " neurons per core");
    }
    checkNeurons(core, names, spec, where, n, p);
    CoreFacts facts = new CoreFacts(n);
    checkAxonGroups(core, spec, where, n, facts, p);
    return facts;
  }

  private static void checkDecay(DecayProfile d, ChipSpec spec, Supplier<String> where,
      Problems p) {
    if (!spec.decayURange().contains(d.getDu())) {
      p.add(where, "du " + d.getDu() + " is outside " + spec.decayURange());
    }
    if (!spec.decayVRange().contains(d.getDv())) {
      p.add(where, "dv " + d.getDv() + " is outside " + spec.decayVRange());
    }
    if (!spec.refractoryRange().contains(u(d.getRefractory()))) {
      p.add(where, "refractory " + u(d.getRefractory()) + " is outside " + spec.refractoryRange()
          + " (maxRefractory)");
    }
    if (d.getResetMode() == ResetMode.UNRECOGNIZED) {
      p.add(where, "reset_mode " + d.getResetModeValue() + " is not a known reset mode");
    }
    long interval = u(d.getResetInterval());
    if (!ChipSpec.resetIntervalRange().contains(interval)) {
      p.add(where, "reset_interval " + interval + " is outside " + ChipSpec.resetIntervalRange());
    } else if (interval > 0 && !ChipSpec.resetOffsetRange(interval).contains(d.getResetOffset())) {
      p.add(where, "reset_offset " + d.getResetOffset() + " is outside "
          + ChipSpec.resetOffsetRange(interval) + " for reset_interval " + interval
          + " (use -1 for a layer that never resets)");
    }
  }

  private static void checkThreshold(ThresholdProfile t, ChipSpec spec, Supplier<String> where,
      Problems p) {
    ChipSpec.Range vth = spec.vthRange();
    if (!vth.contains(u(t.getVth()))) {
      p.add(where, "vth " + u(t.getVth()) + " is outside " + vth + " (" + spec.thresholdMantBits()
          + "-bit threshold mantissa; " + vth.max() + " means never fire)");
    }
    if (t.getKind() == NeuronKind.UNRECOGNIZED) {
      p.add(where, "kind " + t.getKindValue() + " is not a known neuron kind");
    }
    ChipSpec.Range lo = spec.vthLoRange();
    if (!lo.contains(t.getVthLo())) {
      p.add(where, "vth_lo " + t.getVthLo() + " does not fit signed "
          + (spec.thresholdMantBits() + 1) + " bits (" + lo + ")");
    }
  }

  private static void checkNeurons(Core core, NeuronNames names, ChipSpec spec, String where,
      long n, Problems p) {
    boolean decayOk = length(core.getDecayIndexCount(), n, false, "decay_index", where, p);
    boolean thresholdOk =
        length(core.getThresholdIndexCount(), n, false, "threshold_index", where, p);
    boolean biasOk = length(core.getBiasMantCount(), n, false, "bias_mant", where, p);
    boolean expOk = length(core.getBiasExpCount(), n, true, "bias_exp", where, p);
    boolean uOk = length(core.getUInitCount(), n, true, "u_init", where, p);
    boolean vOk = length(core.getVInitCount(), n, true, "v_init", where, p);
    int decayRows = core.getDecayProfilesCount();
    int thresholdRows = core.getThresholdProfilesCount();
    ChipSpec.Range bias = spec.biasMantRange();
    ChipSpec.Range biasExp = spec.biasExpRange();
    ChipSpec.Range current = spec.currentRange();
    ChipSpec.Range voltage = spec.voltageRange();
    if (decayOk) {
      for (int i = 0; i < core.getDecayIndexCount() && !p.full(); i++) {
        long row = u(core.getDecayIndex(i));
        if (row >= decayRows) {
          p.add(names.of(where, i), "decay_index " + row + " points past the " + decayRows
              + "-row decay profile table");
        }
      }
    }
    if (thresholdOk) {
      for (int i = 0; i < core.getThresholdIndexCount() && !p.full(); i++) {
        long row = u(core.getThresholdIndex(i));
        if (row >= thresholdRows) {
          p.add(names.of(where, i), "threshold_index " + row + " points past the "
              + thresholdRows + "-row threshold profile table");
        }
      }
    }
    if (biasOk) {
      for (int i = 0; i < core.getBiasMantCount() && !p.full(); i++) {
        int b = core.getBiasMant(i);
        if (!bias.contains(b)) {
          p.add(names.of(where, i), "bias_mant " + b + " does not fit signed "
              + spec.biasMantBits() + " bits (" + bias + ")");
        }
      }
    }
    if (expOk) {
      for (int i = 0; i < core.getBiasExpCount() && !p.full(); i++) {
        int e = core.getBiasExp(i);
        if (!biasExp.contains(e)) {
          p.add(names.of(where, i), "bias_exp " + e + " is outside " + biasExp);
        }
      }
    }
    // u lives in (-2^(s-1), 2^(s-1)] (Lava's wrap), v in [-(2^(s-1) - 1), 2^(s-1) - 1] (saturation).
    if (uOk) {
      for (int i = 0; i < core.getUInitCount() && !p.full(); i++) {
        int x = core.getUInit(i);
        if (!current.contains(x)) {
          p.add(names.of(where, i), "u_init " + x + " is outside the " + spec.stateBits()
              + "-bit current range " + current);
        }
      }
    }
    if (vOk) {
      for (int i = 0; i < core.getVInitCount() && !p.full(); i++) {
        int x = core.getVInit(i);
        if (!voltage.contains(x)) {
          p.add(names.of(where, i), "v_init " + x + " is outside the " + spec.stateBits()
              + "-bit voltage range " + voltage);
        }
      }
    }
  }

  /**
   * Names a neuron of one core for a problem sentence: "core (0,3) neuron 17 (population 'lif1'
   * neuron 40)" when the symbol table places a population there. Only asked on the error path,
   * so a scan of the symbols is cheap enough.
   */
  private static final class NeuronNames {
    private final ChipImage image;
    private final CoreAddress core;

    NeuronNames(ChipImage image, CoreAddress core) {
      this.image = image;
      this.core = core;
    }

    String of(String where, int neuron) {
      Placed at = at(neuron);
      if (at == null) {
        return where + " neuron " + neuron;
      }
      return where + " neuron " + neuron + " (population '" + at.symbol().getPopulation()
          + "' neuron " + (u(at.range().getOffset()) + neuron - u(at.range().getNeuronFirst())) + ")";
    }

    /**
     * Names a profile row by the populations whose neurons point at it (through {@code index},
     * the core's decay_index or threshold_index): "core (0,3) threshold profile 2 (used by
     * population 'lif1')". A compiled network's problem so points back at the population.
     */
    String ofProfile(String where, List<Integer> index, int row) {
      Set<String> users = new java.util.LinkedHashSet<>();
      for (int i = 0; i < index.size() && users.size() < 4; i++) {
        if (index.get(i) == row) {
          String population = populationOf(i);
          if (population != null) { // an unplaced neuron names no population; it takes no slot
            users.add(population);
          }
        }
      }
      if (users.isEmpty()) {
        return where;
      }
      return where + " (used by population" + (users.size() > 1 ? "s " : " ") + "'"
          + String.join("', '", users) + "')";
    }

    /** The population the symbol table places at {@code neuron} of this core, or null. */
    private String populationOf(int neuron) {
      Placed at = at(neuron);
      return at == null ? null : at.symbol().getPopulation();
    }

    /** The symbol and range that place {@code neuron} of this core, or null. */
    private Placed at(int neuron) {
      for (Symbol symbol : image.getSymbolsList()) {
        for (NeuronRange r : symbol.getRangesList()) {
          long first = u(r.getNeuronFirst());
          if (r.getCore().equals(core) && neuron >= first && neuron < first + u(r.getCount())) {
            return new Placed(symbol, r);
          }
        }
      }
      return null;
    }

    /** A symbol's range holding a neuron. */
    private record Placed(Symbol symbol, NeuronRange range) {}
  }

  private static boolean length(int actual, long expected, boolean mayBeEmpty, String field,
      String where, Problems p) {
    if (actual == expected || (mayBeEmpty && actual == 0)) {
      return true;
    }
    p.add(where, field + " has " + actual + " entries, expected " + expected + " (neuron_count)"
        + (mayBeEmpty ? " or none" : ""));
    return false;
  }

  private static void checkAxonGroups(Core core, ChipSpec spec, String where, long neurons,
      CoreFacts facts, Problems p) {
    int groups = core.getAxonGroupsCount();
    long[][] ranges = new long[groups][];
    int valid = 0;
    long memory = 0;
    StringBuilder perGroup = new StringBuilder();
    for (int g = 0; g < groups; g++) {
      AxonGroup group = core.getAxonGroups(g);
      String gw = where + " axon group " + groupName(group, g);
      long first = u(group.getAxonFirst());
      long count = u(group.getAxonCount());
      if (count == 0) {
        p.add(gw, "axon_count is 0 (a group spans at least one axon)");
      } else if (first + count > spec.inputAxonsPerCore()) {
        p.add(gw, "axons " + first + ".." + (first + count - 1) + " exceed the chip's "
            + spec.inputAxonsPerCore() + " input axons per core");
      } else {
        ranges[valid++] = new long[] {first, first + count, g};
      }
      long bytes = checkSynapses(group, spec, gw, neurons, p);
      memory += bytes;
      if (groups > 1 && perGroup.length() < 200) {
        perGroup.append(perGroup.length() == 0 ? "" : ", ").append(groupName(group, g))
            .append(' ').append(bytes);
      }
    }
    if (memory > spec.synapseMemoryBytesPerCore()) {
      p.add(where, "synapse memory " + memory + " bytes exceeds the "
          + spec.synapseMemoryBytesPerCore() + "-byte budget per core by "
          + (memory - spec.synapseMemoryBytesPerCore()) + " bytes"
          + (perGroup.length() > 0 ? " (per group: " + perGroup + ")" : "")
          + "; spread the projections over more cores");
    }
    long[][] sorted = Arrays.copyOf(ranges, valid);
    Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
    List<long[]> kept = new ArrayList<>();
    for (long[] r : sorted) {
      if (!kept.isEmpty() && r[0] < kept.get(kept.size() - 1)[1]) {
        long[] prev = kept.get(kept.size() - 1);
        p.add(where, "axon groups " + groupName(core.getAxonGroups((int) prev[2]), (int) prev[2])
            + " (axons " + prev[0] + ".." + (prev[1] - 1) + ") and "
            + groupName(core.getAxonGroups((int) r[2]), (int) r[2]) + " (axons " + r[0] + ".."
            + (r[1] - 1) + ") overlap");
        continue;
      }
      kept.add(r);
    }
    facts.starts = new long[kept.size()];
    facts.ends = new long[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      facts.starts[i] = kept.get(i)[0];
      facts.ends[i] = kept.get(i)[1];
    }
  }

  /** Checks one group's parameters and synapses; returns its synapse memory in bytes. */
  private static long checkSynapses(AxonGroup group, ChipSpec spec, String where, long neurons,
      Problems p) {
    int synapses = group.getTargetCount();
    long axons = u(group.getAxonCount());
    if (group.getKind() == ConnectionKind.UNRECOGNIZED) {
      p.add(where, "kind " + group.getKindValue() + " is not a known connection kind");
    }
    if (group.getSignMode() == SignMode.UNRECOGNIZED) {
      p.add(where, "sign_mode " + group.getSignModeValue() + " is not a known sign mode");
    }
    if (!spec.messageBitsRange().contains(u(group.getNumMessageBits()))) {
      p.add(where, "num_message_bits " + u(group.getNumMessageBits()) + " is outside "
          + spec.messageBitsRange() + " (maxMessageBits)");
    }
    if (group.getKind() == ConnectionKind.CONV) {
      if (group.getWeightExp() != 0) {
        p.add(where, "weight_exp " + group.getWeightExp()
            + " must be 0 for a CONV group (convolutions have no weight exponent)");
      }
    } else if (!spec.weightExpRange().contains(group.getWeightExp())) {
      p.add(where, "weight_exp " + group.getWeightExp() + " is outside " + spec.weightExpRange());
    }
    // Row pointers: axon_count + 1 offsets, from 0, never decreasing, ending at the synapse count.
    if (group.getRowPtrCount() != axons + 1) {
      p.add(where, "row_ptr has " + group.getRowPtrCount() + " entries, expected axon_count + 1 = "
          + (axons + 1));
    } else {
      long prev = 0;
      for (int r = 0; r < group.getRowPtrCount(); r++) {
        long at = u(group.getRowPtr(r));
        if ((r == 0 && at != 0) || at < prev) {
          p.add(where, "row_ptr[" + r + "] = " + at + (r == 0 ? " must be 0" : " is below row_ptr["
              + (r - 1) + "] = " + prev + " (row pointers never decrease)"));
          break;
        }
        prev = at;
      }
      long last = u(group.getRowPtr(group.getRowPtrCount() - 1));
      if (last != synapses) {
        p.add(where, "row_ptr ends at " + last + " but the group has " + synapses + " synapses");
      }
    }
    if (group.getWeightCount() != synapses) {
      p.add(where, "weight has " + group.getWeightCount() + " entries, target has " + synapses);
    }
    boolean delaysListed = group.getDelayCount() != 0;
    if (delaysListed && group.getDelayCount() != synapses) {
      p.add(where, "delay has " + group.getDelayCount() + " entries, expected " + synapses
          + " (one per synapse) or none");
      delaysListed = false;
    }
    for (int s = 0; s < synapses && !p.full(); s++) {
      long t = u(group.getTarget(s));
      if (t >= neurons) {
        p.add(where + " synapse " + s, "target " + t + " is not a neuron of this core (neuron_count "
            + neurons + ")");
      }
    }
    ChipSpec.Range weights = spec.weightInputRange();
    int lowest = 0;
    int highest = 0;
    if (group.getWeightCount() == synapses) {
      for (int s = 0; s < synapses; s++) {
        int w = group.getWeight(s);
        lowest = Math.min(lowest, w);
        highest = Math.max(highest, w);
        if (!weights.contains(w) && !p.full()) {
          p.add(where + " synapse " + s, "weight " + w + " does not fit signed "
              + spec.weightInputBits() + " bits (" + weights + ")");
        }
      }
    }
    boolean usesDelays = false;
    if (delaysListed) {
      for (int s = 0; s < synapses; s++) {
        long d = u(group.getDelay(s));
        usesDelays |= d != 0;
        if (!spec.delayRange().contains(d) && !p.full()) {
          p.add(where + " synapse " + s, "delay " + d + " is outside " + spec.delayRange()
              + " (maxDelay)");
        }
      }
    }
    long nwb = u(group.getNumWeightBits());
    SignMode mode = group.getSignMode() == SignMode.SIGN_MODE_AUTO
        ? WeightRules.signModeOf(lowest, highest) : group.getSignMode();
    ChipSpec.Range nwbRange = spec.numWeightBitsRange(
        mode == SignMode.UNRECOGNIZED ? SignMode.MIXED : mode);
    ChipSpec.Range mixedRange = spec.numWeightBitsRange(SignMode.MIXED);
    // CONV weights are plain integers: the chip keeps no weight bits count for them.
    if (group.getKind() != ConnectionKind.CONV && !nwbRange.contains(nwb)) {
      p.add(where, "num_weight_bits " + nwb + " is outside " + nwbRange + " for sign mode " + mode
          + (mixedRange.contains(nwb) ? " (" + nwb + " is only allowed for MIXED weights)"
              : mode == SignMode.MIXED ? "" : " (" + mixedRange + " for MIXED)"));
    }
    return spec.synapseBytes((int) Math.min(axons, Integer.MAX_VALUE), synapses,
        (int) Math.min(nwb, mixedRange.max()), usesDelays);
  }

  private static void checkRoutes(Core core, Map<Long, CoreFacts> cores, ChipSpec spec,
      Problems p) {
    String where = where(core.getAddress());
    long n = u(core.getNeuronCount());
    long outputAxons = 0;
    for (int r = 0; r < core.getRoutesCount() && !p.full(); r++) {
      Route route = core.getRoutes(r);
      String rw = where + " route " + r;
      long first = u(route.getNeuronFirst());
      long count = u(route.getNeuronCount());
      outputAxons += OutputAxons.of(route);
      if (count == 0) {
        p.add(rw, "neuron_count is 0 (a route carries at least one neuron)");
        continue;
      }
      if (first + count > n) {
        p.add(rw, "source neurons " + first + ".." + (first + count - 1)
            + " exceed the core's neuron_count " + n);
      }
      CoreFacts dest = cores.get(key(route.getDest()));
      long axon = u(route.getAxonFirst());
      if (!route.hasDest()) {
        p.add(rw, "has no destination core");
      } else if (dest == null) {
        p.add(rw, "destination " + where(route.getDest()) + " is not in the image");
      } else if (!dest.covers(axon, count)) {
        p.add(rw, "destination axons " + axon + ".." + (axon + count - 1) + " of "
            + where(route.getDest()) + " do not lie inside its axon groups");
      }
    }
    if (outputAxons > spec.outputAxonsPerCore()) {
      p.add(where, "routes use " + outputAxons + " output axons, the chip has "
          + spec.outputAxonsPerCore() + " per core (exceeded by "
          + (outputAxons - spec.outputAxonsPerCore()) + ")");
    }
  }

  private static void checkPorts(ChipImage image, Map<Long, CoreFacts> cores, long chipCount,
      ChipSpec spec, Problems p) {
    // Widths are sizes a device allocates per port index: bounded by what the image can feed
    // (every input axon its chips have) and what it holds (every neuron of its cores), before
    // anything is allocated.
    long inputAxons = Math.max(1, chipCount) * spec.coresPerChip() * (long) spec.inputAxonsPerCore();
    long neurons = 0;
    for (CoreFacts c : cores.values()) {
      neurons += c.neuronCount;
    }
    Set<String> inputNames = new HashSet<>();
    for (int i = 0; i < image.getInputsCount() && !p.full(); i++) {
      InputPort port = image.getInputs(i);
      String where = "input port " + portName(port.getName(), i);
      if (port.getName().isEmpty()) {
        p.add(where, "has no name");
      } else if (!inputNames.add(port.getName())) {
        p.add(where, "the name is used by another input port");
      }
      long width = u(port.getWidth());
      if (width == 0) {
        p.add(where, "width is 0");
      } else if (width > inputAxons) {
        p.add(where, "width " + width + " exceeds the " + inputAxons + " input axons of the image's "
            + Math.max(1, chipCount) + " chip(s) of spec '" + spec.name() + "'");
        continue;
      }
      for (int r = 0; r < port.getTargetsCount(); r++) {
        AxonRange range = port.getTargets(r);
        String rw = where + " target " + r;
        long first = u(range.getAxonFirst());
        long count = u(range.getCount());
        long offset = u(range.getPortOffset());
        if (count == 0) {
          p.add(rw, "count is 0");
          continue;
        }
        if (offset + count > width) {
          p.add(rw, "port indices " + offset + ".." + (offset + count - 1)
              + " exceed the port's width " + width);
        }
        CoreFacts core = cores.get(key(range.getCore()));
        if (core == null) {
          p.add(rw, where(range.getCore()) + " is not in the image");
        } else if (!core.covers(first, count)) {
          p.add(rw, "axons " + first + ".." + (first + count - 1) + " of " + where(range.getCore())
              + " do not lie inside its axon groups");
        }
      }
    }
    Set<String> outputNames = new HashSet<>();
    for (int i = 0; i < image.getOutputsCount() && !p.full(); i++) {
      OutputPort port = image.getOutputs(i);
      String where = "output port " + portName(port.getName(), i);
      if (port.getName().isEmpty()) {
        p.add(where, "has no name");
      } else if (!outputNames.add(port.getName())) {
        p.add(where, "the name is used by another output port");
      }
      long width = u(port.getWidth());
      if (width == 0) {
        p.add(where, "width is 0");
      } else if (width > neurons) {
        p.add(where, "width " + width + " exceeds the " + neurons + " neurons of the image's cores"
            + " (an output index is a neuron's spikes)");
        continue;
      }
      for (int r = 0; r < port.getSourcesCount(); r++) {
        NeuronRange range = port.getSources(r);
        String rw = where + " source " + r;
        if (checkNeuronRange(range, cores, rw, p) && u(range.getOffset()) + u(range.getCount())
            > width) {
          p.add(rw, "port indices " + u(range.getOffset()) + ".."
              + (u(range.getOffset()) + u(range.getCount()) - 1) + " exceed the port's width "
              + width);
        }
      }
    }
  }

  /** Checks core and neuron bounds of a range; returns false when it is unusable. */
  private static boolean checkNeuronRange(NeuronRange range, Map<Long, CoreFacts> cores,
      String where, Problems p) {
    long first = u(range.getNeuronFirst());
    long count = u(range.getCount());
    if (count == 0) {
      p.add(where, "count is 0");
      return false;
    }
    CoreFacts core = cores.get(key(range.getCore()));
    if (core == null) {
      p.add(where, where(range.getCore()) + " is not in the image");
      return false;
    }
    if (first + count > core.neuronCount) {
      p.add(where, "neurons " + first + ".." + (first + count - 1) + " exceed the neuron_count "
          + core.neuronCount + " of " + where(range.getCore()));
      return false;
    }
    return true;
  }

  private static void checkSymbols(ChipImage image, Map<Long, CoreFacts> cores, Problems p) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < image.getSymbolsCount() && !p.full(); i++) {
      Symbol symbol = image.getSymbols(i);
      String where = "symbol " + portName(symbol.getPopulation(), i);
      if (symbol.getPopulation().isEmpty()) {
        p.add(where, "has no population name");
      } else if (!names.add(symbol.getPopulation())) {
        p.add(where, "the population is listed twice in the symbol table");
      }
      long size = u(symbol.getSize());
      long[][] spans = new long[symbol.getRangesCount()][];
      int kept = 0;
      boolean usable = true;
      for (int r = 0; r < symbol.getRangesCount(); r++) {
        NeuronRange range = symbol.getRanges(r);
        if (checkNeuronRange(range, cores, where + " range " + r, p)) {
          spans[kept++] = new long[] {u(range.getOffset()), u(range.getOffset()) + u(range.getCount())};
        } else {
          usable = false;
        }
      }
      if (!usable) {
        continue;
      }
      // Population indices 0..size-1 must each live in exactly one range.
      Arrays.sort(spans, 0, kept, (a, b) -> Long.compare(a[0], b[0]));
      long reached = 0;
      boolean reported = false;
      for (int r = 0; r < kept && !reported; r++) {
        if (spans[r][0] > reached) {
          p.add(where, "population indices " + reached + ".." + (spans[r][0] - 1)
              + " are not placed on any core");
          reported = true;
        } else if (spans[r][0] < reached) {
          p.add(where, "population indices " + spans[r][0] + ".."
              + (Math.min(reached, spans[r][1]) - 1) + " are placed twice");
          reported = true;
        }
        reached = spans[r][1];
      }
      if (!reported && reached != size) {
        p.add(where, reached < size
            ? "population indices " + reached + ".." + (size - 1) + " are not placed on any core"
            : "ranges reach population index " + (reached - 1) + " but the size is " + size);
      }
    }
  }

  private static String groupName(AxonGroup group, int index) {
    return group.getName().isEmpty() ? "#" + index : "'" + group.getName() + "'";
  }

  private static String portName(String name, int index) {
    return name.isEmpty() ? "#" + index : "'" + name + "'";
  }

  static String where(CoreAddress a) {
    return "core (" + u(a.getChip()) + "," + u(a.getCore()) + ")";
  }

  private static String addressText(long key) {
    return "(" + (key >>> 32) + "," + (key & 0xffffffffL) + ")";
  }

  private static long key(CoreAddress a) {
    return (u(a.getChip()) << 32) | u(a.getCore());
  }

  private static long u(int value) {
    return Integer.toUnsignedLong(value);
  }
}
