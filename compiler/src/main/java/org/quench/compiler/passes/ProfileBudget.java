package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.quant.FixedPoint;
import org.quench.compiler.quant.ValueClustering;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Fits heterogeneous populations into the per-core profile tables (at most K decay rows and K'
 * thresholds per core), trading cores for precision when the user sets a target. Runs on
 * {@link DiscreteNeurons}, before quantization. See docs/precision.md.
 *
 * <p><b>No target (fewest cores).</b> When a population has more distinct decay rows or thresholds
 * than one core holds, its neurons get a placement order sorted by dv (ties in index order) and the
 * order is cut into chunks of the neurons one core is expected to take (the core's neuron limit,
 * lowered when the neurons' fan-in fills the synapse memory first). Only a chunk that still needs
 * more than K values is clustered: optimally in one dimension with the least largest error
 * (ValueClustering.minMaxError), in log-tau space for the decays (when both tau_syn and tau_mem
 * vary the budget is split as km x K/km groups, km chosen to minimise the larger of the two
 * min-max log errors) and in value space for thresholds. The report then prices precision: the
 * cores a {@code maxTauError} of 10, 5, 2 and 1 % would need ({@link ToleranceCover}).
 *
 * <p><b>A target</b> ({@code maxTauError}, {@code maxThresholdError}: relative, e.g. 0.02) is a
 * goal: if the fewest-cores plan misses it, the {@link ToleranceCover} co-locates neurons whose
 * tolerance boxes overlap and opens as many cores as the target needs, up to {@code maxCores}
 * (default one chip) minus what the other populations take. Each time constant's error has a
 * floor: the error of its nearest decay at this dt ({@link DecayResolution}). A parameter above its
 * floor is <em>budget-limited</em> (cores fix it), one whose floor misses the target is
 * <em>resolution-limited</em> (only another dt or chip fixes it). The compile fails when a
 * budget-limited parameter cannot meet the target on the cores left (naming the neurons, the
 * cores needed and what the cores left reach), and otherwise, after meeting the target for every
 * budget-limited one, when resolution-limited ones remain: one message counting them, naming the
 * worst and giving the round dt at which they all resolve.
 */
public final class ProfileBudget implements NetworkPass {
  /** Compile option: largest accepted relative error of a realised time constant. */
  public static final String MAX_TAU_ERROR = "maxTauError";
  /** Compile option: largest accepted relative error of a realised threshold. */
  public static final String MAX_THRESHOLD_ERROR = "maxThresholdError";
  /**
   * Compile option: cores a precision target may spend in all (default: one chip's). Also checked
   * against the final mapping (Compiler).
   */
  public static final String MAX_CORES = "maxCores";
  /**
   * Compile option: {@code fail} (default) or {@code warn}: what a time constant that the decay
   * resolution keeps from a tau target does (the precision sweep warns, to measure every target).
   */
  public static final String RESOLUTION_LIMIT = "resolutionLimit";

  private final double dt;
  private final Discretization.Convention convention;

  /** The same dt and convention as the Discretize pass before it. */
  public ProfileBudget(double dt, Discretization.Convention convention) {
    this.dt = dt;
    this.convention = convention;
  }

  @Override
  public String name() {
    return "profile-budget";
  }

  @Override
  public Network apply(Network network, PassContext context) {
    Network.Builder out = network.toBuilder();
    List<Population> pops = network.populations();
    int limit = coreLimit(context);
    // Cores each population is expected to take; a precision target may raise its own share up to
    // what the others leave.
    int[] planned = new int[pops.size()];
    for (int p = 0; p < pops.size(); p++) {
      planned[p] = ceilDiv(pops.get(p).size(), chunkSize(network, pops.get(p), context.spec()));
    }
    int total = Arrays.stream(planned).sum();
    for (int p = 0; p < pops.size(); p++) {
      if (pops.get(p).dynamics() instanceof DiscreteNeurons d) {
        int others = total - planned[p];
        Plan plan = fit(network, pops.get(p), d, context, Math.max(planned[p], limit - others));
        out.replacePopulation(plan.population);
        total += plan.cores - planned[p];
        planned[p] = plan.cores;
      }
    }
    return out.build();
  }

  /** A population's profile plan: its order, its values, and the cores it expects. */
  private record Plan(Population population, int cores) {}

  /** Neuron order, core boundaries in it, and the decays and thresholds every neuron takes. */
  private record Values(int[] order, int[] bounds, int[] du, int[] dv, double[] th) {
    int cores() {
      return bounds.length - 1;
    }
  }

  private Plan fit(Network net, Population pop, DiscreteNeurons d, PassContext context, int available) {
    ChipSpec spec = context.spec();
    String name = pop.name();
    int n = d.size();
    int kd = spec.decayProfilesPerCore();
    int kt = spec.thresholdProfilesPerCore();
    int[] refr = d.refractory();
    ResetMode[] mode = d.resetMode();
    int decaysBefore = distinctDecays(d.du(), d.dv(), refr, mode, 0, n, null);
    int thresholdsBefore = distinct(d.threshold(), null, 0, n);
    double maxTau = option(context, MAX_TAU_ERROR);
    double maxTh = option(context, MAX_THRESHOLD_ERROR);
    int chunk = chunkSize(net, pop, spec);
    double fanOut = fanOut(net, pop);
    String how = "fewest cores";
    // Fewest cores: chunks of what one core holds, clustered to the budget (the default).
    Values values;
    // A weight target also orders by folded input gain: a core's neurons then receive weights of
    // similar magnitude, and its weight exponent (one per projection and core) fits them all.
    boolean byGain = Double.isFinite(context.options().relativeError(Quantize.MAX_WEIGHT_ERROR))
        && varies(d.gain());
    boolean ordered = decaysBefore > kd || thresholdsBefore > kt || byGain;
    if (ordered) {
      int[] order = byGain ? gainOrder(d) : sortedOrder(d.du(), d.dv(), d.threshold());
      if (byGain) {
        how = "fewest cores, ordered by folded input gain (--max-weight-error)";
      }
      values = clustered(d, order, equalBounds(n, chunk), true, true, spec);
    } else {
      values = new Values(null, equalBounds(n, chunk), d.du(), d.dv(), d.threshold());
    }
    boolean targeted = Double.isFinite(maxTau) || Double.isFinite(maxTh);
    Errors errors = new Errors(d, values.du, values.dv, values.th, dt, convention, spec);
    if (targeted && errors.budgetMisses(maxTau, maxTh) > 0) {
      Values covered = covered(d, maxTau, maxTh, chunk, fanOut, spec);
      if (covered.cores() > available) {
        shortfall(name, d, covered.cores(), available, maxTau, maxTh, chunk, fanOut, context);
      }
      values = covered;
      ordered = true;
      errors = new Errors(d, values.du, values.dv, values.th, dt, convention, spec);
      how = "precision target (tau " + CompileReport.percent(maxTau) + ", threshold " + CompileReport.percent(maxTh) + ")";
    }
    Population result = pop;
    if (ordered) {
      result = pop.withPlacementOrder(values.order)
          .withDynamics(d.withProfiles(name, values.du, values.dv, values.th));
      context.report().decision("profile-budget: population '" + name + "' (" + n + " neurons) needs "
          + decaysBefore + " decay rows and " + thresholdsBefore + " thresholds (per core: " + kd
          + ", " + kt + "): " + how + ", " + values.cores() + " core(s) of at most " + chunk
          + " neurons");
    }
    int decaysAfter = distinctDecays(values.du, values.dv, refr, mode, 0, n, null);
    int thresholdsAfter = distinct(values.th, null, 0, n);
    context.report().profiles(name, decaysBefore, decaysAfter, thresholdsBefore, thresholdsAfter);
    context.report().tauErrors(name, errors.tauStats(), errors.memStats());
    CompileReport.ErrorStats te = errors.thresholdStats();
    if (te.max() > 0) {
      context.report().decision("profile-budget: population '" + name + "' threshold clustering"
          + " relative error mean " + (float) te.mean() + ", p95 " + (float) te.p95() + ", max "
          + (float) te.max());
    }
    precision(name, d, errors, values.cores(), maxTau, maxTh, chunk, fanOut, context);
    if (targeted) {
      String miss = enforce(name, d, errors, values.cores(), maxTau, maxTh, spec);
      if (miss != null) {
        String policy = context.options().get(RESOLUTION_LIMIT, "fail");
        if (policy.equals("warn")) {
          context.report().warning(miss);
        } else if (policy.equals("fail")) {
          throw new QuenchException(miss);
        } else {
          throw new QuenchException("option " + RESOLUTION_LIMIT + " = '" + policy + "' must be fail or warn");
        }
      }
    }
    return new Plan(result, values.cores());
  }

  /**
   * Fits every core's decay and threshold rows again to the neurons that finally sit on it. This
   * pass groups a population's time constants and thresholds for the cores it expects (its chunks,
   * or its tolerance cover). The partition's refinement, {@code --max-cores} and a weight target's
   * splits ({@link WeightTargetCores}) then put neurons on other cores, and the part of a split
   * core would keep rows fitted to the whole: it would use only part of its budget. Here each
   * core's rows of each table (the spec's, less what other populations' neurons on it use; spare
   * rows go to the population with the most distinct values left over) go to its own neurons:
   * their nearest values when they fit, else clustered as this pass clusters a chunk, with the
   * rows the least largest error leaves unused split off the widest groups.
   *
   * <p>Decays: a core keeps its old rows unless the new ones lower the sum of its time-constant
   * errors, keep its largest within half a decay step of the old largest (what rounding a group's
   * centre to a decay can cost) and, with a tau target, keep every budget-limited time constant
   * within it, so a target met stays met. Thresholds are quantized again at the population's scale
   * (Quantize's rounding); a core keeps its old rows unless the new ones lower the sum of its
   * realised threshold errors, keep the largest within half a mantissa step of the old largest,
   * clamp as many thresholds as before and, with a threshold target, keep every threshold that met
   * it within it. Weights depend on neither (the folded gains come from the requested time
   * constants, Discretize, and the scale stays), so nothing a weight target judged moves. The
   * report's tau and threshold errors, profile counts and precision entry are computed again for
   * the new rows (the worst-case headroom is computed once, on the final weights, by
   * {@link StateHeadroom}). See docs/precision.md.
   *
   * @param discretized the network as this pass received it (every neuron's nearest decays and
   *     own threshold)
   * @param budgeted the network as this pass returned it
   * @param mapping the final partition (unplaced), over the quantized network
   * @return {@code mapping} when no row changes, else the same cores over a network whose fixed
   *     neurons have the new decays and thresholds
   */
  public Mapping fitFinalCores(Network discretized, Network budgeted, Mapping mapping,
      PassContext context) {
    Network net = mapping.network();
    ChipSpec spec = context.spec();
    List<Population> pops = net.populations();
    int np = pops.size();
    DiscreteNeurons[] raw = new DiscreteNeurons[np];
    DiscreteNeurons[] fitted = new DiscreteNeurons[np];
    boolean[] decaysGrouped = new boolean[np];
    boolean[] thresholdsGrouped = new boolean[np];
    boolean any = false;
    for (int p = 0; p < np; p++) {
      Population pop = pops.get(p);
      int r = discretized.indexOf(pop.name());
      int b = budgeted.indexOf(pop.name());
      if (pop.isFixed() && r >= 0 && b >= 0
          && discretized.populations().get(r).dynamics() instanceof DiscreteNeurons rd
          && budgeted.populations().get(b).dynamics() instanceof DiscreteNeurons bd) {
        // A population whose nearest decays (or thresholds) all fit its cores was not grouped:
        // nothing to redo. Thresholds are redone only where Quantize gave the population a scale.
        decaysGrouped[p] = !Arrays.equals(rd.du(), bd.du()) || !Arrays.equals(rd.dv(), bd.dv());
        thresholdsGrouped[p] = !Arrays.equals(rd.threshold(), bd.threshold())
            && context.report().scale(pop.name()) > 0;
        if (decaysGrouped[p] || thresholdsGrouped[p]) {
          raw[p] = rd;
          fitted[p] = bd;
          any = true;
        }
      }
    }
    if (!any) {
      return mapping;
    }
    CoreShares decayShares = shares(mapping, decaysGrouped, spec.decayProfilesPerCore(),
        (p, i) -> ProfileKeys.decay(pops.get(p).fixed(), i),
        (p, i) -> ProfileKeys.decay(pops.get(p).fixed(), i, raw[p].du()[i], raw[p].dv()[i]));
    double[][] rawTh = new double[np][];
    for (int p = 0; p < np; p++) {
      rawTh[p] = raw[p] == null ? null : raw[p].threshold();
    }
    CoreShares thresholdShares = shares(mapping, thresholdsGrouped, spec.thresholdProfilesPerCore(),
        (p, i) -> ProfileKeys.threshold(pops.get(p).fixed(), i), (p, i) -> rawTh[p][i]);
    double maxTau = option(context, MAX_TAU_ERROR);
    double maxTh = option(context, MAX_THRESHOLD_ERROR);
    Network.Builder out = net.toBuilder();
    boolean changed = false;
    for (int p = 0; p < np; p++) {
      if (raw[p] == null) {
        continue;
      }
      Population pop = pops.get(p);
      FixedNeurons f = pop.fixed();
      int[] oldDu = f.du();
      int[] oldDv = f.dv();
      int[] oldVth = f.vth();
      int[] du = oldDu.clone();
      int[] dv = oldDv.clone();
      int[] vth = oldVth.clone();
      double[] th = fitted[p].threshold();
      List<int[]> decayCores = decayShares.members().get(p);
      List<int[]> thresholdCores = thresholdShares.members().get(p);
      int decaysRefitted = decayCores.isEmpty() ? 0 : refitDecays(raw[p], f, decayCores,
          decayShares.budgets().get(p), du, dv, maxTau, spec);
      int thresholdsRefitted = thresholdCores.isEmpty() ? 0 : refitThresholds(pop.name(), raw[p], f,
          thresholdCores, thresholdShares.budgets().get(p), th, vth, context.report().scale(pop.name()),
          maxTh, spec);
      if (decaysRefitted == 0 && thresholdsRefitted == 0) {
        continue;
      }
      changed = true;
      FixedNeurons nf = f.toBuilder().du(du).dv(dv).vth(vth).build(pop.name());
      out.replacePopulation(pop.withDynamics(nf));
      report(new Refit(pop.name(), raw[p], fitted[p], oldDu, oldDv, oldVth, du, dv, vth, th,
          decaysRefitted, decayCores.size(), thresholdsRefitted, thresholdCores.size()), context);
    }
    return changed ? mapping.withNetwork(out.build()) : mapping;
  }

  /**
   * Per population, the neurons it has on each final core whose rows of one table it may fit
   * again, and the rows of that table the core leaves it.
   */
  private record CoreShares(List<List<int[]>> members, List<List<Integer>> budgets) {}

  /**
   * The shares of one profile table ({@code rows} per core): {@code current} gives the row neuron i
   * of population p uses now, {@code own} the row it would use with its own nearest value. Each
   * population's rows are counted on their own; a core whose populations fill the table only by
   * sharing rows is left out (fitting one could take a row another needs). Spare rows go, one at a
   * time, to the regrouped population with the most distinct values left over.
   */
  private static CoreShares shares(Mapping mapping, boolean[] regrouped, int rows,
      BiFunction<Integer, Integer, Object> current,
      BiFunction<Integer, Integer, Object> own) {
    Network net = mapping.network();
    List<Population> pops = net.populations();
    int np = pops.size();
    List<List<int[]>> members = new ArrayList<>();
    List<List<Integer>> budgets = new ArrayList<>();
    for (int p = 0; p < np; p++) {
      members.add(new ArrayList<>());
      budgets.add(new ArrayList<>());
    }
    for (Mapping.MappedCore core : mapping.cores()) {
      TreeMap<Integer, List<Integer>> here = new TreeMap<>();
      for (Mapping.Slice s : core.slices()) {
        int p = net.indexOf(s.population());
        Population pop = pops.get(p);
        List<Integer> l = here.computeIfAbsent(p, k -> new ArrayList<>());
        for (int k = 0; k < s.count(); k++) {
          l.add(pop.neuronAt(s.first() + k));
        }
      }
      int slices = here.size();
      int[] pop = new int[slices];
      int[][] neurons = new int[slices][];
      int[] now = new int[slices];
      int[] need = new int[slices];
      int used = 0;
      int j = 0;
      for (var e : here.entrySet()) {
        pop[j] = e.getKey();
        neurons[j] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
        Set<Object> keys = new HashSet<>();
        Set<Object> nearest = new HashSet<>();
        for (int i : neurons[j]) {
          keys.add(current.apply(pop[j], i));
          if (regrouped[pop[j]]) {
            nearest.add(own.apply(pop[j], i));
          }
        }
        now[j] = keys.size();
        need[j] = regrouped[pop[j]] ? nearest.size() : now[j];
        used += now[j];
        j++;
      }
      if (used > rows) {
        continue;
      }
      int[] budget = now.clone();
      for (int spare = rows - used; spare > 0; spare--) {
        int best = -1;
        for (int k = 0; k < slices; k++) {
          if (need[k] > budget[k] && (best < 0 || need[k] - budget[k] > need[best] - budget[best])) {
            best = k;
          }
        }
        if (best < 0) {
          break;
        }
        budget[best]++;
      }
      for (int k = 0; k < slices; k++) {
        if (regrouped[pop[k]]) {
          members.get(pop[k]).add(neurons[k]);
          budgets.get(pop[k]).add(budget[k]);
        }
      }
    }
    return new CoreShares(members, budgets);
  }

  /** The final cores as one order of neurons with core boundaries in it. */
  private record Chunks(int[] order, int[] bounds, int[] rows) {
    static Chunks of(List<int[]> cores, List<Integer> budgets) {
      int[] bounds = new int[cores.size() + 1];
      int[] rows = new int[cores.size()];
      for (int c = 0; c < cores.size(); c++) {
        bounds[c + 1] = bounds[c] + cores.get(c).length;
        rows[c] = budgets.get(c);
      }
      int[] order = new int[bounds[cores.size()]];
      for (int c = 0; c < cores.size(); c++) {
        System.arraycopy(cores.get(c), 0, order, bounds[c], cores.get(c).length);
      }
      return new Chunks(order, bounds, rows);
    }

    int count() {
      return rows.length;
    }
  }

  /**
   * A core's old and new rows of one table, judged: their largest and summed errors, the largest
   * allowance for rounding a group's centre, whether any value differs and whether the new rows
   * miss a target the old ones met.
   */
  private static final class RowVerdict {
    double before;
    double after;
    double sumBefore;
    double sumAfter;
    double allowance;
    boolean differs;
    boolean misses;

    /** One neuron's error with the old rows, with the new ones, and its rounding allowance. */
    void add(double was, double is, double roundingAllowance) {
      before = Math.max(before, was);
      after = Math.max(after, is);
      sumBefore += was;
      sumAfter += is;
      allowance = Math.max(allowance, roundingAllowance);
    }

    /**
     * Whether the new rows should replace the old: they differ, fit ({@code fits}), miss no
     * target, lower the summed error and keep the largest within the allowance of the old one.
     */
    boolean better(boolean fits) {
      return differs && fits && !misses && sumAfter < sumBefore && after <= before + allowance;
    }
  }

  /**
   * Fits the decay rows of one population's final cores to their own neurons, writing the cores
   * that gain into {@code du} and {@code dv} (which hold the current rows); returns how many did.
   */
  private int refitDecays(DiscreteNeurons d, FixedNeurons f, List<int[]> cores, List<Integer> budgets,
      int[] du, int[] dv, double maxTau, ChipSpec spec) {
    Chunks k = Chunks.of(cores, budgets);
    int[] order = k.order();
    int[] bounds = k.bounds();
    Values v = clustered(d, order, bounds, d.du(), d.dv(), d.threshold(), true, false, k.rows(), true, spec);
    double[] tauSyn = d.tauSynRequested();
    double[] tauMem = d.tauMemRequested();
    int refitted = 0;
    for (int c = 0; c < k.count(); c++) {
      // Half the spacing of adjacent decays at each time constant is the allowance: rounding a
      // group's centre to a decay costs up to that.
      RowVerdict verdict = new RowVerdict();
      Set<ProfileKeys.Decay> keys = new HashSet<>();
      for (int q = bounds[c]; q < bounds[c + 1]; q++) {
        int i = order[q];
        keys.add(ProfileKeys.decay(f, i, v.du[i], v.dv[i]));
        verdict.differs |= v.du[i] != du[i] || v.dv[i] != dv[i];
        double syn = tauError(Discretization.Variable.CURRENT, v.du[i], tauSyn[i], spec);
        double mem = tauError(Discretization.Variable.VOLTAGE, v.dv[i], tauMem[i], spec);
        verdict.add(tauError(Discretization.Variable.CURRENT, du[i], tauSyn[i], spec), syn,
            halfStep(Discretization.Variable.CURRENT, tauSyn[i], spec));
        verdict.add(tauError(Discretization.Variable.VOLTAGE, dv[i], tauMem[i], spec), mem,
            halfStep(Discretization.Variable.VOLTAGE, tauMem[i], spec));
        verdict.misses |= Double.isFinite(maxTau) && (budgetMiss(Discretization.Variable.CURRENT, syn, tauSyn[i], maxTau, spec)
            || budgetMiss(Discretization.Variable.VOLTAGE, mem, tauMem[i], maxTau, spec));
      }
      if (verdict.better(keys.size() <= k.rows()[c])) {
        for (int q = bounds[c]; q < bounds[c + 1]; q++) {
          du[order[q]] = v.du[order[q]];
          dv[order[q]] = v.dv[order[q]];
        }
        refitted++;
      }
    }
    return refitted;
  }

  /**
   * Fits the threshold rows of one population's final cores to their own neurons and quantizes
   * them at the population's {@code scale} as Quantize does; writes the cores that gain into
   * {@code th} (model units) and {@code vth} (which hold the current values) and returns how many
   * did. A core takes the new thresholds when they fit its rows, lower the sum of its realised
   * relative threshold errors, keep the largest within half a mantissa step of the old largest
   * (what rounding a group's centre costs), clamp no other number of thresholds (so Quantize's
   * clamp warning stays true) and, with a threshold target, keep every threshold that met it
   * within it.
   */
  private int refitThresholds(String name, DiscreteNeurons d, FixedNeurons f, List<int[]> cores,
      List<Integer> budgets, double[] th, int[] vth, double scale, double maxTh, ChipSpec spec) {
    Chunks k = Chunks.of(cores, budgets);
    int[] order = k.order();
    int[] bounds = k.bounds();
    double[] fresh = d.threshold();
    for (int c = 0; c < k.count(); c++) {
      if (distinct(fresh, order, bounds[c], bounds[c + 1]) > k.rows()[c]) {
        clusterThresholds(fresh, order, bounds[c], bounds[c + 1], k.rows()[c], true);
      }
    }
    double[] requested = d.thresholdRequested();
    double unit = Math.scalb(1.0, spec.thresholdShift());
    int refitted = 0;
    for (int c = 0; c < k.count(); c++) {
      int start = bounds[c];
      int size = bounds[c + 1] - start;
      double[] oldModel = new double[size];
      double[] newModel = new double[size];
      for (int q = 0; q < size; q++) {
        int i = order[start + q];
        oldModel[q] = Double.isFinite(th[i]) ? th[i] : 0;
        newModel[q] = Double.isFinite(fresh[i]) ? fresh[i] : 0;
      }
      String who = "population '" + name + "'";
      FixedPoint.Thresholds oldQ = FixedPoint.thresholds(who, oldModel, scale, false, spec);
      FixedPoint.Thresholds newQ = FixedPoint.thresholds(who, newModel, scale, false, spec);
      int[] newVth = newQ.vth();
      // Half a mantissa step is the allowance: rounding a group's centre costs up to that.
      RowVerdict verdict = new RowVerdict();
      Set<ProfileKeys.Threshold> keys = new HashSet<>();
      for (int q = 0; q < size; q++) {
        int i = order[start + q];
        if (!Double.isFinite(fresh[i])) {
          newVth[q] = spec.vthRange().max();
        }
        keys.add(ProfileKeys.threshold(f, i, newVth[q]));
        verdict.differs |= newVth[q] != vth[i];
        if (Double.isFinite(fresh[i]) && requested[i] != 0) {
          double req = Math.abs(requested[i]);
          verdict.add(Math.abs(vth[i] * unit / scale - requested[i]) / req,
              Math.abs(newVth[q] * unit / scale - requested[i]) / req, unit / scale / 2 / req);
          verdict.misses |= Double.isFinite(maxTh) && Math.abs(th[i] - requested[i]) / req <= maxTh
              && Math.abs(fresh[i] - requested[i]) / req > maxTh;
        }
      }
      if (verdict.better(keys.size() <= k.rows()[c] && newQ.clamped() == oldQ.clamped())) {
        for (int q = 0; q < size; q++) {
          int i = order[start + q];
          th[i] = fresh[i];
          vth[i] = newVth[q];
        }
        refitted++;
      }
    }
    return refitted;
  }

  /** |realised - requested| / requested of a time constant at a decay; 0 when tau is not real. */
  private double tauError(Discretization.Variable variable, int decay, double tau, ChipSpec spec) {
    if (!real(tau)) {
      return 0;
    }
    return Math.abs(Discretization.realisedTau(variable, decay, dt, convention, spec) - tau) / tau;
  }

  /**
   * Half the relative difference between the time constants of the nearest decay to {@code tau}
   * and its slower neighbour: what rounding to the chip's decays costs near it (0 if not real).
   */
  private double halfStep(Discretization.Variable variable, double tau, ChipSpec spec) {
    if (!real(tau)) {
      return 0;
    }
    int nearest = Discretization.decay(variable, tau, dt, convention, spec).decay();
    int lowest = variable == Discretization.Variable.CURRENT ? -1 : 0;
    if (nearest <= lowest) {
      return 0;
    }
    double a = Discretization.realisedTau(variable, nearest, dt, convention, spec);
    double b = Discretization.realisedTau(variable, nearest - 1, dt, convention, spec);
    return Double.isFinite(b) ? Math.abs(b - a) / tau / 2 : 0;
  }

  /** Whether an error misses the target although the nearest decay would meet it. */
  private boolean budgetMiss(Discretization.Variable variable, double error, double tau, double target,
      ChipSpec spec) {
    return error > target && DecayResolution.floor(variable, tau, dt, convention, spec) <= target;
  }

  /**
   * What fitting a population's rows again on its final cores did: its networks before (raw: every
   * neuron's nearest values; fitted: the profile budget's groups), its old and new decays,
   * thresholds ({@code vth}, and {@code th} in model units) and how many cores took new rows.
   */
  private record Refit(String name, DiscreteNeurons raw, DiscreteNeurons fitted, int[] oldDu,
      int[] oldDv, int[] oldVth, int[] du, int[] dv, int[] vth, double[] th, int decayCores,
      int decayCoresOf, int thresholdCores, int thresholdCoresOf) {}

  /** The realised relative threshold errors as Quantize reports them (finite, non-zero requests). */
  private static double[] realisedThresholdErrors(DiscreteNeurons d, double[] th, int[] vth,
      double scale, ChipSpec spec) {
    double[] requested = d.thresholdRequested();
    double unit = Math.scalb(1.0, spec.thresholdShift());
    double[] err = new double[th.length];
    int m = 0;
    for (int i = 0; i < th.length; i++) {
      if (Double.isFinite(th[i]) && requested[i] != 0) {
        err[m++] = (vth[i] * unit / scale - requested[i]) / requested[i];
      }
    }
    return Arrays.copyOf(err, m);
  }

  /** The report entries of a population whose rows were fitted again on its final cores. */
  private void report(Refit r, PassContext context) {
    ChipSpec spec = context.spec();
    CompileReport.Builder report = context.report();
    String name = r.name();
    DiscreteNeurons raw = r.raw();
    int n = raw.size();
    Errors before = new Errors(raw, r.oldDu(), r.oldDv(), r.fitted().threshold(), dt, convention, spec);
    Errors after = new Errors(raw, r.du(), r.dv(), r.th(), dt, convention, spec);
    report.tauErrors(name, after.tauStats(), after.memStats());
    int[] refr = raw.refractory();
    ResetMode[] mode = raw.resetMode();
    report.profiles(name, distinctDecays(raw.du(), raw.dv(), refr, mode, 0, n, null),
        distinctDecays(r.du(), r.dv(), refr, mode, 0, n, null), distinct(raw.threshold(), null, 0, n),
        distinct(r.th(), null, 0, n));
    CompileReport.Precision old = report.precisionOf(name);
    if (old != null) {
      report.precision(new CompileReport.Precision(name, old.tauTarget(), old.thresholdTarget(),
          old.cores(), after.budgetLimited(), old.resolutionLimited(), after.allTauStats(),
          old.tauFloor(), old.suggestedDt(), old.costs(), after.worst(10)));
    }
    double scale = report.scale(name);
    CompileReport.ErrorStats thresholdsAfter = null;
    if (r.thresholdCores() > 0) {
      // The same clamp count on every refitted core (refitThresholds): Quantize's stays true.
      thresholdsAfter = CompileReport.ErrorStats.of(realisedThresholdErrors(raw, r.th(), r.vth(), scale, spec));
      report.thresholdErrors(name, thresholdsAfter);
    }
    if (r.decayCores() > 0) {
      CompileReport.ErrorStats b = before.allTauStats();
      CompileReport.ErrorStats a = after.allTauStats();
      report.decision(String.format(Locale.ROOT, "final-core-profiles: population '%s': decay rows"
          + " fitted again on %d of its %d final core(s), each to its own neurons (%d distinct decay"
          + " rows in all, %d before); tau p95 %s -> %s, max %s -> %s", name, r.decayCores(),
          r.decayCoresOf(), distinctDecays(r.du(), r.dv(), refr, mode, 0, n, null),
          distinctDecays(r.oldDu(), r.oldDv(), refr, mode, 0, n, null), CompileReport.percent(b.p95()),
          CompileReport.percent(a.p95()), CompileReport.percent(b.max()), CompileReport.percent(a.max())));
    }
    if (r.thresholdCores() > 0) {
      CompileReport.ErrorStats b = CompileReport.ErrorStats.of(
          realisedThresholdErrors(raw, r.fitted().threshold(), r.oldVth(), scale, spec));
      CompileReport.ErrorStats a = thresholdsAfter;
      report.decision(String.format(Locale.ROOT, "final-core-profiles: population '%s': threshold rows"
          + " fitted again on %d of its %d final core(s), each to its own neurons, and quantized at"
          + " scale %s (%d distinct thresholds in all, %d before); threshold p95 %s -> %s, max %s -> %s",
          name, r.thresholdCores(), r.thresholdCoresOf(), (float) scale, distinct(r.th(), null, 0, n),
          distinct(r.fitted().threshold(), null, 0, n), CompileReport.percent(b.p95()),
          CompileReport.percent(a.p95()), CompileReport.percent(b.max()), CompileReport.percent(a.max())));
    }
  }
  /** Chunks of the order clustered (the dimensions asked for) so each fits one core's rows. */
  private Values clustered(DiscreteNeurons d, int[] order, int[] bounds, boolean decays,
      boolean thresholds, ChipSpec spec) {
    return clustered(d, order, bounds, d.du(), d.dv(), d.threshold(), decays, thresholds, spec);
  }

  private Values clustered(DiscreteNeurons d, int[] order, int[] bounds, int[] du, int[] dv,
      double[] th, boolean decays, boolean thresholds, ChipSpec spec) {
    int[] kd = new int[bounds.length - 1];
    Arrays.fill(kd, spec.decayProfilesPerCore());
    return clustered(d, order, bounds, du, dv, th, decays, thresholds, kd, false, spec);
  }

  /**
   * Clusters as above with {@code decayRows[c]} decay rows for chunk c (and the spec's
   * thresholds); {@code fill}: decay rows the least largest error leaves unused still go to the
   * widest groups ({@link ValueClustering#minMaxErrorFilled}).
   */
  private Values clustered(DiscreteNeurons d, int[] order, int[] bounds, int[] du, int[] dv,
      double[] th, boolean decays, boolean thresholds, int[] decayRows, boolean fill, ChipSpec spec) {
    int kt = spec.thresholdProfilesPerCore();
    int[] refr = d.refractory();
    ResetMode[] mode = d.resetMode();
    double[] tauSyn = d.tauSynRequested();
    double[] tauMem = d.tauMemRequested();
    for (int c = 0; c + 1 < bounds.length; c++) {
      int start = bounds[c];
      int end = bounds[c + 1];
      int kd = decayRows[c];
      if (decays && distinctDecays(du, dv, refr, mode, start, end, order) > kd) {
        boolean synVaries = distinctInts(du, order, start, end) > 1;
        boolean memVaries = distinctInts(dv, order, start, end) > 1;
        int dvCount = distinctInts(dv, order, start, end);
        int km = kd;
        if (synVaries && memVaries) {
          km = bestSplit(logTau(tauMem, order, start, end), logTau(tauSyn, order, start, end), kd);
        }
        int ks = synVaries && memVaries ? kd / km : kd;
        if (memVaries && dvCount > km) {
          cluster(dv, tauMem, order, start, end, km, Discretization.Variable.VOLTAGE, fill, spec);
        }
        if (synVaries) {
          cluster(du, tauSyn, order, start, end, ks, Discretization.Variable.CURRENT, fill, spec);
        }
      }
      if (thresholds && distinct(th, order, start, end) > kt) {
        clusterThresholds(th, order, start, end, kt, false);
      }
    }
    return new Values(order, bounds, du, dv, th);
  }

  /** The tolerance cover at the targets; dimensions without a target clustered per core after. */
  private Values covered(DiscreteNeurons d, double maxTau, double maxTh, int chunk, double fanOut,
      ChipSpec spec) {
    ToleranceCover tc = new ToleranceCover(d, maxTau, maxTh, dt, convention, spec);
    // Spreading a population over more cores spreads each neuron's targets over more cores too:
    // every (neuron, destination core) pair is an output axon of the neuron's core. Cap the
    // neurons per core so the expected count fits, and repeat until the cover agrees with it.
    int capacity = chunk;
    ToleranceCover.Cover c = null;
    for (int round = 0; round < 8; round++) {
      c = tc.cover(capacity, spec.decayProfilesPerCore(), spec.thresholdProfilesPerCore(), d.du(),
          d.dv(), d.threshold());
      int cores = c.cores();
      double dest = fanOut <= 0 ? 0 : cores * -Math.expm1(fanOut * Math.log1p(-1.0 / Math.max(2, cores)));
      int fits = dest <= 1 ? chunk : (int) Math.floor(spec.outputAxonsPerCore() * 0.9 / dest);
      if (largestCore(c) <= fits || fits < 1) {
        break;
      }
      capacity = Math.min(capacity, fits);
    }
    return clustered(d, c.order(), c.bounds(), c.du(), c.dv(), c.threshold(),
        !Double.isFinite(maxTau), !Double.isFinite(maxTh), spec);
  }

  private static int largestCore(ToleranceCover.Cover c) {
    int[] b = c.bounds();
    int m = 0;
    for (int k = 0; k + 1 < b.length; k++) {
      m = Math.max(m, b[k + 1] - b[k]);
    }
    return m;
  }

  /** Synapses leaving each neuron of the population, on average (all projections from it). */
  private static double fanOut(Network net, Population pop) {
    long synapses = 0;
    for (Projection p : net.projections()) {
      if (!p.source().isInputPort() && p.source().name().equals(pop.name())) {
        synapses += p.synapseCount();
      }
    }
    return pop.size() == 0 ? 0 : (double) synapses / pop.size();
  }

  /**
   * The targets cannot all be met on the cores left: find what those cores reach and fail naming
   * the neurons that would miss and what would fix them.
   */
  private void shortfall(String name, DiscreteNeurons d, int needed, int available, double maxTau,
      double maxTh, int chunk, double fanOut, PassContext context) {
    ChipSpec spec = context.spec();
    // The smallest common relaxation of both targets whose cover fits the cores left.
    double lo = 1;
    double hi = 1;
    Values best = null;
    for (int k = 0; k < 12 && best == null; k++) {
      hi *= 2;
      Values v = covered(d, maxTau * hi, maxTh * hi, chunk, fanOut, spec);
      if (v.cores() <= available) {
        best = v;
      } else {
        lo = hi;
      }
    }
    for (int k = 0; k < 10 && best != null; k++) {
      double mid = Math.sqrt(lo * hi);
      Values v = covered(d, maxTau * mid, maxTh * mid, chunk, fanOut, spec);
      if (v.cores() <= available) {
        best = v;
        hi = mid;
      } else {
        lo = mid;
      }
    }
    StringBuilder m = new StringBuilder();
    m.append("population '").append(name).append("': meeting ").append(targets(maxTau, maxTh))
        .append(" needs about ").append(needed).append(" cores, but ").append(available)
        .append(" are left for it (").append(limitText(context)).append(")");
    if (best != null) {
      Errors e = new Errors(d, best.du, best.dv, best.th, dt, convention, spec);
      List<CompileReport.NeuronError> misses = e.budgetMissList(maxTau, maxTh);
      m.append("; on ").append(best.cores()).append(" cores ").append(misses.size())
          .append(" neuron parameter(s) would miss it, worst ");
      for (int k = 0; k < Math.min(3, misses.size()); k++) {
        m.append(k == 0 ? "" : ", ").append(describe(misses.get(k)));
      }
      m.append("; those cores reach about ").append(targets(
          Double.isFinite(maxTau) ? maxTau * hi : maxTau, Double.isFinite(maxTh) ? maxTh * hi : maxTh));
    }
    m.append(": raise --max-cores by about ").append(needed - available)
        .append(", relax the target, or make the population less heterogeneous");
    throw new QuenchException(m.toString());
  }

  /**
   * Fails when a budget-limited parameter misses its target; returns the one message about
   * resolution-limited time constants (with the dt to use), or null when there are none.
   */
  private String enforce(String name, DiscreteNeurons d, Errors e, int cores, double maxTau,
      double maxTh, ChipSpec spec) {
    List<CompileReport.NeuronError> budget = e.budgetMissList(maxTau, maxTh);
    if (!budget.isEmpty()) {
      throw new QuenchException("population '" + name + "': " + budget.size() + " neuron parameter(s)"
          + " miss " + targets(maxTau, maxTh) + " on " + cores + " cores, worst "
          + describe(budget.get(0)) + ": raise --max-cores or relax the target");
    }
    List<CompileReport.NeuronError> res = e.resolutionMissList(maxTau);
    if (res.isEmpty()) {
      return null;
    }
    CompileReport.NeuronError w = res.get(0);
    double fix = DecayResolution.suggestDt(d.tauSynRequested(), d.tauMemRequested(), maxTau, dt,
        convention, spec);
    StringBuilder m = new StringBuilder();
    m.append("population '").append(name).append("': ").append(res.size())
        .append(" time constant(s) cannot reach --max-tau-error ").append(maxTau).append(" at dt ")
        .append(dt).append(" s: the chip's ").append(spec.decayBits())
        .append("-bit decay resolves them no closer (worst ").append(describe(w))
        .append("); every other neuron meets the target on ").append(cores).append(" core(s). ");
    if (Double.isNaN(fix)) {
      m.append("No round dt within 1000x of this one resolves them all: relax --max-tau-error to ")
          .append(String.format(Locale.ROOT, "%.3g", w.error()));
    } else {
      m.append("Compile with --dt ").append(fix).append(" (every time constant of '").append(name)
          .append("' then resolves within the target), or relax --max-tau-error to ")
          .append(String.format(Locale.ROOT, "%.3g", w.error()));
    }
    return m.toString();
  }

  /** Tau targets a no-target compile prices ("<= 2 % needs about N cores"). */
  static final double[] COST_TARGETS = {0.10, 0.05, 0.02, 0.01};
  /** The target resolution limits are counted against when none is given. */
  static final double REFERENCE_TARGET = 0.02;

  /** The precision entry of the report, and the cost line a no-target compile prints. */
  private void precision(String name, DiscreteNeurons d, Errors e, int cores,
      double maxTau, double maxTh, int chunk, double fanOut, PassContext context) {
    ChipSpec spec = context.spec();
    boolean targeted = Double.isFinite(maxTau);
    double against = targeted ? maxTau : REFERENCE_TARGET;
    List<CompileReport.TargetCost> costs = new ArrayList<>();
    if (!Double.isFinite(maxTau) && !Double.isFinite(maxTh) && e.tauCount() > 0) {
      for (double t : COST_TARGETS) {
        int c = covered(d, t, Double.POSITIVE_INFINITY, chunk, fanOut, spec).cores();
        costs.add(new CompileReport.TargetCost(t, c));
      }
    }
    int resolutionLimited = e.resolutionMissList(against).size();
    double fix = resolutionLimited == 0 ? Double.NaN
        : DecayResolution.suggestDt(d.tauSynRequested(), d.tauMemRequested(), against, dt, convention, spec);
    context.report().precision(new CompileReport.Precision(name, maxTau, maxTh, cores,
        e.budgetLimited(), resolutionLimited, e.allTauStats(), e.floorStats(), fix, costs, e.worst(10)));
    if (!costs.isEmpty()) {
      CompileReport.ErrorStats all = e.allTauStats();
      StringBuilder m = new StringBuilder(String.format(Locale.ROOT,
          "precision: population '%s' tau error p95 %s, max %s on %d core(s); a --max-tau-error target"
              + " would need about", name, CompileReport.percent(all.p95()), CompileReport.percent(all.max()), cores));
      for (CompileReport.TargetCost c : costs) {
        m.append(' ').append(CompileReport.percent(c.tauError())).append(": ").append(c.cores()).append(',');
      }
      m.setLength(m.length() - 1);
      m.append(" cores");
      if (resolutionLimited > 0) {
        m.append(String.format(Locale.ROOT, " (%d time constant(s) cannot reach %s at dt %s s: decay"
            + " resolution%s)", resolutionLimited, CompileReport.percent(against), dt,
            Double.isNaN(fix) ? "" : "; --dt " + fix + " resolves them"));
      }
      context.report().decision(m.toString());
    }
  }

  private static String targets(double maxTau, double maxTh) {
    String t = Double.isFinite(maxTau) ? "--max-tau-error " + (float) maxTau : "";
    String h = Double.isFinite(maxTh) ? "--max-threshold-error " + (float) maxTh : "";
    return t.isEmpty() ? h : h.isEmpty() ? t : t + " and " + h;
  }

  private static String describe(CompileReport.NeuronError e) {
    String unit = e.parameter().startsWith("tau") ? " s" : "";
    return String.format(Locale.ROOT, "neuron %d %s requested %.4g%s, realised %.4g%s (%s)", e.neuron(),
        e.parameter(), e.requested(), unit, e.realised(), unit, CompileReport.percent(e.error()));
  }

  /** Cores a plan may use: --max-cores, else one chip's cores. */
  static int coreLimit(PassContext context) {
    String v = context.options().get(MAX_CORES, null);
    if (v == null) {
      return context.spec().coresPerChip();
    }
    try {
      int c = Integer.parseInt(v.trim());
      if (c < 1) {
        throw new NumberFormatException();
      }
      return c;
    } catch (NumberFormatException e) {
      throw new QuenchException("option " + MAX_CORES + " = '" + v + "' is not a core count >= 1");
    }
  }

  static String limitText(PassContext context) {
    String v = context.options().get(MAX_CORES, null);
    return v == null ? "one chip of '" + context.spec().name() + "' has " + context.spec().coresPerChip()
        + " cores; --max-cores allows more" : "--max-cores " + v.trim();
  }

  private static int[] equalBounds(int n, int chunk) {
    int cores = Math.max(1, ceilDiv(n, chunk));
    int[] b = new int[cores + 1];
    for (int c = 0; c <= cores; c++) {
      b[c] = Math.min(n, c * chunk);
    }
    return b;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Per neuron: the realised errors of tau_syn, tau_mem and threshold, and the tau floors. */
  private static final class Errors {
    final int n;
    final double[] syn;
    final double[] mem;
    final double[] synFloor;
    final double[] memFloor;
    final double[] th;
    final double[] synReq;
    final double[] memReq;
    final double[] thReq;
    final double[] synReal;
    final double[] memReal;
    final double[] thReal;

    Errors(DiscreteNeurons d, int[] du, int[] dv, double[] threshold, double dt,
        Discretization.Convention c, ChipSpec spec) {
      n = d.size();
      synReq = d.tauSynRequested();
      memReq = d.tauMemRequested();
      thReq = d.thresholdRequested();
      syn = new double[n];
      mem = new double[n];
      synFloor = new double[n];
      memFloor = new double[n];
      th = new double[n];
      synReal = new double[n];
      memReal = new double[n];
      thReal = threshold.clone();
      Arrays.fill(syn, Double.NaN);
      Arrays.fill(mem, Double.NaN);
      Arrays.fill(th, Double.NaN);
      for (int i = 0; i < n; i++) {
        if (real(synReq[i])) {
          synReal[i] = Discretization.realisedTau(Discretization.Variable.CURRENT, du[i], dt, c, spec);
          syn[i] = Math.abs(synReal[i] - synReq[i]) / synReq[i];
          synFloor[i] = DecayResolution.floor(Discretization.Variable.CURRENT, synReq[i], dt, c, spec);
        }
        if (real(memReq[i])) {
          memReal[i] = Discretization.realisedTau(Discretization.Variable.VOLTAGE, dv[i], dt, c, spec);
          mem[i] = Math.abs(memReal[i] - memReq[i]) / memReq[i];
          memFloor[i] = DecayResolution.floor(Discretization.Variable.VOLTAGE, memReq[i], dt, c, spec);
        }
        if (Double.isFinite(thReq[i]) && thReq[i] != 0) {
          th[i] = Math.abs(threshold[i] - thReq[i]) / Math.abs(thReq[i]);
        }
      }
    }

    private static double[] defined(double[]... arrays) {
      int m = 0;
      for (double[] a : arrays) {
        for (double x : a) {
          m += Double.isNaN(x) ? 0 : 1;
        }
      }
      double[] out = new double[m];
      int k = 0;
      for (double[] a : arrays) {
        for (double x : a) {
          if (!Double.isNaN(x)) {
            out[k++] = x;
          }
        }
      }
      return out;
    }

    int tauCount() {
      return defined(syn, mem).length;
    }

    CompileReport.ErrorStats tauStats() {
      return CompileReport.ErrorStats.of(defined(syn));
    }

    CompileReport.ErrorStats memStats() {
      return CompileReport.ErrorStats.of(defined(mem));
    }

    CompileReport.ErrorStats allTauStats() {
      return CompileReport.ErrorStats.of(defined(syn, mem));
    }

    CompileReport.ErrorStats thresholdStats() {
      return CompileReport.ErrorStats.of(defined(th));
    }

    /** The resolution floors of real time constants. */
    CompileReport.ErrorStats floorStats() {
      double[] s = synFloor.clone();
      double[] m = memFloor.clone();
      for (int i = 0; i < n; i++) {
        s[i] = Double.isNaN(syn[i]) ? Double.NaN : s[i];
        m[i] = Double.isNaN(mem[i]) ? Double.NaN : m[i];
      }
      return CompileReport.ErrorStats.of(defined(s, m));
    }

    private static boolean aboveFloor(double err, double floor) {
      return err > floor * (1 + 1e-9) + 1e-12;
    }

    /** Time constants whose error is above their resolution floor (cores would lower it). */
    int budgetLimited() {
      int k = 0;
      for (int i = 0; i < n; i++) {
        k += !Double.isNaN(syn[i]) && aboveFloor(syn[i], synFloor[i]) ? 1 : 0;
        k += !Double.isNaN(mem[i]) && aboveFloor(mem[i], memFloor[i]) ? 1 : 0;
      }
      return k;
    }

    private CompileReport.NeuronError entry(int i, int which) {
      return switch (which) {
        case 0 -> new CompileReport.NeuronError(i, "tau_syn", synReq[i], synReal[i], syn[i], synFloor[i],
            aboveFloor(syn[i], synFloor[i]) ? "budget" : "resolution");
        case 1 -> new CompileReport.NeuronError(i, "tau_mem", memReq[i], memReal[i], mem[i], memFloor[i],
            aboveFloor(mem[i], memFloor[i]) ? "budget" : "resolution");
        default -> new CompileReport.NeuronError(i, "threshold", thReq[i], thReal[i], th[i], 0, "budget");
      };
    }

    private List<CompileReport.NeuronError> select(Predicate<CompileReport.NeuronError> keep) {
      List<CompileReport.NeuronError> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        double[][] errs = {syn, mem, th};
        for (int w = 0; w < 3; w++) {
          if (!Double.isNaN(errs[w][i])) {
            CompileReport.NeuronError e = entry(i, w);
            if (keep.test(e)) {
              out.add(e);
            }
          }
        }
      }
      out.sort((a, b) -> a.error() != b.error() ? Double.compare(b.error(), a.error())
          : Integer.compare(a.neuron(), b.neuron()));
      return out;
    }

    /** Parameters over their target whose nearest chip value would meet it. */
    List<CompileReport.NeuronError> budgetMissList(double maxTau, double maxTh) {
      return select(e -> e.parameter().equals("threshold") ? e.error() > maxTh
          : e.error() > maxTau && e.floor() <= maxTau);
    }

    int budgetMisses(double maxTau, double maxTh) {
      return budgetMissList(maxTau, maxTh).size();
    }

    /** Time constants whose nearest decay already misses {@code target}. */
    List<CompileReport.NeuronError> resolutionMissList(double target) {
      return select(e -> !e.parameter().equals("threshold") && e.floor() > target);
    }

    List<CompileReport.NeuronError> worst(int k) {
      List<CompileReport.NeuronError> all = select(e -> e.error() > 0);
      return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }
  }

  private static double option(PassContext context, String name) {
    return context.options().relativeError(name);
  }

  private static boolean real(double tau) {
    return tau > 0 && tau != Double.POSITIVE_INFINITY;
  }

  /**
   * Groups for tau_mem when both time constants vary: the km (tau_syn then gets K / km) whose
   * larger min-max log error of the two is least.
   */
  private static int bestSplit(double[] logMem, double[] logSyn, int k) {
    // The tau_mem error falls and the tau_syn error rises with km: binary search for the crossing.
    int lo = 1;
    int hi = k;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (splitError(logMem, mid) <= splitError(logSyn, k / mid)) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    double at = Math.max(splitError(logMem, lo), splitError(logSyn, k / lo));
    if (lo > 1 && Math.max(splitError(logMem, lo - 1), splitError(logSyn, k / (lo - 1))) < at) {
      return lo - 1;
    }
    return lo;
  }

  private static double splitError(double[] logs, int groups) {
    return logs.length == 0 ? 0 : ValueClustering.minMaxError(logs, groups).maxAbsError();
  }

  private static double[] logTau(double[] tau, int[] order, int start, int end) {
    double[] out = new double[end - start];
    int m = 0;
    for (int q = start; q < end; q++) {
      double t = tau[order[q]];
      if (real(t)) {
        out[m++] = Math.log(t);
      }
    }
    return Arrays.copyOf(out, m);
  }

  /** Clusters one decay variable over positions start..end-1 of the order, in log-tau space. */
  private void cluster(int[] decay, double[] tau, int[] order, int start, int end, int k,
      Discretization.Variable variable, boolean fill, ChipSpec spec) {
    int m = 0;
    int[] idx = new int[end - start];
    Set<Integer> special = new HashSet<>();
    for (int q = start; q < end; q++) {
      int i = order[q];
      if (real(tau[i])) {
        idx[m++] = i;
      } else {
        special.add(decay[i]);
      }
    }
    int groups = Math.max(1, k - special.size());
    double[] logTau = new double[m];
    for (int j = 0; j < m; j++) {
      logTau[j] = Math.log(tau[idx[j]]);
    }
    if (m == 0) {
      return;
    }
    ValueClustering.Clustering c = fill ? ValueClustering.minMaxErrorFilled(logTau, groups)
        : ValueClustering.minMaxError(logTau, groups);
    int[] centreDecay = new int[c.groups()];
    for (int g = 0; g < c.groups(); g++) {
      centreDecay[g] = Discretization.decay(variable, Math.exp(c.centres()[g]), dt, convention, spec)
          .decay();
    }
    for (int j = 0; j < m; j++) {
      decay[idx[j]] = centreDecay[c.assignment()[j]];
    }
  }

  /**
   * Clusters the thresholds at positions start..end-1 of the order into k values (one of them for
   * the infinite ones, if any) with the least largest error; {@code fill}: the values that error
   * leaves unused still go to the widest groups.
   */
  private static void clusterThresholds(double[] th, int[] order, int start, int end, int k, boolean fill) {
    int m = 0;
    int[] idx = new int[end - start];
    boolean infinite = false;
    for (int q = start; q < end; q++) {
      int i = order[q];
      if (Double.isFinite(th[i])) {
        idx[m++] = i;
      } else {
        infinite = true;
      }
    }
    if (m == 0) {
      return;
    }
    double[] v = new double[m];
    for (int j = 0; j < m; j++) {
      v[j] = th[idx[j]];
    }
    int groups = Math.max(1, k - (infinite ? 1 : 0));
    ValueClustering.Clustering c = fill ? ValueClustering.minMaxErrorFilled(v, groups)
        : ValueClustering.minMaxError(v, groups);
    for (int j = 0; j < m; j++) {
      th[idx[j]] = c.centreOf(j);
    }
  }

  /** Neurons per core to expect for this population: neuron limit, lowered by synapse memory. */
  private static int chunkSize(Network net, Population pop, ChipSpec spec) {
    long synapses = 0;
    boolean delays = false;
    for (Projection p : net.projections()) {
      if (p.target().equals(pop.name())) {
        synapses += p.synapseCount();
        delays |= p.hasDelays();
      }
    }
    int chunk = spec.neuronsPerCore();
    double perNeuron = (double) synapses / pop.size();
    if (perNeuron > 0) {
      long bytesForCore = spec.synapseBytes((int) Math.min(spec.inputAxonsPerCore(),
          Math.ceil(perNeuron * chunk)), (long) Math.ceil(perNeuron * chunk), 8, delays);
      while (chunk > 1 && bytesForCore > spec.synapseMemoryBytesPerCore()) {
        chunk = Math.max(1, chunk * 9 / 10);
        bytesForCore = spec.synapseBytes((int) Math.min(spec.inputAxonsPerCore(),
            Math.ceil(perNeuron * chunk)), (long) Math.ceil(perNeuron * chunk), 8, delays);
      }
    }
    return chunk;
  }

  private static boolean varies(double[] values) {
    for (double v : values) {
      if (v != values[0]) {
        return true;
      }
    }
    return false;
  }

  /** Neurons by folded input gain, then dv, du and index (deterministic). */
  private static int[] gainOrder(DiscreteNeurons d) {
    double[] gain = d.gain();
    int[] du = d.du();
    int[] dv = d.dv();
    Integer[] order = new Integer[gain.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> gain[i])
        .thenComparingInt(i -> dv[i]).thenComparingInt(i -> du[i]).thenComparingInt(i -> i));
    int[] out = new int[order.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = order[i];
    }
    return out;
  }

  private static int[] sortedOrder(int[] du, int[] dv, double[] th) {
    int n = du.length;
    // Sort packed keys: dv above the neuron index.
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = ((long) dv[i] << 37) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = (int) (keys[i] & ((1L << 37) - 1));
    }
    // Ties keep index order: sorting further (by du, threshold) would scatter neurons whose
    // connectivity is local in index order, costing axons for little profile gain.
    return order;
  }

  private static int distinctDecays(int[] du, int[] dv, int[] refr,
      ResetMode[] mode, int start, int end, int[] order) {
    Set<Long> keys = new HashSet<>();
    for (int q = start; q < end; q++) {
      int i = order == null ? q : order[q];
      keys.add(((long) dv[i] << 40) | ((long) (du[i] + 1) << 24) | ((long) refr[i] << 1)
          | mode[i].ordinal());
    }
    return keys.size();
  }

  private static int distinctInts(int[] v, int[] order, int start, int end) {
    Set<Integer> s = new HashSet<>();
    for (int q = start; q < end; q++) {
      s.add(v[order[q]]);
    }
    return s.size();
  }

  private static int distinct(double[] v, int[] order, int start, int end) {
    Set<Double> s = new HashSet<>();
    for (int q = start; q < end; q++) {
      s.add(v[order == null ? q : order[q]]);
    }
    return s.size();
  }
}
