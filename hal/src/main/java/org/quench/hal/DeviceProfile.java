package org.quench.hal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.quench.hal.proto.DeviceProfileData;
import org.quench.hal.proto.Distribution;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.Spread;
import org.quench.hal.proto.VariabilityModelData;

/**
 * A physical chip instance's deviation from its nominal spec: what makes chip 7 differ from chip 8.
 * Either generated, a pure function of (variability model, serial) realized on demand per core
 * with counter-based hashing, or measured by a calibration (per-neuron factors of the cores it
 * covered). The nominal profile has no deviations; so has serial {@code 0} of any model.
 *
 * <p>File forms (docs/variability.md): binary, the 4 magic bytes {@code "QPRF"}, a u16 format
 * version ({@value #FORMAT_VERSION}), u16 flags (0), then the {@code DeviceProfileData} protobuf;
 * or its JSON form (a file whose first non-blank character is '{'). Immutable.
 */
public final class DeviceProfile {
  /** The profile file format this code reads and writes. */
  public static final int FORMAT_VERSION = 1;

  private static final byte[] MAGIC = {'Q', 'P', 'R', 'F'};
  // Draw kinds: part of every hash key, so no two kinds of draw share a random number.
  private static final int CHIP_LEVEL = 1;
  private static final int CORE_LEVEL = 2;
  private static final int NEURON_LEVEL = 3;
  private static final int SYNAPSE_LEVEL = 4;
  private static final int DEAD = 5;
  private static final int HOT = 6;
  private static final int STUCK = 7;
  private static final int NOISE = 8;

  private final DeviceProfileData data;
  private final VariabilityModel model;
  private final Map<Long, MeasuredCore> measured;
  private final long serialKey;

  private DeviceProfile(DeviceProfileData data, String origin) {
    if (data.getFormatVersion() != FORMAT_VERSION) {
      throw new QuenchException("device profile " + origin + ": format_version "
          + Integer.toUnsignedString(data.getFormatVersion()) + " is not supported (this Quench reads "
          + FORMAT_VERSION + ")");
    }
    if (!data.getSerial().matches("[A-Za-z0-9_.-]+")) {
      throw new QuenchException("device profile " + origin + ": serial: '" + MessageText.shown(data.getSerial())
          + "' must be letters, digits, '_', '.' or '-'");
    }
    this.data = data;
    this.serialKey = CounterHash.ofText(data.getSerial());
    if (data.hasGenerated()) {
      model = VariabilityModel.of(data.getGenerated(), origin + " (generated)");
      measured = Map.of();
    } else if (data.hasMeasured()) {
      model = null;
      measured = new HashMap<>();
      List<MeasuredCore> cores = data.getMeasured().getCoresList();
      for (int k = 0; k < cores.size(); k++) {
        MeasuredCore c = cores.get(k);
        checkMeasured(c, origin + ": measured.cores[" + k + "]");
        if (measured.put(key(c.getAddress().getChip(), c.getAddress().getCore()), c) != null) {
          throw new QuenchException("device profile " + origin + ": measured.cores[" + k + "]: core ("
              + c.getAddress().getChip() + "," + c.getAddress().getCore() + ") appears twice");
        }
      }
    } else {
      throw new QuenchException("device profile " + origin
          + ": has neither 'generated' (a variability model) nor 'measured' data");
    }
  }

  private static void checkMeasured(MeasuredCore c, String where) {
    int n = c.getNeuronCount();
    if (n < 0 || n > (1 << 24)) {
      throw new QuenchException("device profile " + where + ": neuronCount "
          + Integer.toUnsignedString(n) + " is out of range");
    }
    String[] names = {"currentDecay", "voltageDecay", "threshold", "bias", "weight"};
    List<List<Double>> arrays = List.of(c.getCurrentDecayList(), c.getVoltageDecayList(),
        c.getThresholdList(), c.getBiasList(), c.getWeightList());
    for (int a = 0; a < names.length; a++) {
      List<Double> values = arrays.get(a);
      if (!values.isEmpty() && values.size() != n) {
        throw new QuenchException("device profile " + where + ": " + names[a] + " has "
            + values.size() + " values for " + n + " neurons (give one per neuron or none)");
      }
      for (int i = 0; i < values.size(); i++) {
        double v = values.get(i);
        if (!Double.isFinite(v) || v < 0 || v > 16) {
          throw new QuenchException("device profile " + where + ": " + names[a] + "[" + i + "] = " + v
              + " is not a factor in 0..16");
        }
      }
    }
    if (c.getDeadCount() != 0 && c.getDeadCount() != n) {
      throw new QuenchException("device profile " + where + ": dead has " + c.getDeadCount()
          + " flags for " + n + " neurons");
    }
    if (c.getHotCount() != 0 && c.getHotCount() != n) {
      throw new QuenchException("device profile " + where + ": hot has " + c.getHotCount()
          + " flags for " + n + " neurons");
    }
  }

  private static long key(int chip, int core) {
    return ((long) chip << 32) | (core & 0xFFFFFFFFL);
  }

  /** The profile of an ideal chip that computes exactly the spec's arithmetic. */
  public static DeviceProfile nominal(String serial) {
    return generated(VariabilityModel.preset("ideal"), serial);
  }

  /** Chip {@code serial} of the population {@code model} (serial "0" is nominal). */
  public static DeviceProfile generated(VariabilityModel model, String serial) {
    return of(DeviceProfileData.newBuilder().setFormatVersion(FORMAT_VERSION).setSerial(serial)
        .setDescription("chip " + serial + " of variability model '" + model.name() + "'")
        .setGenerated(model.data()).build(), "for serial " + serial);
  }

  /** Measured per-neuron factors, as a calibration writes them. */
  public static DeviceProfile measured(String serial, String specName, MeasuredProfile measured,
      String description) {
    return of(DeviceProfileData.newBuilder().setFormatVersion(FORMAT_VERSION).setSerial(serial)
        .setSpecName(specName).setDescription(description).setMeasured(measured).build(),
        "measured for serial " + serial);
  }

  /** Wraps data after checking it; {@code origin} names it in errors. */
  public static DeviceProfile of(DeviceProfileData data, String origin) {
    return new DeviceProfile(data, origin);
  }

  public String serial() {
    return data.getSerial();
  }

  /** The variability model's name, {@code measured} for a calibration, {@code nominal} if ideal. */
  public String model() {
    if (isNominal()) {
      return "nominal";
    }
    return model != null ? (model.name().isEmpty() ? "custom" : model.name()) : "measured";
  }

  /** One line a person can read. */
  public String description() {
    if (isNominal()) {
      return "ideal chip: no device variability";
    }
    return data.getDescription();
  }

  /** True when no parameter of any neuron deviates. */
  public boolean isNominal() {
    if (model != null) {
      return model.isIdeal() || "0".equals(data.getSerial());
    }
    return false;
  }

  /** True for a profile a calibration measured. */
  public boolean isMeasured() {
    return data.hasMeasured();
  }

  /** The generating model, or null for a measured profile. */
  public VariabilityModel variabilityModel() {
    return model;
  }

  public DeviceProfileData data() {
    return data;
  }

  /**
   * Whether the profile knows core (chip, core): always for a generated one; for a measured one,
   * whether the calibration covered it.
   */
  public boolean covers(int chip, int core) {
    return model != null || measured.containsKey(key(chip, core));
  }

  /** Stated relative resolution per parameter key of a measured profile (empty otherwise). */
  public Map<String, Double> resolution() {
    return isMeasured() ? data.getMeasured().getResolutionMap() : Map.of();
  }

  /**
   * The realized deviations of core (chip, core)'s first {@code neurons} neurons. A generated
   * profile draws them now (cost linear in {@code neurons}; synapses are drawn when asked); a core
   * a measured profile did not cover is nominal.
   */
  public CoreDeviations core(int chip, int core, int neurons) {
    if (isNominal()) {
      return CoreDeviations.nominal(chip, core, neurons);
    }
    if (model == null) {
      MeasuredCore m = measured.get(key(chip, core));
      return m == null ? CoreDeviations.nominal(chip, core, neurons) : realizeMeasured(m, neurons);
    }
    return realizeGenerated(chip, core, neurons);
  }

  private CoreDeviations realizeMeasured(MeasuredCore m, int neurons) {
    int k = Math.min(neurons, m.getNeuronCount());
    int[][] gains = new int[DeviceParameter.values().length][];
    List<List<Double>> arrays = List.of(m.getCurrentDecayList(), m.getVoltageDecayList(),
        m.getThresholdList(), m.getBiasList(), m.getWeightList());
    for (DeviceParameter p : DeviceParameter.values()) {
      List<Double> values = arrays.get(p.ordinal());
      if (values.isEmpty()) {
        continue;
      }
      int[] g = new int[neurons];
      Arrays.fill(g, ParameterDeviation.ONE);
      for (int i = 0; i < k; i++) {
        g[i] = ParameterDeviation.gain(values.get(i));
      }
      gains[p.ordinal()] = g;
    }
    boolean[] dead = flags(m.getDeadList(), neurons);
    boolean[] hot = flags(m.getHotList(), neurons);
    return new CoreDeviations(m.getAddress().getChip(), m.getAddress().getCore(), neurons, gains,
        dead, hot, null, 0, 0, true);
  }

  private static boolean[] flags(List<Boolean> list, int neurons) {
    boolean any = false;
    boolean[] f = new boolean[neurons];
    for (int i = 0; i < Math.min(neurons, list.size()); i++) {
      f[i] = list.get(i);
      any |= f[i];
    }
    return any ? f : null;
  }

  private CoreDeviations realizeGenerated(int chip, int core, int neurons) {
    VariabilityModelData d = model.data();
    long seed = Integer.toUnsignedLong(d.getSeed());
    int[][] gains = new int[DeviceParameter.values().length][];
    for (DeviceParameter p : DeviceParameter.values()) {
      Spread s = model.spread(p);
      if (s.getChip() == 0 && s.getCore() == 0 && s.getNeuron() == 0) {
        continue;
      }
      Distribution dist = model.distribution(p);
      int pk = p.ordinal();
      double upper = CoreDeviations.factor(dist, s.getChip(),
          CounterHash.hash(seed, serialKey, CHIP_LEVEL, pk, chip))
          * CoreDeviations.factor(dist, s.getCore(),
          CounterHash.hash(seed, serialKey, CORE_LEVEL, pk, chip, core));
      int[] g = new int[neurons];
      for (int i = 0; i < neurons; i++) {
        double f = upper * CoreDeviations.factor(dist, s.getNeuron(),
            CounterHash.hash(seed, serialKey, NEURON_LEVEL, pk, chip, core, i));
        g[i] = ParameterDeviation.gain(f);
      }
      gains[pk] = g;
    }
    double deadRate = d.getFaults().getDeadNeuron();
    double hotRate = d.getFaults().getHotNeuron();
    boolean[] dead = null;
    boolean[] hot = null;
    if (deadRate > 0 || hotRate > 0) {
      dead = new boolean[neurons];
      hot = new boolean[neurons];
      boolean anyDead = false;
      boolean anyHot = false;
      for (int i = 0; i < neurons; i++) {
        dead[i] = deadRate > 0
            && CounterHash.uniform(CounterHash.hash(seed, serialKey, DEAD, chip, core, i)) < deadRate;
        hot[i] = !dead[i] && hotRate > 0
            && CounterHash.uniform(CounterHash.hash(seed, serialKey, HOT, chip, core, i)) < hotRate;
        anyDead |= dead[i];
        anyHot |= hot[i];
      }
      dead = anyDead ? dead : null;
      hot = anyHot ? hot : null;
    }
    Spread w = model.spread(DeviceParameter.WEIGHT);
    double stuckRate = d.getFaults().getStuckOffSynapse();
    CoreDeviations.SynapseDraw synapses = null;
    if (w.getSynapse() > 0 || stuckRate > 0) {
      // One hash per synapse from a per-core base key, and a table of quantiles for its factor:
      // realizing a chip costs little more than copying its synapses (QuantileGains).
      double sigma = w.getSynapse();
      int[] table = sigma > 0 ? QuantileGains.of(model.distribution(DeviceParameter.WEIGHT), sigma) : null;
      long gainBase = CounterHash.hash(seed, serialKey, SYNAPSE_LEVEL, chip, core);
      long stuckBase = CounterHash.hash(seed, serialKey, STUCK, chip, core);
      synapses = new CoreDeviations.SynapseDraw() {
        @Override
        public int gain(int axon, int neuron) {
          return table == null ? ParameterDeviation.ONE
              : QuantileGains.draw(table, CounterHash.mix(gainBase + synapseKey(axon, neuron)));
        }

        @Override
        public boolean stuckOff(int axon, int neuron) {
          return stuckRate > 0
              && CounterHash.uniform(CounterHash.mix(stuckBase + synapseKey(axon, neuron))) < stuckRate;
        }
      };
    }
    double noise = d.getNoise().getVSigma();
    long noiseKey = CounterHash.hash(seed, serialKey, NOISE, chip, core);
    return new CoreDeviations(chip, core, neurons, gains, dead, hot, synapses, noise, noiseKey, false);
  }

  /** A synapse's coordinates as one word, spread by the golden ratio before mixing. */
  private static long synapseKey(int axon, int neuron) {
    return 0x9E3779B97F4A7C15L * ((Integer.toUnsignedLong(axon) << 32) | Integer.toUnsignedLong(neuron));
  }

  // ---- file forms ----

  /** The binary form: magic, version, flags, deterministic protobuf. */
  public byte[] toBytes() {
    byte[] payload;
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      com.google.protobuf.CodedOutputStream out = com.google.protobuf.CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization();
      data.writeTo(out);
      out.flush();
      payload = bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
    b.put(MAGIC).putShort((short) FORMAT_VERSION).putShort((short) 0).put(payload);
    return b.array();
  }

  /** The JSON form (every field printed). */
  public String toJson() {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the binary form, or the JSON form when the file name ends in {@code .json}. */
  public void write(Path file) {
    try {
      if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")) {
        Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
      } else {
        Files.write(file, toBytes());
      }
    } catch (IOException e) {
      throw new QuenchException("cannot write device profile " + file + ": " + e.getMessage());
    }
  }

  /** Reads either file form. */
  public static DeviceProfile read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new QuenchException("device profile " + file + " does not exist (make one with quench calibrate)");
    } catch (IOException e) {
      throw new QuenchException("cannot read device profile " + file + ": " + e.getMessage());
    }
    return parse(bytes, file.toString());
  }

  /** Parses either file form; {@code origin} names the source in errors. */
  public static DeviceProfile parse(byte[] bytes, String origin) {
    int first = 0;
    while (first < bytes.length && Character.isWhitespace(bytes[first])) {
      first++;
    }
    if (first < bytes.length && bytes[first] == '{') {
      DeviceProfileData.Builder b = DeviceProfileData.newBuilder();
      try {
        JsonFormat.parser().merge(new String(bytes, StandardCharsets.UTF_8), b);
      } catch (InvalidProtocolBufferException e) {
        throw new QuenchException("device profile " + origin + " is not valid profile JSON: "
            + MessageText.firstLine(e));
      } catch (RuntimeException e) {
        throw new QuenchException("device profile " + origin + " is not valid JSON: "
            + MessageText.firstLine(e));
      }
      return of(b.build(), origin);
    }
    if (bytes.length < 8 || !Arrays.equals(Arrays.copyOf(bytes, 4), MAGIC)) {
      throw new QuenchException("device profile " + origin
          + " is neither a Quench profile (no QPRF header) nor profile JSON");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.position(4);
    int version = Short.toUnsignedInt(b.getShort());
    int flags = Short.toUnsignedInt(b.getShort());
    if (version != FORMAT_VERSION || flags != 0) {
      throw new QuenchException("device profile " + origin + ": file version " + version + " flags "
          + flags + " are not supported (this Quench reads version " + FORMAT_VERSION + ", flags 0)");
    }
    try {
      return of(DeviceProfileData.parseFrom(Arrays.copyOfRange(bytes, 8, bytes.length)), origin);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException("device profile " + origin + " is truncated or corrupt: "
          + MessageText.firstLine(e));
    }
  }

  /** One line per parameter: how far this chip is from nominal on average, for reports. */
  public String summary() {
    if (isNominal()) {
      return "nominal (no variability)";
    }
    if (model != null) {
      StringBuilder s = new StringBuilder(model() + " chip " + serial() + ", model spread per neuron:");
      for (DeviceParameter p : DeviceParameter.values()) {
        s.append(String.format(Locale.ROOT, " %s ±%.1f%%", p.key(), 100 * model.totalSpread(p)));
      }
      return s.toString();
    }
    return "measured chip " + serial() + ": " + data.getMeasured().getCoresCount() + " cores calibrated";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceProfile && ((DeviceProfile) o).data.equals(data);
  }

  @Override
  public int hashCode() {
    return data.hashCode();
  }

  @Override
  public String toString() {
    return "DeviceProfile[" + serial() + ", " + model() + "]";
  }
}
