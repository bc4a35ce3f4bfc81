package org.quench.compiler.passes;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.quench.compiler.CompileReport;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.quant.ValueClustering;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Fits heterogeneous populations into the per-core profile tables (at most K decay rows and K'
 * thresholds per core). Runs on {@link DiscreteNeurons}, before quantization.
 *
 * <p>When a population has more distinct decay rows or thresholds than one core holds, its neurons
 * get a placement order sorted by dv (ties in index order), so that neurons with similar time constants
 * land on the same cores, and the order is cut into chunks of the neurons one core is expected to
 * take (the core's neuron limit, lowered when the neurons' fan-in fills the synapse memory first).
 * Only a chunk that still needs more than K values is clustered: optimally in one dimension with the
 * least largest error (ValueClustering.minMaxError), in log-tau space for the decays (each varying
 * time constant gets its own groups; when both tau_syn and tau_mem vary the budget is split as
 * km x K/km groups, km chosen to minimise the larger of the two min-max log errors) and in value space for thresholds. A group's time constant is the
 * geometric mean of its range, discretized again; its threshold the midpoint.
 *
 * <p>The realised relative errors (tau against the model's request, threshold against the model's
 * threshold) go to the report; compile options {@code maxTauError} and {@code maxThresholdError}
 * (relative, e.g. 0.05) turn a larger error into a QuenchException naming the population, the
 * neuron, the requested and the realised value. The partitioner starts each ordered population on
 * a fresh core so the chunks line up with cores.
 */
public final class ProfileBudget implements NetworkPass {
  /** Compile option: largest accepted relative error of a realised time constant. */
  public static final String MAX_TAU_ERROR = "maxTauError";
  /** Compile option: largest accepted relative error of a realised threshold. */
  public static final String MAX_THRESHOLD_ERROR = "maxThresholdError";

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
    for (Population p : network.populations()) {
      if (p.dynamics() instanceof DiscreteNeurons d) {
        out.replacePopulation(fit(network, p, d, context));
      }
    }
    return out.build();
  }

  private Population fit(Network net, Population pop, DiscreteNeurons d, PassContext context) {
    ChipSpec spec = context.spec();
    String name = pop.name();
    int n = d.size();
    int kd = spec.decayProfilesPerCore();
    int kt = spec.thresholdProfilesPerCore();
    int[] du = d.du();
    int[] dv = d.dv();
    double[] th = d.threshold();
    int[] refr = d.refractory();
    org.quench.compiler.ir.ResetMode[] mode = d.resetMode();
    int decaysBefore = distinctDecays(du, dv, refr, mode, 0, n, null);
    int thresholdsBefore = distinct(th, null, 0, n);
    Population result = pop;
    int[] order = null;
    if (decaysBefore > kd || thresholdsBefore > kt) {
      order = sortedOrder(du, dv, th);
      int chunk = chunkSize(net, pop, spec);
      double[] tauSyn = d.tauSynRequested();
      double[] tauMem = d.tauMemRequested();
      int clustered = 0;
      for (int start = 0; start < n; start += chunk) {
        int end = Math.min(n, start + chunk);
        boolean changed = false;
        if (distinctDecays(du, dv, refr, mode, start, end, order) > kd) {
          boolean synVaries = distinctInts(du, order, start, end) > 1;
          boolean memVaries = distinctInts(dv, order, start, end) > 1;
          int dvCount = distinctInts(dv, order, start, end);
          int km = kd;
          if (synVaries && memVaries) {
            km = bestSplit(logTau(tauMem, order, start, end), logTau(tauSyn, order, start, end), kd);
          }
          int ks = synVaries && memVaries ? kd / km : kd;
          if (memVaries && dvCount > km) {
            cluster(dv, tauMem, order, start, end, km, Discretization.Variable.VOLTAGE, spec);
          }
          if (synVaries) {
            cluster(du, tauSyn, order, start, end, ks, Discretization.Variable.CURRENT, spec);
          }
          changed = true;
        }
        if (distinct(th, order, start, end) > kt) {
          clusterThresholds(th, order, start, end, kt);
          changed = true;
        }
        clustered += changed ? 1 : 0;
      }
      result = pop.withPlacementOrder(order).withDynamics(d.withProfiles(name, du, dv, th));
      context.report().decision("profile-budget: population '" + name + "' (" + n + " neurons) needs "
          + decaysBefore + " decay rows and " + thresholdsBefore + " thresholds (per core: " + kd
          + ", " + kt + "): neurons ordered by profile in chunks of " + chunk + ", " + clustered
          + " chunk(s) clustered");
    }
    int decaysAfter = distinctDecays(du, dv, refr, mode, 0, n, null);
    int thresholdsAfter = distinct(th, null, 0, n);
    context.report().profiles(name, decaysBefore, decaysAfter, thresholdsBefore, thresholdsAfter);
    errors(name, d, du, dv, th, context);
    return result;
  }

  /** Realised errors into the report, and the user's bounds enforced. */
  private void errors(String name, DiscreteNeurons d, int[] du, int[] dv, double[] th,
      PassContext context) {
    ChipSpec spec = context.spec();
    double[] tauSyn = d.tauSynRequested();
    double[] tauMem = d.tauMemRequested();
    double[] thReq = d.thresholdRequested();
    int n = d.size();
    double[] synErr = new double[n];
    double[] memErr = new double[n];
    double[] thErr = new double[n];
    int ns = 0;
    int nm = 0;
    int nt = 0;
    double maxTau = option(context, MAX_TAU_ERROR);
    double maxTh = option(context, MAX_THRESHOLD_ERROR);
    for (int i = 0; i < n; i++) {
      if (real(tauSyn[i])) {
        double t = Discretization.realisedTau(Discretization.Variable.CURRENT, du[i], dt, convention, spec);
        synErr[ns++] = check(name, i, "tau_syn", tauSyn[i], t, maxTau, MAX_TAU_ERROR);
      }
      if (real(tauMem[i])) {
        double t = Discretization.realisedTau(Discretization.Variable.VOLTAGE, dv[i], dt, convention, spec);
        memErr[nm++] = check(name, i, "tau_mem", tauMem[i], t, maxTau, MAX_TAU_ERROR);
      }
      if (Double.isFinite(thReq[i]) && thReq[i] != 0) {
        thErr[nt++] = check(name, i, "threshold", thReq[i], th[i], maxTh, MAX_THRESHOLD_ERROR);
      }
    }
    context.report().tauErrors(name, CompileReport.ErrorStats.of(Arrays.copyOf(synErr, ns)),
        CompileReport.ErrorStats.of(Arrays.copyOf(memErr, nm)));
    CompileReport.ErrorStats te = CompileReport.ErrorStats.of(Arrays.copyOf(thErr, nt));
    if (te.max() > 0) {
      context.report().decision("profile-budget: population '" + name + "' threshold clustering"
          + " relative error mean " + (float) te.mean() + ", p95 " + (float) te.p95() + ", max "
          + (float) te.max());
    }
  }

  private static double check(String pop, int i, String what, double requested, double realised,
      double bound, String option) {
    double err = Math.abs(realised - requested) / Math.abs(requested);
    if (err > bound) {
      throw new QuenchException("population '" + pop + "' neuron " + i + ": " + what + " requested "
          + requested + ", realised " + realised + " (relative error " + (float) err + " > "
          + option + " " + bound + "); the per-core profile budget or the chip's decay resolution"
          + " cannot do better here: raise " + option + ", use a chip spec with more profiles per"
          + " core, or make the population less heterogeneous");
    }
    return err;
  }

  private static double option(PassContext context, String name) {
    String v = context.options().get(name, null);
    if (v == null) {
      return Double.POSITIVE_INFINITY;
    }
    try {
      double d = Double.parseDouble(v);
      if (!(d >= 0)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new QuenchException("option " + name + " = '" + v + "' is not a relative error >= 0"
          + " (e.g. 0.05)");
    }
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
      Discretization.Variable variable, ChipSpec spec) {
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
    ValueClustering.Clustering c = ValueClustering.minMaxError(logTau, groups);
    int[] centreDecay = new int[c.groups()];
    for (int g = 0; g < c.groups(); g++) {
      centreDecay[g] = Discretization.decay(variable, Math.exp(c.centres()[g]), dt, convention, spec)
          .decay();
    }
    for (int j = 0; j < m; j++) {
      decay[idx[j]] = centreDecay[c.assignment()[j]];
    }
  }

  private static void clusterThresholds(double[] th, int[] order, int start, int end, int k) {
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
    ValueClustering.Clustering c = ValueClustering.minMaxError(v, Math.max(1, k - (infinite ? 1 : 0)));
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
      org.quench.compiler.ir.ResetMode[] mode, int start, int end, int[] order) {
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
