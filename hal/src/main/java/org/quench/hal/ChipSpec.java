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

/**
 * A chip described as data: topology, per-core budgets and numeric widths (see chip_spec.proto for
 * every field and its unit). Built-in specs live under {@code org/quench/hal/specs/NAME.json};
 * users pass their own JSON file. A ChipSpec is always valid: loading checks every field and
 * rejects a bad file with the field and the reason.
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
          + ChipImages.firstLine(e));
    } catch (RuntimeException e) {
      throw new QuenchException("chip spec " + origin + " is not valid JSON: " + ChipImages.firstLine(e));
    }
    return new ChipSpec(b.build(), origin);
  }

  private static List<String> problems(ChipSpecData d) {
    List<String> p = new ArrayList<>();
    if (d.getName().isBlank()) {
      p.add("name: must not be empty");
    } else if (!d.getName().matches("[A-Za-z0-9_.-]+")) {
      p.add("name: '" + d.getName() + "' may only hold letters, digits, '_', '.', '-'");
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
