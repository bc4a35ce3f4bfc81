package org.quench.hal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.quench.hal.proto.ChipSpecData;
import org.quench.hal.proto.SignMode;

/**
 * A chip described as data: topology, per-core budgets and numeric widths (see chip_spec.proto for
 * every field and its unit). Built-in specs live under {@code org/quench/hal/specs/NAME.json};
 * users pass their own JSON file. A ChipSpec is always valid: loading checks every field and
 * rejects a bad file with the field and the reason.
 *
 * <p>Every range of a value the chip holds is read from here ({@link #vthRange()},
 * {@link #biasMantRange()}, {@link #weightInputRange()}, ...): the compiler quantizes into them,
 * {@link ImageValidator} judges images by them and the emulator sizes its arithmetic by them, so a
 * spec with other widths changes all three at once (docs/chip-semantics.md).
 */
public final class ChipSpec {
  /** Names of the built-in specs. */
  public static final List<String> BUILT_IN = List.of("loihi");

  private final ChipSpecData data;
  private final String hash;

  private ChipSpec(ChipSpecData data, String origin) {
    List<String> problems = problems(data);
    if (!problems.isEmpty()) {
      throw new QuenchException("chip spec " + origin + " is invalid: " + String.join("; ", problems));
    }
    this.data = data;
    this.hash = sha256(canonicalJson(data));
  }

  /** Wraps already-parsed data, validating it. */
  public static ChipSpec of(ChipSpecData data) {
    return new ChipSpec(data, "'" + data.getName() + "'");
  }

  /** The default chip: the Loihi-class numbers of docs/chip-semantics.md#state-and-widths. */
  public static ChipSpec loihi() {
    return builtIn("loihi");
  }

  /** A built-in spec by name, or a JSON file by path (anything containing '/' or ending .json). */
  public static ChipSpec resolve(String nameOrPath) {
    if (BUILT_IN.contains(nameOrPath)) {
      return builtIn(nameOrPath);
    }
    if (nameOrPath.contains("/") || nameOrPath.endsWith(".json")) {
      return load(Path.of(nameOrPath));
    }
    throw new QuenchException("unknown chip '" + nameOrPath + "': built-in specs are " + BUILT_IN
        + ", or give the path of a spec JSON file");
  }

  public static ChipSpec builtIn(String name) {
    String resource = "specs/" + name + ".json";
    try (InputStream in = ChipSpec.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new QuenchException("unknown built-in chip spec '" + name + "': have " + BUILT_IN);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in '" + name + "'");
    } catch (IOException e) {
      throw new QuenchException("cannot read built-in chip spec '" + name + "': " + e.getMessage(), e);
    }
  }

  /** Loads a user spec file (protobuf JSON mapping of ChipSpecData; unknown fields refused). */
  public static ChipSpec load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new QuenchException("chip spec file " + file + " does not exist");
    } catch (IOException e) {
      throw new QuenchException("cannot read chip spec file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /** Parses spec JSON; {@code origin} names the source in error messages. */
  public static ChipSpec parse(String json, String origin) {
    ChipSpecData.Builder b = ChipSpecData.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException("chip spec " + origin + " is not valid spec JSON: "
          + MessageText.firstLine(e));
    } catch (RuntimeException e) {
      throw new QuenchException("chip spec " + origin + " is not valid JSON: " + MessageText.firstLine(e));
    }
    return new ChipSpec(b.build(), origin);
  }

  private static List<String> problems(ChipSpecData d) {
    List<String> p = new ArrayList<>();
    if (d.getName().isBlank()) {
      p.add("name: must not be empty");
    } else if (!d.getName().matches("[A-Za-z0-9_.-]+")) {
      p.add("name: '" + MessageText.shown(d.getName()) + "' may only hold letters, digits, '_', '.', '-'");
    }
    positive(p, "coresPerChip", d.getCoresPerChip(), 1 << 16);
    positive(p, "maxChips", d.getMaxChips(), 1 << 16);
    positive(p, "neuronsPerCore", d.getNeuronsPerCore(), 1 << 20);
    positive(p, "decayProfilesPerCore", d.getDecayProfilesPerCore(), 1 << 20);
    positive(p, "thresholdProfilesPerCore", d.getThresholdProfilesPerCore(), 1 << 20);
    positive(p, "inputAxonsPerCore", d.getInputAxonsPerCore(), 1 << 24);
    positive(p, "outputAxonsPerCore", d.getOutputAxonsPerCore(), 1 << 24);
    positive(p, "synapseMemoryBytesPerCore", d.getSynapseMemoryBytesPerCore(), 1 << 30);
    range(p, "stateBits", d.getStateBits(), 2, 30);
    range(p, "decayBits", d.getDecayBits(), 1, 16);
    range(p, "thresholdMantBits", d.getThresholdMantBits(), 1, 24);
    range(p, "thresholdShift", d.getThresholdShift(), 0, 16);
    range(p, "biasMantBits", d.getBiasMantBits(), 2, 24);
    range(p, "activationShift", d.getActivationShift(), 0, 16);
    range(p, "weightMantBits", d.getWeightMantBits(), 1, 16);
    range(p, "maxDelay", d.getMaxDelay(), 0, 1023);
    range(p, "maxMessageBits", d.getMaxMessageBits(), 0, 31);
    range(p, "maxRefractory", d.getMaxRefractory(), 0, 1 << 16);
    range(p, "delayBits", d.getDelayBits(), 0, 16);
    range(p, "rowBits", d.getRowBits(), 0, 1024);
    range(p, "weightInputBits", d.getWeightInputBits(), d.getWeightMantBits() + 1, 31);
    if (d.getBiasExpMin() > d.getBiasExpMax()) {
      p.add("biasExpMin (" + d.getBiasExpMin() + ") exceeds biasExpMax (" + d.getBiasExpMax() + ")");
    }
    if (d.getBiasExpMin() < -24 || d.getBiasExpMax() > 24) {
      p.add("biasExp range must lie within -24..24");
    }
    if (d.getWeightExpMin() > d.getWeightExpMax()) {
      p.add("weightExpMin (" + d.getWeightExpMin() + ") exceeds weightExpMax (" + d.getWeightExpMax() + ")");
    }
    if (d.getWeightExpMin() < -24 || d.getWeightExpMax() > 24) {
      p.add("weightExp range must lie within -24..24");
    }
    if (d.getMaxDelay() > 0 && d.getDelayBits() > 0 && d.getMaxDelay() >= (1L << d.getDelayBits())) {
      p.add("maxDelay " + d.getMaxDelay() + " does not fit delayBits " + d.getDelayBits());
    }
    if (d.getThresholdMantBits() + d.getThresholdShift() > d.getStateBits() + 1) {
      p.add("thresholdMantBits + thresholdShift (" + (d.getThresholdMantBits() + d.getThresholdShift())
          + ") exceed stateBits + 1 (" + (d.getStateBits() + 1) + ")");
    }
    return p;
  }

  private static void positive(List<String> p, String field, int value, int max) {
    range(p, field, value, 1, max);
  }

  private static void range(List<String> p, String field, int value, int min, int max) {
    // proto3 uint32 arrives as a Java int; values above 2^31 show as negative.
    long v = Integer.toUnsignedLong(value);
    if (v < min || v > max) {
      p.add(field + ": " + v + " is outside " + min + ".." + max
          + (v == 0 ? " (missing from the file?)" : ""));
    }
  }

  static String canonicalJson(ChipSpecData data) {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String text) {
    return ChipImages.sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The raw data (for serialization and for fields without an accessor here). */
  public ChipSpecData data() {
    return data;
  }

  /** Canonical JSON of this spec: what {@link #hash()} is computed over. */
  public String toJson() {
    return canonicalJson(data);
  }

  /** Lower-case hex SHA-256 of the canonical JSON. */
  public String hash() {
    return hash;
  }

  public String name() {
    return data.getName();
  }

  public int coresPerChip() {
    return data.getCoresPerChip();
  }

  public int maxChips() {
    return data.getMaxChips();
  }

  public int neuronsPerCore() {
    return data.getNeuronsPerCore();
  }

  public int decayProfilesPerCore() {
    return data.getDecayProfilesPerCore();
  }

  public int thresholdProfilesPerCore() {
    return data.getThresholdProfilesPerCore();
  }

  public int inputAxonsPerCore() {
    return data.getInputAxonsPerCore();
  }

  public int outputAxonsPerCore() {
    return data.getOutputAxonsPerCore();
  }

  public int synapseMemoryBytesPerCore() {
    return data.getSynapseMemoryBytesPerCore();
  }

  public int stateBits() {
    return data.getStateBits();
  }

  public int decayBits() {
    return data.getDecayBits();
  }

  /** Decay unity (1 << decayBits): 4096 on Loihi. */
  public int decayUnity() {
    return 1 << data.getDecayBits();
  }

  public int thresholdMantBits() {
    return data.getThresholdMantBits();
  }

  public int thresholdShift() {
    return data.getThresholdShift();
  }

  public int biasMantBits() {
    return data.getBiasMantBits();
  }

  public int biasExpMin() {
    return data.getBiasExpMin();
  }

  public int biasExpMax() {
    return data.getBiasExpMax();
  }

  public int activationShift() {
    return data.getActivationShift();
  }

  public int maxRefractory() {
    return data.getMaxRefractory();
  }

  public int weightMantBits() {
    return data.getWeightMantBits();
  }

  public int weightExpMin() {
    return data.getWeightExpMin();
  }

  public int weightExpMax() {
    return data.getWeightExpMax();
  }

  public int maxDelay() {
    return data.getMaxDelay();
  }

  public int maxMessageBits() {
    return data.getMaxMessageBits();
  }

  public int delayBits() {
    return data.getDelayBits();
  }

  public int rowBits() {
    return data.getRowBits();
  }

  public int weightInputBits() {
    return data.getWeightInputBits();
  }

  /**
   * An inclusive range of integers a chip field may hold.
   *
   * @param min the smallest allowed value
   * @param max the largest allowed value (never below {@code min})
   */
  public record Range(int min, int max) {
    /** Checks {@code min <= max}. */
    public Range {
      if (min > max) {
        throw new IllegalArgumentException("empty range " + min + ".." + max);
      }
    }

    /** True when {@code value} lies in {@code min..max}. */
    public boolean contains(long value) {
      return value >= min && value <= max;
    }

    /** The nearest value inside the range. */
    public int clamp(long value) {
      return (int) Math.max(min, Math.min(max, value));
    }

    /** "min..max", the form error messages use. */
    @Override
    public String toString() {
      return min + ".." + max;
    }
  }

  /** A signed two's-complement field of {@code bits} bits: -2^(bits-1) .. 2^(bits-1) - 1. */
  static Range signedBits(int bits) {
    return new Range(-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
  }

  /**
   * Current decay {@code du}: -1 (no decay, the core multiplies by unity) .. decayUnity - 1
   * (the core decays u by du + 1 parts of decayUnity).
   */
  public Range decayURange() {
    return new Range(-1, decayUnity() - 1);
  }

  /** Voltage decay {@code dv}: 0 (none) .. decayUnity (v keeps nothing of the last step). */
  public Range decayVRange() {
    return new Range(0, decayUnity());
  }

  /**
   * Threshold mantissa {@code vth}: 0 .. 2^thresholdMantBits. The effective threshold is
   * {@code vth << thresholdShift}. The top value 2^thresholdMantBits is one beyond the mantissa's
   * bits on purpose: lava-dl's netx gives a layer without a neuron group that threshold and Lava's
   * own tests use it; shifted (2^23 on Loihi) it lies above the largest voltage
   * ({@link #voltageRange()}), so such a neuron never fires. Any larger value would mean the same,
   * so none is allowed.
   */
  public Range vthRange() {
    return new Range(0, 1 << thresholdMantBits());
  }

  /** Lower threshold mantissa {@code vth_lo} of a ternary neuron: signed, thresholdMantBits + 1 bits. */
  public Range vthLoRange() {
    return signedBits(thresholdMantBits() + 1);
  }

  /** Bias mantissa {@code bias_mant}: signed, biasMantBits bits (-4096..4095 on Loihi). */
  public Range biasMantRange() {
    return signedBits(biasMantBits());
  }

  /** Bias exponent {@code bias_exp}: biasExpMin..biasExpMax (negative: floor right shift). */
  public Range biasExpRange() {
    return new Range(biasExpMin(), biasExpMax());
  }

  /** Refractory period in steps: 0..maxRefractory. */
  public Range refractoryRange() {
    return new Range(0, maxRefractory());
  }

  /**
   * Synaptic current {@code u}: -(2^(stateBits-1)) exclusive .. 2^(stateBits-1) inclusive, i.e.
   * {@code 1 - 2^(s-1) .. 2^(s-1)}: Lava's wrap keeps u in (-2^23, 2^23] on Loihi.
   */
  public Range currentRange() {
    int half = 1 << (stateBits() - 1);
    return new Range(1 - half, half);
  }

  /** Membrane voltage {@code v}: saturated to +-(2^(stateBits-1) - 1). */
  public Range voltageRange() {
    int top = (1 << (stateBits() - 1)) - 1;
    return new Range(-top, top);
  }

  /** The integer a weight field of an image may hold: signed, weightInputBits bits. */
  public Range weightInputRange() {
    return signedBits(weightInputBits());
  }

  /**
   * What the core's clip leaves of a weight in {@code mode} (resolved, not AUTO), with
   * weightMantBits magnitude bits: MIXED -2^b..2^b-1, EXCITATORY 0..2^b-1, INHIBITORY -(2^b-1)..0.
   */
  public Range weightMantRange(SignMode mode) {
    return WeightRules.clipRange(mode, weightMantBits());
  }

  /**
   * {@code num_weight_bits} of a connection in {@code mode} (resolved): 0..weightMantBits, and
   * one more for MIXED (lava-dl's "no bit dropped").
   */
  public Range numWeightBitsRange(SignMode mode) {
    return new Range(0, weightMantBits() + (mode == SignMode.MIXED ? 1 : 0));
  }

  /** Exponent {@code weight_exp} of a dense connection: weightExpMin..weightExpMax. */
  public Range weightExpRange() {
    return new Range(weightExpMin(), weightExpMax());
  }

  /**
   * Periodic reset interval of a decay profile in steps: 0 (never) .. 2^31 - 1. The same on every
   * chip: a step count, not a register of the spec.
   */
  public static Range resetIntervalRange() {
    return new Range(0, Integer.MAX_VALUE);
  }

  /**
   * Periodic reset offset of a decay profile whose {@code reset_interval} is {@code interval}
   * (at least 1): -1 (never resets, netx's input layer) .. interval - 1. With interval 0 the
   * offset is not used. The same on every chip (docs/chip-semantics.md#periodic-reset).
   *
   * @throws IllegalArgumentException when {@code interval} is below 1 or above 2^31 - 1
   */
  public static Range resetOffsetRange(long interval) {
    if (interval < 1 || interval > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("reset interval " + interval + " has no offsets");
    }
    return new Range(-1, (int) (interval - 1));
  }

  /**
   * The fields that give a chip's integers their meaning (widths, shifts, decay unity), as
   * "field value (other: value)" for each one where this spec differs from {@code other}; empty
   * when both compute alike. Budgets (cores, neurons, profiles, axons, synapse memory) and the
   * bounds of ranges (bias and weight exponents, delays, message bits, weight input width) are not
   * compared: a value outside a narrower range is refused value by value when an image is checked.
   */
  public List<String> arithmeticDifferences(ChipSpec other) {
    List<String> d = new ArrayList<>();
    differs(d, "stateBits", stateBits(), other.stateBits(), other);
    differs(d, "decayBits", decayBits(), other.decayBits(), other);
    differs(d, "thresholdMantBits", thresholdMantBits(), other.thresholdMantBits(), other);
    differs(d, "thresholdShift", thresholdShift(), other.thresholdShift(), other);
    differs(d, "activationShift", activationShift(), other.activationShift(), other);
    differs(d, "weightMantBits", weightMantBits(), other.weightMantBits(), other);
    return d;
  }

  private static void differs(List<String> d, String field, int mine, int theirs, ChipSpec other) {
    if (mine != theirs) {
      d.add(field + " " + mine + " (" + other.name() + ": " + theirs + ")");
    }
  }

  /** Synaptic delay in steps: 0..maxDelay. */
  public Range delayRange() {
    return new Range(0, maxDelay());
  }

  /** Graded-spike payload width {@code num_message_bits}: 0 (binary) .. maxMessageBits. */
  public Range messageBitsRange() {
    return new Range(0, maxMessageBits());
  }

  /**
   * The payload a host event may carry into a group with {@code numMessageBits}: binary groups
   * take -1..1 (any non-zero value is a spike), graded groups a signed numMessageBits-bit integer.
   */
  public static Range payloadRange(int numMessageBits) {
    return numMessageBits == 0 ? new Range(-1, 1) : signedBits(numMessageBits);
  }

  /** Bits to index a neuron within a core: ceil(log2(neuronsPerCore)), at least 1. */
  public int neuronIndexBits() {
    return Math.max(1, 32 - Integer.numberOfLeadingZeros(neuronsPerCore() - 1));
  }

  /**
   * Synapse memory cost of one axon group in bytes, rounded up: rows cost rowBits each, synapses
   * neuronIndexBits + numWeightBits (+ delayBits if any delay is non-zero).
   */
  public long synapseBytes(int axonRows, long synapses, int numWeightBits, boolean usesDelays) {
    long bits = (long) axonRows * rowBits()
        + synapses * (neuronIndexBits() + Math.max(numWeightBits, 0) + (usesDelays ? delayBits() : 0));
    return (bits + 7) / 8;
  }

  @Override
  public String toString() {
    return "ChipSpec[" + name() + ", " + coresPerChip() + " cores x " + neuronsPerCore() + " neurons]";
  }
}
