package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntUnaryOperator;
import org.quench.compiler.report.CompensationReport;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.report.CompileReport.ErrorStats;
import org.quench.compiler.quant.ValueClustering;
import org.quench.compiler.quant.WeightBits;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.Symbol;
import org.quench.hal.proto.ThresholdProfile;

/**
 * Calibration-aware compiling (docs/variability.md, "Compensation"): rewrites an emitted image so
 * that, on the chip instance a {@link DeviceProfile} describes, the integers the chip realizes
 * ({@link ParameterDeviation}'s rules) come as close as the formats allow to the nominal ones.
 *
 * <ul>
 *   <li>Bias mantissas are per neuron: each is inverted exactly where the 13-bit range allows.</li>
 *   <li>Thresholds and decays live in per-core profile tables (16 and 32 rows on Loihi). Every
 *       neuron wants its own compensated value; when a core's distinct compensated values exceed
 *       the table, they are clustered (thresholds: optimal 1-D grouping of log values; decays:
 *       k-means on the log (du + 1, dv) plane within each group of equal refractory and reset
 *       fields) and each row takes the integer that minimizes its members' squared relative
 *       realized error. This is the trade-off with the heterogeneity budget: compensation uses the
 *       table rows the network's own heterogeneity leaves free, then shares them.</li>
 *   <li>Weights: each synapse's image weight is chosen so the prepared and deviated weight hits
 *       the nominal prepared weight; a group's num_weight_bits is raised to the full mantissa when
 *       the core's synapse memory allows (finer steps). A weight that would need more than the
 *       mantissa holds saturates and is reported.</li>
 *   <li>Dead and hot neurons, and stuck-off synapses, cannot be compensated: reported.</li>
 * </ul>
 * Pure: the same image, spec and profile give the same image.
 */
public final class CompensateDeviations {
  private final DeviceProfile profile;

  public CompensateDeviations(DeviceProfile profile) {
    this.profile = profile;
  }

  /**
   * What the pass produced.
   *
   * @param image the compensated image
   * @param report errors before and after, limits
   * @param tableRows per compensated core index in the image: {decay rows, threshold rows}
   * @param warnings what compensation left wrong that the compile report should warn about (the
   *     compensation report counts it too)
   */
  public record Outcome(ChipImage image, CompensationReport report, Map<Integer, int[]> tableRows,
      List<String> warnings) {}

  /** The compensation report's count of thresholds the mantissa cannot raise far enough. */
  static final String THRESHOLDS_AT_TOP = "thresholds beyond the top of the mantissa (physical threshold gain too low)";

  /**
   * Neurons whose physical threshold is so weak that even the top of the threshold mantissa
   * realizes less than their nominal threshold, the largest relative error left among them and
   * where that neuron sits (its core and its index there).
   */
  private static final class TopOfMantissa {
    int neurons;
    double worst = -1;
    CoreAddress worstCore;
    int worstNeuron;

    void add(double error, CoreAddress core, int neuron) {
      neurons++;
      if (error > worst) {
        worst = error;
        worstCore = core;
        worstNeuron = neuron;
      }
    }
  }

  /** Errors collected per parameter. */
  private static final class Errors {
    final Map<String, List<Double>> before = new LinkedHashMap<>();
    final Map<String, List<Double>> after = new LinkedHashMap<>();

    Errors() {
      for (DeviceParameter p : DeviceParameter.values()) {
        before.put(p.key(), new ArrayList<>());
        after.put(p.key(), new ArrayList<>());
      }
    }

    void add(DeviceParameter p, long nominal, long realizedBefore, long realizedAfter) {
      if (nominal == 0) {
        return;
      }
      double n = Math.abs(nominal);
      before.get(p.key()).add(Math.abs(realizedBefore - nominal) / n);
      after.get(p.key()).add(Math.abs(realizedAfter - nominal) / n);
    }

    static Map<String, ErrorStats> stats(Map<String, List<Double>> m) {
      Map<String, ErrorStats> out = new LinkedHashMap<>();
      for (Map.Entry<String, List<Double>> e : m.entrySet()) {
        out.put(e.getKey(), ErrorStats.of(e.getValue().stream().mapToDouble(Double::doubleValue).toArray()));
      }
      return out;
    }
  }

  public Outcome apply(ChipImage image, ChipSpec spec) {
    Errors errors = new Errors();
    Map<String, Long> limits = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    Map<Integer, int[]> rows = new HashMap<>();
    int clustered = 0;
    int uncovered = 0;
    TopOfMantissa top = new TopOfMantissa();
    ChipImage.Builder out = image.toBuilder();
    for (int ci = 0; ci < image.getCoresCount(); ci++) {
      Core c = image.getCores(ci);
      int chip = c.getAddress().getChip();
      int coreId = c.getAddress().getCore();
      if (!profile.covers(chip, coreId)) {
        uncovered++;
        continue;
      }
      CoreDeviations dev = profile.core(chip, coreId, c.getNeuronCount());
      Core.Builder b = c.toBuilder();
      boolean clusteredHere = compensateNeurons(c, b, dev, spec, errors, limits, top);
      compensateWeights(c, b, dev, spec, errors, limits);
      clustered += clusteredHere ? 1 : 0;
      rows.put(ci, new int[] {b.getDecayProfilesCount(), b.getThresholdProfilesCount()});
      out.setCores(ci, b);
    }
    if (uncovered > 0) {
      notes.add(uncovered + " core(s) of the image are not in the profile (not calibrated): left nominal");
    }
    if (clustered > 0) {
      notes.add(clustered + " core(s) needed more compensated decay or threshold values than their profile"
          + " tables hold: values were clustered (see docs/variability.md)");
    }
    notes.add("biases the host sets during a run are not compensated (the chip deviates them as it does the image's)");
    String name = "chip " + profile.serial() + " (" + profile.model() + ")";
    CompensationReport report = new CompensationReport(name, Errors.stats(errors.before),
        Errors.stats(errors.after), limits, notes, clustered);
    List<String> warnings = new ArrayList<>();
    if (top.neurons > 0) {
      // Quantize's scale may put a population's largest thresholds near the top of the mantissa
      // (docs/variability.md, "Compensation"): a physical threshold weaker than the room left
      // above them cannot be compensated fully.
      warnings.add(String.format(Locale.ROOT, "compensation for %s: %d neuron(s) sit on"
          + " physical thresholds too weak for the threshold mantissa: even its top (%d) realizes less"
          + " than their nominal threshold, so they fire early (worst residual threshold error %s, %s)",
          name, top.neurons, ParameterDeviation.vthMax(spec), CompileReport.percent(top.worst),
          neuronAt(image, top.worstCore, top.worstNeuron)));
    }
    return new Outcome(out.build(), report, rows, List.copyOf(warnings));
  }

  /**
   * Neuron {@code neuron} of core {@code core} as a user knows it: "population 'p' neuron 37 on
   * core (0,2)" through the image's symbol table, or "neuron 5 of core (0,2)" where no symbol
   * names it.
   */
  static String neuronAt(ChipImage image, CoreAddress core, int neuron) {
    String where = "core (" + core.getChip() + "," + core.getCore() + ")";
    for (Symbol s : image.getSymbolsList()) {
      for (NeuronRange r : s.getRangesList()) {
        if (r.getCore().equals(core) && neuron >= r.getNeuronFirst()
            && neuron < r.getNeuronFirst() + r.getCount()) {
          return "population '" + s.getPopulation() + "' neuron " + (r.getOffset() + neuron - r.getNeuronFirst())
              + " on " + where;
        }
      }
    }
    return "neuron " + neuron + " of " + where;
  }

  /** The x in lo..hi whose realization is closest to {@code target}, searched near {@code guess}. */
  static int invert(IntUnaryOperator realize, int target, double guess, int lo, int hi) {
    int centre = (int) Math.max(lo, Math.min(hi, Math.round(guess)));
    int best = centre;
    long bestErr = Math.abs((long) realize.applyAsInt(centre) - target);
    for (int d = 1; d <= 4 && bestErr > 0; d++) {
      for (int x : new int[] {centre - d, centre + d}) {
        if (x < lo || x > hi) {
          continue;
        }
        long err = Math.abs((long) realize.applyAsInt(x) - target);
        if (err < bestErr) {
          bestErr = err;
          best = x;
        }
      }
    }
    return best;
  }

  private static double factor(int gain) {
    return gain / (double) ParameterDeviation.ONE;
  }

  private static void limit(Map<String, Long> limits, String what) {
    limits.merge(what, 1L, Long::sum);
  }

  /** Bias, threshold and decay compensation of one core; true when a table had to be clustered. */
  private static boolean compensateNeurons(Core c, Core.Builder b, CoreDeviations dev, ChipSpec spec,
      Errors errors, Map<String, Long> limits, TopOfMantissa top) {
    int n = c.getNeuronCount();
    int unity = spec.decayUnity();
    int mantHalf = spec.biasMantRange().max() + 1;
    int vthMax = ParameterDeviation.vthMax(spec);
    int[] wantAmountU = new int[n];
    int[] wantDv = new int[n];
    int[] wantVth = new int[n];
    int[] wantVthLo = new int[n];
    boolean[] fixed = new boolean[n];
    for (int i = 0; i < n; i++) {
      DecayProfile d = c.getDecayProfiles(c.getDecayIndex(i));
      ThresholdProfile t = c.getThresholdProfiles(c.getThresholdIndex(i));
      int gu = dev.gain(DeviceParameter.CURRENT_DECAY, i);
      int gv = dev.gain(DeviceParameter.VOLTAGE_DECAY, i);
      int gt = dev.gain(DeviceParameter.THRESHOLD, i);
      int gb = dev.gain(DeviceParameter.BIAS, i);
      if (dev.dead(i) || dev.hot(i)) {
        limit(limits, dev.dead(i) ? "neurons on dead physical neurons (never fire)"
            : "neurons on hot physical neurons (fire spontaneously)");
        fixed[i] = true;
        wantAmountU[i] = d.getDu() + 1;
        wantDv[i] = d.getDv();
        wantVth[i] = t.getVth();
        wantVthLo[i] = t.getVthLo();
        continue;
      }
      int amount = d.getDu() + 1;
      wantAmountU[i] = invert(x -> ParameterDeviation.currentDecay(spec, x - 1, gu) + 1, amount,
          amount / factor(gu), 0, unity);
      wantDv[i] = invert(x -> ParameterDeviation.voltageDecay(spec, x, gv), d.getDv(),
          d.getDv() / factor(gv), 0, unity);
      wantVth[i] = invert(x -> ParameterDeviation.threshold(spec, x, gt), t.getVth(),
          t.getVth() / factor(gt), 0, vthMax);
      wantVthLo[i] = invert(x -> ParameterDeviation.thresholdLow(spec, x, gt), t.getVthLo(),
          t.getVthLo() / factor(gt), spec.vthLoRange().min(), spec.vthLoRange().max());
      int mant = c.getBiasMant(i);
      int m = invert(x -> ParameterDeviation.biasMant(spec, x, gb), mant, mant / factor(gb),
          spec.biasMantRange().min(), spec.biasMantRange().max());
      int realizedAfter = ParameterDeviation.biasMant(spec, m, gb);
      errors.add(DeviceParameter.BIAS, mant, ParameterDeviation.biasMant(spec, mant, gb), realizedAfter);
      if (realizedAfter != mant && Math.abs(realizedAfter - mant) > Math.abs(mant) * 0.5 / mantHalf + 1) {
        limit(limits, "biases beyond the mantissa range");
      }
      b.setBiasMant(i, m);
    }
    boolean clustered = compensateThresholds(c, b, dev, spec, wantVth, wantVthLo, fixed, errors, limits, top);
    clustered |= compensateDecays(c, b, dev, spec, wantAmountU, wantDv, fixed, errors, limits);
    return clustered;
  }

  private static boolean compensateThresholds(Core c, Core.Builder b, CoreDeviations dev, ChipSpec spec,
      int[] wantVth, int[] wantVthLo, boolean[] fixed, Errors errors, Map<String, Long> limits,
      TopOfMantissa top) {
    int n = c.getNeuronCount();
    int budget = spec.thresholdProfilesPerCore();
    // Rows keyed by (kind, vth, vthLo); exact when they fit.
    Map<List<Integer>, Integer> rows = new LinkedHashMap<>();
    int[] kind = new int[n];
    for (int i = 0; i < n; i++) {
      kind[i] = c.getThresholdProfiles(c.getThresholdIndex(i)).getKindValue();
      rows.putIfAbsent(List.of(kind[i], wantVth[i], wantVthLo[i]), rows.size());
    }
    int[] vth = wantVth.clone();
    int[] vthLo = wantVthLo.clone();
    boolean clustered = rows.size() > budget;
    if (clustered) {
      // Per neuron kind a share of the rows, then optimal 1-D grouping of log thresholds.
      Map<Integer, List<Integer>> byKind = new TreeMap<>();
      for (int i = 0; i < n; i++) {
        byKind.computeIfAbsent(kind[i], k -> new ArrayList<>()).add(i);
      }
      int[] share = shares(byKind, budget);
      int s = 0;
      for (List<Integer> members : byKind.values()) {
        double[] logs = new double[members.size()];
        for (int m = 0; m < logs.length; m++) {
          logs[m] = Math.log(Math.max(1, wantVth[members.get(m)]));
        }
        ValueClustering.Clustering cl = ValueClustering.minSquaredError(logs, share[s++]);
        for (int g = 0; g < cl.groups(); g++) {
          List<Integer> group = new ArrayList<>();
          for (int m = 0; m < logs.length; m++) {
            if (cl.assignment()[m] == g) {
              group.add(members.get(m));
            }
          }
          if (group.isEmpty()) {
            continue;
          }
          int best = bestShared(group, (int) Math.round(Math.exp(cl.centres()[g])),
              i -> c.getThresholdProfiles(c.getThresholdIndex(i)).getVth(),
              (i, x) -> ParameterDeviation.threshold(spec, x, dev.gain(DeviceParameter.THRESHOLD, i)),
              0, ParameterDeviation.vthMax(spec));
          long loSum = 0;
          for (int i : group) {
            vth[i] = best;
            loSum += wantVthLo[i];
          }
          int lo = (int) Math.round(loSum / (double) group.size());
          for (int i : group) {
            vthLo[i] = lo;
          }
        }
      }
    }
    Map<List<Integer>, Integer> table = new LinkedHashMap<>();
    b.clearThresholdProfiles();
    for (int i = 0; i < n; i++) {
      List<Integer> key = List.of(kind[i], vth[i], vthLo[i]);
      Integer row = table.get(key);
      if (row == null) {
        row = table.size();
        table.put(key, row);
        b.addThresholdProfiles(ThresholdProfile.newBuilder().setKindValue(kind[i]).setVth(vth[i])
            .setVthLo(vthLo[i]));
      }
      b.setThresholdIndex(i, row);
      if (!fixed[i]) {
        int nominal = c.getThresholdProfiles(c.getThresholdIndex(i)).getVth();
        int g = dev.gain(DeviceParameter.THRESHOLD, i);
        int after = ParameterDeviation.threshold(spec, vth[i], g);
        errors.add(DeviceParameter.THRESHOLD, nominal, ParameterDeviation.threshold(spec, nominal, g), after);
        if (clustered && after != nominal) {
          limit(limits, "thresholds shared in a clustered profile row (16 per core)");
        }
        // The top itself is the compiler's "never fires" value (readouts): not a threshold to reach.
        if (nominal > 0 && nominal < ParameterDeviation.vthMax(spec)
            && ParameterDeviation.threshold(spec, ParameterDeviation.vthMax(spec), g) < nominal) {
          limit(limits, THRESHOLDS_AT_TOP);
          top.add(Math.abs(after - nominal) / (double) nominal, c.getAddress(), i);
        }
      }
    }
    return clustered;
  }

  /** Divides {@code budget} rows among groups in proportion to their size, at least 1 each. */
  private static int[] shares(Map<?, ? extends List<?>> groups, int budget) {
    int k = groups.size();
    int[] share = new int[k];
    int total = 0;
    for (List<?> g : groups.values()) {
      total += g.size();
    }
    int given = 0;
    int idx = 0;
    for (List<?> g : groups.values()) {
      share[idx] = Math.max(1, (int) Math.floor((budget - k) * (double) g.size() / total) + 1);
      given += share[idx++];
    }
    for (int i = 0; given > budget; i = (i + 1) % k) {
      if (share[i] > 1) {
        share[i]--;
        given--;
      }
    }
    return share;
  }

  /** The integer for a shared row minimizing the members' squared relative realized error. */
  private static int bestShared(List<Integer> members, int centre, IntUnaryOperator nominalOf,
      java.util.function.IntBinaryOperator realize, int lo, int hi) {
    int best = centre;
    double bestErr = Double.MAX_VALUE;
    int span = Math.max(4, (int) Math.ceil(Math.abs(centre) * 0.02));
    int step = Math.max(1, span / 16);
    for (int x = Math.max(lo, centre - span); x <= Math.min(hi, centre + span); x += step) {
      double err = 0;
      for (int i : members) {
        int nominal = nominalOf.applyAsInt(i);
        if (nominal == 0) {
          continue;
        }
        double r = (realize.applyAsInt(i, x) - nominal) / (double) nominal;
        err += r * r;
      }
      if (err < bestErr) {
        bestErr = err;
        best = x;
      }
    }
    return best;
  }

  private static boolean compensateDecays(Core c, Core.Builder b, CoreDeviations dev, ChipSpec spec,
      int[] wantAmountU, int[] wantDv, boolean[] fixed, Errors errors, Map<String, Long> limits) {
    int n = c.getNeuronCount();
    int budget = spec.decayProfilesPerCore();
    int[] amountU = wantAmountU.clone();
    int[] dv = wantDv.clone();
    // The other fields of a decay row (refractory, reset) must stay exactly as the network asks.
    Map<List<Integer>, List<Integer>> byRest = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byRest.computeIfAbsent(rest(c.getDecayProfiles(c.getDecayIndex(i))), k -> new ArrayList<>()).add(i);
    }
    java.util.Set<List<Integer>> distinct = new java.util.HashSet<>();
    for (int i = 0; i < n; i++) {
      List<Integer> key = new ArrayList<>(rest(c.getDecayProfiles(c.getDecayIndex(i))));
      key.add(amountU[i]);
      key.add(dv[i]);
      distinct.add(key);
    }
    boolean clustered = distinct.size() > budget;
    if (clustered) {
      int[] share = shares(byRest, budget);
      int s = 0;
      for (List<Integer> members : byRest.values()) {
        int[] assign = kMeans(members, amountU, dv, share[s++]);
        int groups = Arrays.stream(assign).max().orElse(-1) + 1;
        for (int g = 0; g < groups; g++) {
          List<Integer> group = new ArrayList<>();
          long su = 0;
          long sv = 0;
          for (int m = 0; m < members.size(); m++) {
            if (assign[m] == g) {
              int i = members.get(m);
              group.add(i);
              su += amountU[i];
              sv += dv[i];
            }
          }
          if (group.isEmpty()) {
            continue;
          }
          int bu = bestShared(group, (int) Math.round(su / (double) group.size()),
              i -> c.getDecayProfiles(c.getDecayIndex(i)).getDu() + 1,
              (i, x) -> ParameterDeviation.currentDecay(spec, x - 1, dev.gain(DeviceParameter.CURRENT_DECAY, i)) + 1,
              0, spec.decayUnity());
          int bv = bestShared(group, (int) Math.round(sv / (double) group.size()),
              i -> c.getDecayProfiles(c.getDecayIndex(i)).getDv(),
              (i, x) -> ParameterDeviation.voltageDecay(spec, x, dev.gain(DeviceParameter.VOLTAGE_DECAY, i)),
              0, spec.decayUnity());
          for (int i : group) {
            amountU[i] = bu;
            dv[i] = bv;
          }
        }
      }
    }
    Map<List<Integer>, Integer> table = new LinkedHashMap<>();
    b.clearDecayProfiles();
    for (int i = 0; i < n; i++) {
      DecayProfile d = c.getDecayProfiles(c.getDecayIndex(i));
      List<Integer> key = new ArrayList<>(rest(d));
      key.add(amountU[i]);
      key.add(dv[i]);
      Integer row = table.get(key);
      if (row == null) {
        row = table.size();
        table.put(key, row);
        b.addDecayProfiles(d.toBuilder().setDu(amountU[i] - 1).setDv(dv[i]));
      }
      b.setDecayIndex(i, row);
      if (!fixed[i]) {
        int gu = dev.gain(DeviceParameter.CURRENT_DECAY, i);
        int gv = dev.gain(DeviceParameter.VOLTAGE_DECAY, i);
        int nomU = d.getDu() + 1;
        int afterU = ParameterDeviation.currentDecay(spec, amountU[i] - 1, gu) + 1;
        errors.add(DeviceParameter.CURRENT_DECAY, nomU, ParameterDeviation.currentDecay(spec, d.getDu(), gu) + 1,
            afterU);
        int afterV = ParameterDeviation.voltageDecay(spec, dv[i], gv);
        errors.add(DeviceParameter.VOLTAGE_DECAY, d.getDv(), ParameterDeviation.voltageDecay(spec, d.getDv(), gv),
            afterV);
        if (clustered && (afterU != nomU || afterV != d.getDv())) {
          limit(limits, "decays shared in a clustered profile row (32 per core)");
        }
      }
    }
    return clustered;
  }

  private static List<Integer> rest(DecayProfile d) {
    return List.of(d.getRefractory(), d.getResetModeValue(), d.getResetInterval(), d.getResetOffset());
  }

  /**
   * Deterministic k-means of neurons on (log(du + 1 + 1), log(dv + 1)): initial centres at evenly
   * spaced ranks of the sorted points, then Lloyd iterations. Returns a group per member.
   */
  private static int[] kMeans(List<Integer> members, int[] amountU, int[] dv, int k) {
    int m = members.size();
    double[] x = new double[m];
    double[] y = new double[m];
    Integer[] order = new Integer[m];
    for (int j = 0; j < m; j++) {
      x[j] = Math.log(amountU[members.get(j)] + 1.0);
      y[j] = Math.log(dv[members.get(j)] + 1.0);
      order[j] = j;
    }
    Arrays.sort(order, (a, c) -> Double.compare(x[a] + y[a], x[c] + y[c]));
    k = Math.min(k, m);
    double[] cx = new double[k];
    double[] cy = new double[k];
    for (int g = 0; g < k; g++) {
      int j = order[(int) ((g + 0.5) * m / k)];
      cx[g] = x[j];
      cy[g] = y[j];
    }
    int[] assign = new int[m];
    for (int iter = 0; iter < 30; iter++) {
      boolean changed = false;
      for (int j = 0; j < m; j++) {
        int best = 0;
        double bd = Double.MAX_VALUE;
        for (int g = 0; g < k; g++) {
          double d = (x[j] - cx[g]) * (x[j] - cx[g]) + (y[j] - cy[g]) * (y[j] - cy[g]);
          if (d < bd) {
            bd = d;
            best = g;
          }
        }
        changed |= assign[j] != best;
        assign[j] = best;
      }
      double[] sx = new double[k];
      double[] sy = new double[k];
      int[] cnt = new int[k];
      for (int j = 0; j < m; j++) {
        sx[assign[j]] += x[j];
        sy[assign[j]] += y[j];
        cnt[assign[j]]++;
      }
      for (int g = 0; g < k; g++) {
        if (cnt[g] > 0) {
          cx[g] = sx[g] / cnt[g];
          cy[g] = sy[g] / cnt[g];
        }
      }
      if (!changed && iter > 0) {
        break;
      }
    }
    return assign;
  }

  private static void compensateWeights(Core c, Core.Builder b, CoreDeviations dev, ChipSpec spec,
      Errors errors, Map<String, Long> limits) {
    long memory = 0;
    for (AxonGroup g : c.getAxonGroupsList()) {
      memory += bytes(spec, g, g.getNumWeightBits());
    }
    for (int gi = 0; gi < c.getAxonGroupsCount(); gi++) {
      AxonGroup g = c.getAxonGroups(gi);
      AxonGroup.Builder gb = g.toBuilder();
      boolean conv = g.getKind() == ConnectionKind.CONV;
      int ns = g.getTargetCount();
      int[] raw = new int[ns];
      for (int s = 0; s < ns; s++) {
        raw[s] = g.getWeight(s);
      }
      SignMode mode = conv ? null : g.getSignMode() == SignMode.SIGN_MODE_AUTO
          ? WeightBits.determineSignMode(raw) : g.getSignMode();
      int nwb = g.getNumWeightBits();
      int[] prepared = conv ? raw : WeightBits.prepare(raw, mode, nwb, spec);
      int newNwb = nwb;
      if (!conv) {
        gb.setSignMode(mode);
        int full = spec.weightMantBits() + (mode == SignMode.MIXED ? 1 : 0);
        long extra = bytes(spec, g, full) - bytes(spec, g, nwb);
        if (full > nwb && memory + extra <= spec.synapseMemoryBytesPerCore()) {
          newNwb = full;
          memory += extra;
          gb.setNumWeightBits(full);
        }
      }
      int drop = conv ? 0 : WeightBits.truncationShift(mode, newNwb, spec);
      ChipSpec.Range clip = conv ? spec.weightInputRange() : spec.weightMantRange(mode);
      int clipLo = clip.min();
      int clipHi = clip.max();
      final SignMode m = mode;
      final int nb = newNwb;
      for (int a = 0; a < g.getAxonCount(); a++) {
        int axon = g.getAxonFirst() + a;
        for (int s = g.getRowPtr(a); s < g.getRowPtr(a + 1); s++) {
          int target = g.getTarget(s);
          int p = prepared[s];
          if (p == 0) {
            // Finer num_weight_bits could turn a weight that truncated to 0 into a non-zero one.
            gb.setWeight(s, 0);
            continue;
          }
          if (dev.dead(target) || dev.stuckOff(axon, target)) {
            if (!dev.dead(target)) {
              limit(limits, "synapses stuck off");
            }
            continue;
          }
          int gain = dev.synapseGain(axon, target);
          IntUnaryOperator realize = conv
              ? x -> ParameterDeviation.weight(spec, x, gain, null)
              : x -> ParameterDeviation.weight(spec, WeightBits.prepare(new int[] {x}, m, nb, spec)[0], gain, m);
          int step = 1 << drop;
          int guess = (int) Math.round(p / factor(gain) / step);
          int best = invertStepped(realize, p, guess, step, clipLo, clipHi);
          int after = realize.applyAsInt(best);
          errors.add(DeviceParameter.WEIGHT, p, ParameterDeviation.weight(spec, p, gain, m), after);
          if (after != p && (best <= clipLo || best >= clipHi - step + 1)) {
            limit(limits, "weights that would need more than the mantissa holds (saturated)");
          }
          gb.setWeight(s, best);
        }
      }
      b.setAxonGroups(gi, gb);
    }
  }

  /** Like {@link #invert} over multiples of {@code step} (the weights truncation keeps). */
  private static int invertStepped(IntUnaryOperator realize, int target, int guessSteps, int step,
      int lo, int hi) {
    int best = 0;
    long bestErr = Long.MAX_VALUE;
    for (int d = -3; d <= 3; d++) {
      long x = (long) (guessSteps + d) * step;
      if (x < lo || x > hi) {
        continue;
      }
      long err = Math.abs((long) realize.applyAsInt((int) x) - target);
      if (err < bestErr || (err == bestErr && Math.abs(d) < 1)) {
        bestErr = err;
        best = (int) x;
      }
    }
    if (bestErr == Long.MAX_VALUE) {
      best = target > 0 ? hi : lo;
    }
    return best;
  }

  private static long bytes(ChipSpec spec, AxonGroup g, int nwb) {
    boolean delays = false;
    for (int d : g.getDelayList()) {
      delays |= d != 0;
    }
    return spec.synapseBytes(g.getAxonCount(), g.getTargetCount(), nwb, delays);
  }
}
