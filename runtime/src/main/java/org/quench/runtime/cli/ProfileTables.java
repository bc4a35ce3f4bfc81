package org.quench.runtime.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.TextTable;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

/**
 * The profile tables of an image decoded for people: each decay row as the time constants it
 * realises in seconds at the image's dt and discretization (header options {@code dt},
 * {@code discretize}), each threshold row in the model units of the populations that use it
 * (chip threshold / the symbol's model scale + its voltage offset), and which populations' neurons
 * use each row. The arithmetic is the compiler's (quant.Discretization, docs/chip-semantics.md).
 */
final class ProfileTables {
  private ProfileTables() {}

  static String describe(ChipImage image) {
    ChipSpec spec = specOf(image);
    double dt = org.quench.runtime.session.ModelTime.dtSeconds(image);
    Discretization.Convention convention = "euler".equalsIgnoreCase(
        image.getHeader().getOptionsMap().getOrDefault("discretize", "exact"))
        ? Discretization.Convention.FORWARD_EULER : Discretization.Convention.EXACT;
    // population of each (core, neuron), and the symbol of each population
    Map<String, String[]> owner = new TreeMap<>();
    Map<String, Symbol> symbols = new TreeMap<>();
    for (Symbol s : image.getSymbolsList()) {
      symbols.put(s.getPopulation(), s);
    }
    for (Core c : image.getCoresList()) {
      owner.put(key(c), new String[c.getNeuronCount()]);
    }
    Map<String, int[]> populationIndex = new TreeMap<>();
    for (Symbol s : image.getSymbolsList()) {
      for (NeuronRange r : s.getRangesList()) {
        String[] names = owner.get(r.getCore().getChip() + "," + r.getCore().getCore());
        for (int k = 0; k < r.getCount() && names != null; k++) {
          names[r.getNeuronFirst() + k] = s.getPopulation();
          populationIndex.put(r.getCore().getChip() + "," + r.getCore().getCore() + "/" + (r.getNeuronFirst() + k),
              new int[] {r.getOffset() + k});
        }
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(Double.isNaN(dt)
        ? "\nProfiles (the image records no dt: time constants in steps cannot be shown in seconds)\n"
        : String.format(Locale.ROOT, "%nProfiles (realized at dt %s s, %s discretization)%n", dt,
            convention == Discretization.Convention.EXACT ? "exact" : "forward Euler"));
    TextTable decays = new TextTable("core", "row", "du", "dv", "tau_syn", "tau_mem", "refractory",
        "reset", "neurons").rightAligned(1, 2, 3, 6);
    TextTable thresholds = new TextTable("core", "row", "vth", "threshold (model units)", "neurons")
        .rightAligned(1, 2);
    for (Core c : image.getCoresList()) {
      String[] names = owner.get(key(c));
      for (int row = 0; row < c.getDecayProfilesCount(); row++) {
        DecayProfile d = c.getDecayProfiles(row);
        Map<String, Integer> users = new TreeMap<>();
        for (int i = 0; i < c.getNeuronCount(); i++) {
          if (c.getDecayIndex(i) == row) {
            users.merge(names[i] == null ? "(unnamed)" : names[i], 1, Integer::sum);
          }
        }
        decays.row("(" + key(c) + ")", row, d.getDu(), d.getDv(),
            tau(Discretization.Variable.CURRENT, d.getDu(), dt, convention, spec),
            tau(Discretization.Variable.VOLTAGE, d.getDv(), dt, convention, spec), d.getRefractory(),
            d.getResetModeValue() == 0 ? "to zero" : "subtract", users(users));
      }
      for (int row = 0; row < c.getThresholdProfilesCount(); row++) {
        long vth = c.getThresholdProfiles(row).getVth();
        Map<String, Integer> users = new TreeMap<>();
        Map<String, TreeSet<Double>> model = new TreeMap<>();
        for (int i = 0; i < c.getNeuronCount(); i++) {
          if (c.getThresholdIndex(i) != row) {
            continue;
          }
          String pop = names[i] == null ? "(unnamed)" : names[i];
          users.merge(pop, 1, Integer::sum);
          Symbol s = symbols.get(pop);
          if (s != null && s.getModelScale() > 0) {
            int index = populationIndex.get(key(c) + "/" + i)[0];
            double offset = s.getVOffsetCount() == 0 ? 0
                : s.getVOffset(s.getVOffsetCount() == 1 ? 0 : index);
            model.computeIfAbsent(pop, k -> new TreeSet<>())
                .add(Math.scalb((double) vth, spec.thresholdShift()) / s.getModelScale() + offset);
          }
        }
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, TreeSet<Double>> e : model.entrySet()) {
          List<String> v = new ArrayList<>();
          for (double x : e.getValue()) {
            v.add(String.format(Locale.ROOT, "%.4g", x));
          }
          values.add(e.getKey() + " " + String.join("/", v));
        }
        thresholds.row("(" + key(c) + ")", row, vth,
            values.isEmpty() ? "- (fixed-point model: chip units)" : String.join(", ", values), users(users));
      }
    }
    out.append("  decay rows: time constants in seconds (none: no memory; inf: integrator)\n");
    decays.appendTo(out, "  ");
    out.append("  threshold rows: vth is the mantissa, the chip compares v with vth << ")
        .append(spec.thresholdShift()).append('\n');
    thresholds.appendTo(out, "  ");
    return out.toString();
  }

  private static String tau(Discretization.Variable variable, int decay, double dt,
      Discretization.Convention convention, ChipSpec spec) {
    if (Double.isNaN(dt)) {
      return "-";
    }
    double t;
    try {
      t = Discretization.realisedTau(variable, decay, dt, convention, spec);
    } catch (QuenchException e) {
      return "invalid";
    }
    if (t == 0) {
      return "none";
    }
    return Double.isInfinite(t) ? "inf" : String.format(Locale.ROOT, "%.4g s", t);
  }

  private static String users(Map<String, Integer> users) {
    List<String> parts = new ArrayList<>();
    users.forEach((pop, n) -> parts.add(pop + " " + n));
    return parts.isEmpty() ? "(unused)" : String.join(", ", parts);
  }

  private static ChipSpec specOf(ChipImage image) {
    try {
      return ChipSpec.resolve(image.getHeader().getSpecName());
    } catch (QuenchException e) {
      return ChipSpec.loihi();
    }
  }

  private static String key(Core c) {
    return c.getAddress().getChip() + "," + c.getAddress().getCore();
  }
}
