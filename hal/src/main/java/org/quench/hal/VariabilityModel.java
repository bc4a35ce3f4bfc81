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
import org.quench.hal.proto.Distribution;
import org.quench.hal.proto.Faults;
import org.quench.hal.proto.Spread;
import org.quench.hal.proto.VariabilityModelData;

/**
 * A population of chips: the relative spread of each integer parameter at the chip, core, neuron
 * (and, for weights, synapse) level, fault rates and optional per-step noise on v. One chip of the
 * population is {@link DeviceProfile#generated(VariabilityModel, String)}. The file form is JSON
 * (protobuf's JSON mapping of {@code variability.proto}; docs/variability.md shows an example).
 *
 * <p>Presets: {@code ideal} (nothing deviates), {@code digital} (faults only), {@code mild}
 * (about 3 % per parameter), {@code analog} (about 15 %). Immutable; validated on construction.
 */
public final class VariabilityModel {
  /** Names of the built-in presets. */
  public static final List<String> PRESETS = List.of("ideal", "digital", "mild", "analog");

  private final VariabilityModelData data;

  private VariabilityModel(VariabilityModelData data, String origin) {
    List<String> problems = problems(data);
    if (!problems.isEmpty()) {
      throw new QuenchException("variability model " + origin + ": " + problems.get(0)
          + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
    }
    this.data = data;
  }

  /** Wraps validated data; {@code origin} names it in errors. */
  public static VariabilityModel of(VariabilityModelData data, String origin) {
    return new VariabilityModel(data, origin);
  }

  /** A preset by name. */
  public static VariabilityModel preset(String name) {
    if (!PRESETS.contains(name)) {
      throw new QuenchException("unknown variability preset '" + name + "'; presets: "
          + String.join(", ", PRESETS) + " (or give a JSON file)");
    }
    String resource = "/org/quench/hal/variability/" + name + ".json";
    try (InputStream in = VariabilityModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "preset '" + name + "'");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A preset name, or else a path to a JSON file. */
  public static VariabilityModel resolve(String presetOrPath) {
    if (PRESETS.contains(presetOrPath)) {
      return preset(presetOrPath);
    }
    if (!presetOrPath.contains("/") && !presetOrPath.contains(".")) {
      return preset(presetOrPath);
    }
    return load(Path.of(presetOrPath));
  }

  /** Reads a JSON file. */
  public static VariabilityModel load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new QuenchException("variability model file " + file + " does not exist; presets: "
          + String.join(", ", PRESETS));
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new QuenchException("cannot read variability model file " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses JSON; {@code origin} names the source in errors. */
  public static VariabilityModel parse(String json, String origin) {
    VariabilityModelData.Builder b = VariabilityModelData.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new QuenchException("variability model " + origin + " is not valid model JSON: "
          + MessageText.firstLine(e));
    } catch (RuntimeException e) {
      throw new QuenchException("variability model " + origin + " is not valid JSON: "
          + MessageText.firstLine(e));
    }
    return new VariabilityModel(b.build(), origin);
  }

  /** The canonical JSON form (every field printed). */
  public String toJson() {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(data);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  public VariabilityModelData data() {
    return data;
  }

  public String name() {
    return data.getName();
  }

  /** True when nothing deviates: every spread, fault rate and noise is 0. */
  public boolean isIdeal() {
    for (DeviceParameter p : DeviceParameter.values()) {
      Spread s = spread(p);
      if (s.getChip() != 0 || s.getCore() != 0 || s.getNeuron() != 0 || s.getSynapse() != 0) {
        return false;
      }
    }
    Faults f = data.getFaults();
    return f.getDeadNeuron() == 0 && f.getStuckOffSynapse() == 0 && f.getHotNeuron() == 0
        && data.getNoise().getVSigma() == 0;
  }

  /** The spread of one parameter. */
  public Spread spread(DeviceParameter p) {
    switch (p) {
      case CURRENT_DECAY:
        return data.getCurrentDecay();
      case VOLTAGE_DECAY:
        return data.getVoltageDecay();
      case THRESHOLD:
        return data.getThreshold();
      case BIAS:
        return data.getBias();
      default:
        return data.getWeight();
    }
  }

  /** The distribution a parameter's factors follow. */
  public Distribution distribution(DeviceParameter p) {
    Distribution d = spread(p).getDistribution();
    if (d == Distribution.DISTRIBUTION_DEFAULT) {
      d = data.getDistribution();
    }
    return d == Distribution.DISTRIBUTION_DEFAULT ? Distribution.NORMAL : d;
  }

  /**
   * The total relative spread of a parameter per neuron, combining the levels as independent
   * factors: sqrt(prod(1 + s^2) - 1), e.g. 0.05, 0.05, 0.13 give 0.148.
   */
  public double totalSpread(DeviceParameter p) {
    Spread s = spread(p);
    double v = (1 + sq(s.getChip())) * (1 + sq(s.getCore())) * (1 + sq(s.getNeuron()));
    return Math.sqrt(v - 1);
  }

  private static double sq(double x) {
    return x * x;
  }

  private static List<String> problems(VariabilityModelData d) {
    List<String> p = new ArrayList<>();
    if (!d.getName().isEmpty() && !d.getName().matches("[A-Za-z0-9_.-]+")) {
      p.add("name: '" + MessageText.shown(d.getName()) + "' may only hold letters, digits, '_', '.', '-'");
    }
    distribution(p, "distribution", d.getDistributionValue());
    spread(p, "currentDecay", d.getCurrentDecay(), false);
    spread(p, "voltageDecay", d.getVoltageDecay(), false);
    spread(p, "threshold", d.getThreshold(), false);
    spread(p, "bias", d.getBias(), false);
    spread(p, "weight", d.getWeight(), true);
    rate(p, "faults.deadNeuron", d.getFaults().getDeadNeuron());
    rate(p, "faults.stuckOffSynapse", d.getFaults().getStuckOffSynapse());
    rate(p, "faults.hotNeuron", d.getFaults().getHotNeuron());
    if (d.getFaults().getDeadNeuron() + d.getFaults().getHotNeuron() > 1) {
      p.add("faults: deadNeuron + hotNeuron exceed 1");
    }
    double n = d.getNoise().getVSigma();
    if (!Double.isFinite(n) || n < 0 || n > 10) {
      p.add("noise.vSigma: " + n + " must be a fraction of the threshold in 0..10");
    }
    return p;
  }

  private static void distribution(List<String> p, String field, int value) {
    if (value < 0 || value > Distribution.LOGNORMAL_VALUE) {
      p.add(field + ": unknown distribution " + value + " (use NORMAL or LOGNORMAL)");
    }
  }

  private static void spread(List<String> p, String field, Spread s, boolean synapses) {
    level(p, field + ".chip", s.getChip());
    level(p, field + ".core", s.getCore());
    level(p, field + ".neuron", s.getNeuron());
    level(p, field + ".synapse", s.getSynapse());
    if (!synapses && s.getSynapse() != 0) {
      p.add(field + ".synapse: only weights have a synapse level (got " + s.getSynapse() + ")");
    }
    distribution(p, field + ".distribution", s.getDistributionValue());
  }

  private static void level(List<String> p, String field, double value) {
    if (!Double.isFinite(value) || value < 0 || value > 2) {
      p.add(field + ": " + value + " must be a relative spread in 0..2 (0.15 = 15 %)");
    }
  }

  private static void rate(List<String> p, String field, double value) {
    if (!Double.isFinite(value) || value < 0 || value > 1) {
      p.add(field + ": " + value + " must be a probability in 0..1");
    }
  }

  @Override
  public String toString() {
    return data.getName().isEmpty() ? "variability model" : data.getName();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VariabilityModel && ((VariabilityModel) o).data.equals(data);
  }

  @Override
  public int hashCode() {
    return data.hashCode();
  }
}
