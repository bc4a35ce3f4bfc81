package org.quench.compiler.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a compilation decided and what it cost: resources per used core, the decisions passes
 * made (e.g. "layer 1 weights optimised: MIXED, 9 bits") and warnings a user should read (clamped
 * delays, semantics that differ from the source framework). Immutable; passes add to a
 * {@link Builder}. Later passes extend it with their own sections.
 */
public final class CompileReport {
  /**
   * Resources of one core. Axon and profile counts follow the spec's definitions: one input axon
   * per (projection, source neuron with a synapse into the core), one output axon per (source
   * neuron on this core, destination axon group) pair (hal's OutputAxons), synapse memory per ChipSpec.synapseBytes summed
   * over the core's axon groups.
   */
  public record CoreUsage(int chip, int core, int neurons, int decayProfiles, int thresholdProfiles,
      int inputAxons, int outputAxons, long synapses, long synapseBytes) {}

  /**
   * A distribution of non-negative errors (relative unless the field says otherwise).
   *
   * @param count how many values
   * @param mean arithmetic mean
   * @param p50 median (nearest rank)
   * @param p95 95th percentile (nearest rank)
   * @param max largest
   */
  public record ErrorStats(int count, double mean, double p50, double p95, double max) {
    /** No values. */
    public static final ErrorStats NONE = new ErrorStats(0, 0, 0, 0, 0);

    /** The statistics of {@code errors} (absolute values are taken; NaN not allowed). */
    public static ErrorStats of(double[] errors) {
      if (errors.length == 0) {
        return NONE;
      }
      double[] a = new double[errors.length];
      double sum = 0;
      for (int i = 0; i < a.length; i++) {
        a[i] = Math.abs(errors[i]);
        sum += a[i];
      }
      Arrays.sort(a);
      return new ErrorStats(a.length, sum / a.length, rank(a, 0.5), rank(a, 0.95), a[a.length - 1]);
    }

    private static double rank(double[] sorted, double q) {
      int k = (int) Math.ceil(q * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, k))];
    }
  }

  /**
   * What quantization did to one population's parameters, requested vs realised.
   *
   * @param population name
   * @param neurons size
   * @param scale chip voltage units per model voltage unit (0 if the population was already fixed)
   * @param tauSyn relative error of the realised synaptic time constants (after clustering)
   * @param tauMem relative error of the realised membrane time constants (after clustering)
   * @param threshold relative error of the realised thresholds (spiking neurons only)
   * @param bias absolute error of the realised bias per step, in units of the largest requested
   *     |bias| (0 when all biases are 0)
   * @param distinctDecaysRequested distinct (du, dv, refractory, reset) rows before clustering
   * @param distinctDecaysRealized after clustering
   * @param distinctThresholdsRequested distinct thresholds before clustering
   * @param distinctThresholdsRealized after clustering
   * @param thresholdsClamped thresholds beyond the mantissa range
   * @param biasesClamped biases beyond what the mantissa and exponent reach
   * @param uHeadroomBits static worst-case bits to spare before u wraps (negative: may overflow)
   * @param vHeadroomBits the same for v before it saturates
   */
  public record PopulationQuality(String population, int neurons, double scale, ErrorStats tauSyn,
      ErrorStats tauMem, ErrorStats threshold, ErrorStats bias, int distinctDecaysRequested,
      int distinctDecaysRealized, int distinctThresholdsRequested, int distinctThresholdsRealized,
      int thresholdsClamped, int biasesClamped, double uHeadroomBits, double vHeadroomBits) {}

  /**
   * What quantization did to one projection's weights.
   *
   * @param projection name
   * @param synapses count
   * @param weightExp chosen exponent
   * @param numWeightBits bits kept
   * @param signMode MIXED, EXCITATORY or INHIBITORY
   * @param clipped weights beyond the mantissa range
   * @param zeroed non-zero weights that became 0
   * @param rmsRelError {@code sqrt(sum (realised - requested)^2 / sum requested^2)}
   * @param maxRelError largest absolute error over the largest |requested|
   * @param causes the RMS error split by cause (null for weights that were already fixed point)
   * @param weightExpMin the smallest exponent of the projection's axon groups (one per destination
   *     core; equal to {@code weightExp} when all share it)
   * @param weightExpMax the largest exponent of its axon groups
   * @param oneExponentRmsRelError the RMS relative error with {@code weightExp} on every core (what
   *     exponents per core saved: this minus {@code rmsRelError})
   */
  public record ProjectionQuality(String projection, long synapses, int weightExp,
      int numWeightBits, String signMode, int clipped, int zeroed, double rmsRelError,
      double maxRelError, WeightErrorCauses causes, int weightExpMin, int weightExpMax,
      double oneExponentRmsRelError) {
    /** One exponent for every core. */
    public ProjectionQuality(String projection, long synapses, int weightExp, int numWeightBits,
        String signMode, int clipped, int zeroed, double rmsRelError, double maxRelError,
        WeightErrorCauses causes) {
      this(projection, synapses, weightExp, numWeightBits, signMode, clipped, zeroed, rmsRelError,
          maxRelError, causes, weightExp, weightExp, rmsRelError);
    }
  }

  /**
   * A projection's RMS relative weight error split by cause, each relative to the RMS of the
   * requested weights; {@code mantissa^2 + sharedExponent^2 + clipping^2 = total^2}.
   *
   * @param mantissa what rounding to the mantissa would cost with an exponent per target neuron
   *     (the limit of the mantissa's bits: a larger scale or fewer tiny weights lowers it)
   * @param sharedExponent what one exponent for all targets adds on top (targets whose weights
   *     differ in magnitude share one exponent)
   * @param clipping weights beyond the largest mantissa at the exponent (a smaller scale fixes it)
   * @param foldedGain the part of the total that disappears when every target neuron has the same
   *     folded input gain (e.g. dt/tau_syn): per-neuron gains spread the weights' magnitudes
   */
  public record WeightErrorCauses(double mantissa, double sharedExponent, double clipping,
      double foldedGain) {}

  /**
   * Static spike traffic: routes (one per source neuron and destination core) that leave their
   * core or chip; every spike of such a neuron crosses once per route. With rates known, the
   * expected crossings per step.
   *
   * @param routes all (source neuron, destination core) pairs
   * @param interCoreRoutes routes to another core
   * @param interChipRoutes routes to another chip
   * @param expectedInterCoreSpikesPerStep with the given rates, or -1 if no rates were given
   */
  public record Traffic(long routes, long interCoreRoutes, long interChipRoutes,
      double expectedInterCoreSpikesPerStep) {}

  /**
   * Every neuron of one population as requested by the model and as realised on the chip, in
   * population index order. Time constants are in seconds, thresholds in model voltage units; NaN
   * where a value does not apply (no synaptic filter, a readout without threshold). A profile
   * index points into the decay or threshold table of the neuron's core ({@code chip.core}).
   *
   * @param population name
   * @param core {@code "chip.core"} the neuron sits on
   * @param decayProfile row of that core's decay profile table
   * @param thresholdProfile row of that core's threshold profile table
   * @param tauSynRequested the model's tau_syn (s)
   * @param tauSynRealized what the chip's du realises at the compile's dt (s)
   * @param tauMemRequested the model's tau_mem (s)
   * @param tauMemRealized what the chip's dv realises (s)
   * @param thresholdRequested the model's threshold (model units)
   * @param thresholdRealized the chip's threshold divided by the population's scale, plus its
   *     voltage offset (model units)
   */
  public record NeuronValues(String population, String[] core, int[] decayProfile,
      int[] thresholdProfile, double[] tauSynRequested, double[] tauSynRealized,
      double[] tauMemRequested, double[] tauMemRealized, double[] thresholdRequested,
      double[] thresholdRealized) {}

  /**
   * One neuron parameter's realised error and what limits it.
   *
   * @param neuron index in its population
   * @param parameter tau_syn, tau_mem or threshold
   * @param requested what the model asked for (seconds for time constants)
   * @param realised what the chip realises
   * @param error relative error
   * @param floor the error of the nearest value the chip can hold at this dt (0 for thresholds):
   *     no number of cores lowers the error below it
   * @param limit "resolution" when the error is the floor (fixable only by dt or another chip),
   *     "budget" when sharing profile rows costs more (fixable with cores)
   */
  public record NeuronError(int neuron, String parameter, double requested, double realised,
      double error, double floor, String limit) {}

  /**
   * What a precision target costs: about {@code cores} cores for this population at that tau error.
   *
   * @param tauError relative error target for every budget-limited time constant
   * @param cores cores the tolerance cover needs
   */
  public record TargetCost(double tauError, int cores) {}

  /**
   * A population's precision: its error split by limit, the core budget spent on it and what a
   * tighter target would cost.
   *
   * @param population name
   * @param tauTarget the --max-tau-error aimed at (infinite: none, fewest cores)
   * @param thresholdTarget the --max-threshold-error aimed at (infinite: none)
   * @param cores cores the profile plan expects the population to take
   * @param budgetLimited time constants whose error is above their resolution floor
   * @param resolutionLimited time constants whose nearest decay misses the target (with a target)
   *     or whose error equals a non-zero floor (without one)
   * @param tau the realised errors of all real time constants (tau_syn and tau_mem together)
   * @param tauFloor the resolution floors of all real time constants
   * @param suggestedDt a round dt at which every time constant resolves within the target (or, with
   *     no target, within 2 %), NaN when none is needed or none was found
   * @param costs cores the tolerance cover needs per tau target (no-target compiles)
   * @param worst the largest errors, worst first (at most 10)
   */
  public record Precision(String population, double tauTarget, double thresholdTarget, int cores,
      int budgetLimited, int resolutionLimited, ErrorStats tau, ErrorStats tauFloor, double suggestedDt,
      List<TargetCost> costs, List<NeuronError> worst) {}

  /**
   * One projection's weight error against what cores can do about it.
   *
   * @param projection name
   * @param rmsRelError the RMS relative error with an exponent per (projection, core) on the
   *     compile's cores
   * @param floorRelError the RMS relative error with an exponent per target neuron: the mantissa's
   *     bits and clipping, which no number of cores lowers
   * @param floorClipping the clipped weights' part of the floor (RMS relative)
   */
  public record WeightFloor(String projection, double rmsRelError, double floorRelError,
      double floorClipping) {}

  /**
   * What a weight target costs: the {@code cores} in all for every projection to reach
   * {@code rmsRelError}; -1 (null in JSON) when no number of cores reaches it (below a projection's
   * floor, beyond the spec's cores, or, priced exactly, output axons overflow beyond relief).
   * Exact or estimated as {@link WeightPrecision#costsExact()} says. {@code compileError} is
   * non-null (and {@code cores} -1) when, priced exactly, the compile with that target failed
   * before its splitting: the failure's own message, which says what went wrong there (the target
   * may well be reachable once that is fixed). Named apart from the relative errors beside it: it
   * is a message, not an amount.
   */
  public record WeightCost(double rmsRelError, int cores, String compileError) {
    /** A cost without a failed compile. */
    public WeightCost(double rmsRelError, int cores) {
      this(rmsRelError, cores, null);
    }
  }

  /**
   * What {@code --max-weight-error} bought, or without one what it would cost.
   *
   * @param target the target (infinite: none was set)
   * @param coresBefore the partition's cores before the target bought any
   * @param cores the cores after it (equal to coresBefore without a target)
   * @param projections each judged projection's error and floor
   * @param costs cores per weight target (no-target compiles; only targets tighter than the worst
   *     projection, loosest first, up to the first that cannot be met)
   * @param costsExact whether each cost is what a compile with that target uses (its own scales,
   *     gain order and partition, then its splitting with output axons counted); false: an
   *     estimate from this compile's cores cut in order of weight size, without output axons, which
   *     can be low at tight targets (docs/precision.md)
   */
  public record WeightPrecision(double target, int coresBefore, int cores, List<WeightFloor> projections,
      List<WeightCost> costs, boolean costsExact) {
    public WeightPrecision {
      projections = List.copyOf(projections);
      costs = List.copyOf(costs);
    }
  }

  private final List<CoreUsage> cores;
  private final List<Precision> precision;
  private final WeightPrecision weightPrecision;
  private final List<String> decisions;
  private final List<String> warnings;
  private final List<PopulationQuality> populations;
  private final List<ProjectionQuality> projections;
  private final Traffic traffic;
  private final CompensationReport compensation;
  private final Map<String, Long> timings;
  private final List<String> timingOrder;
  private final double dtSeconds;
  private final String discretization;
  private final List<NeuronValues> neurons;

  private CompileReport(Builder b) {
    dtSeconds = b.dtSeconds;
    discretization = b.discretization;
    neurons = List.copyOf(b.neurons);
    cores = List.copyOf(b.cores);
    precision = List.copyOf(b.precision.values());
    weightPrecision = b.weightPrecision;
    decisions = List.copyOf(b.decisions);
    warnings = List.copyOf(b.warnings);
    List<PopulationQuality> pq = new ArrayList<>();
    for (PopulationEntry e : b.populations.values()) {
      pq.add(e.build());
    }
    populations = List.copyOf(pq);
    projections = List.copyOf(b.projections.values());
    traffic = b.traffic;
    compensation = b.compensation;
    timings = Map.copyOf(new LinkedHashMap<>(b.timings));
    timingOrder = List.copyOf(b.timings.keySet());
  }

  /** Seconds per stage in pipeline order (wall time; differs run to run). */
  public Map<String, Double> timings() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : timingOrder) {
      m.put(k, timings.get(k) / 1e9);
    }
    return m;
  }

  /** What calibration-aware compensation did, or null when the compile had no profile. */
  public CompensationReport compensation() {
    return compensation;
  }

  public List<PopulationQuality> populations() {
    return populations;
  }

  /** Seconds of model time per chip step the model was discretized at; NaN when none was. */
  public double dtSeconds() {
    return dtSeconds;
  }

  /** The discretization convention ("EXACT", "FORWARD_EULER"), empty when none was applied. */
  public String discretization() {
    return discretization;
  }

  /** Per-neuron requested and realised values of populations compiled from float dynamics. */
  public List<NeuronValues> neurons() {
    return neurons;
  }

  /** Per population with float dynamics: what limits its precision and what more would cost. */
  public List<Precision> precision() {
    return precision;
  }

  /** What the weight target bought or would cost; null when no projection's weights were rounded. */
  public WeightPrecision weightPrecision() {
    return weightPrecision;
  }

  public List<ProjectionQuality> projections() {
    return projections;
  }

  /** Traffic estimate, or null when no placement happened. */
  public Traffic traffic() {
    return traffic;
  }

  /** Chips used (highest chip address + 1; 0 with no cores). */
  public int chips() {
    int n = 0;
    for (CoreUsage c : cores) {
      n = Math.max(n, c.chip() + 1);
    }
    return n;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Used cores in (chip, core) order. */
  public List<CoreUsage> cores() {
    return cores;
  }

  public List<String> decisions() {
    return decisions;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** A multi-line summary a person can read. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append(cores.size()).append(" core(s)\n");
    s.append("chip core neurons decay thr  in_axons out_axons synapses bytes\n");
    for (CoreUsage c : cores) {
      s.append(String.format("%4d %4d %7d %5d %4d %9d %9d %8d %d%n", c.chip(), c.core(), c.neurons(),
          c.decayProfiles(), c.thresholdProfiles(), c.inputAxons(), c.outputAxons(), c.synapses(),
          c.synapseBytes()));
    }
    for (String d : decisions) {
      s.append("decision: ").append(d).append('\n');
    }
    for (String w : warnings) {
      s.append("warning: ").append(w).append('\n');
    }
    return s.toString();
  }

  /**
   * The report as JSON: {@code dtSeconds} and {@code discretization} (null/"" for a fixed-point
   * model), {@code chips}, {@code cores} (per core: chip, core, neurons, decayProfiles,
   * thresholdProfiles, inputAxons, outputAxons, synapses, synapseBytes), {@code populations} (per
   * population: chipUnitsPerModelUnit, tauSynRelError/tauMemRelError/thresholdRelError statistics
   * {count, mean, p50, p95, max}, biasErrorOfMaxBias (absolute bias error over the largest |bias|),
   * distinct profiles requested and realised, clamps, u/v headroom bits: null when no input can
   * reach the neuron), {@code projections} (per projection: weightExp, numWeightBits, signMode,
   * clipped, zeroed, rmsRelError, maxRelError), {@code weightPrecision} (what --max-weight-error
   * bought, or without it the cores weight targets would cost, {@code costs} per target:
   * rmsRelError, cores (null: not reachable) and compileError (null unless the compile with it
   * failed); each projection's floor: the error an exponent per target neuron leaves; null without
   * rounded weights), {@code traffic} (expectedInterCoreSpikesPerStep
   * null without rates), {@code neurons} (per population, per neuron arrays: core, decayProfile,
   * thresholdProfile, tau and threshold requested and realised, seconds and model units),
   * {@code warnings}, {@code decisions}, and with a device profile {@code compensation} (per
   * parameter before/after statistics, notCompensated, notes; see CompensationReport). A value that does not exist is null, never a sentinel.
   */
  public String toJson() {
    JsonText j = new JsonText();
    j.open('{');
    j.key("dtSeconds").value(dtSeconds).key("discretization").value(discretization);
    j.key("chips").value(chips());
    j.key("cores").open('[');
    for (CoreUsage c : cores) {
      j.open('{').key("chip").value(c.chip()).key("core").value(c.core()).key("neurons").value(c.neurons())
          .key("decayProfiles").value(c.decayProfiles()).key("thresholdProfiles").value(c.thresholdProfiles())
          .key("inputAxons").value(c.inputAxons()).key("outputAxons").value(c.outputAxons())
          .key("synapses").value(c.synapses()).key("synapseBytes").value(c.synapseBytes()).close('}');
    }
    j.close(']');
    j.key("populations").open('[');
    for (PopulationQuality p : populations) {
      j.open('{').key("population").value(p.population()).key("neurons").value(p.neurons())
          .key("chipUnitsPerModelUnit").value(p.scale());
      stats(j.key("tauSynRelError"), p.tauSyn());
      stats(j.key("tauMemRelError"), p.tauMem());
      stats(j.key("thresholdRelError"), p.threshold());
      stats(j.key("biasErrorOfMaxBias"), p.bias());
      j.key("distinctDecaysRequested").value(p.distinctDecaysRequested())
          .key("distinctDecaysRealized").value(p.distinctDecaysRealized())
          .key("distinctThresholdsRequested").value(p.distinctThresholdsRequested())
          .key("distinctThresholdsRealized").value(p.distinctThresholdsRealized())
          .key("thresholdsClamped").value(p.thresholdsClamped())
          .key("biasesClamped").value(p.biasesClamped())
          .key("uHeadroomBits").value(finiteOrNull(p.uHeadroomBits()))
          .key("vHeadroomBits").value(finiteOrNull(p.vHeadroomBits()))
          .close('}');
    }
    j.close(']');
    j.key("precision").open('[');
    for (Precision p : precision) {
      j.open('{').key("population").value(p.population()).key("tauTargetRelError").value(finiteOrNull(p.tauTarget()))
          .key("thresholdTargetRelError").value(finiteOrNull(p.thresholdTarget())).key("cores").value(p.cores())
          .key("budgetLimited").value(p.budgetLimited()).key("resolutionLimited").value(p.resolutionLimited());
      stats(j.key("tau"), p.tau());
      stats(j.key("tauFloor"), p.tauFloor());
      j.key("suggestedDtSeconds").value(finiteOrNull(p.suggestedDt())).key("costs").open('[');
      for (TargetCost c : p.costs()) {
        j.open('{').key("tauError").value(c.tauError()).key("cores").value(c.cores()).close('}');
      }
      j.close(']').key("worst").open('[');
      for (NeuronError e : p.worst()) {
        j.open('{').key("neuron").value(e.neuron()).key("parameter").value(e.parameter())
            .key("requested").value(e.requested()).key("realised").value(e.realised())
            .key("error").value(e.error()).key("floor").value(e.floor()).key("limit").value(e.limit())
            .close('}');
      }
      j.close(']').close('}');
    }
    j.close(']');
    j.key("projections").open('[');
    for (ProjectionQuality q : projections) {
      j.open('{').key("projection").value(q.projection()).key("synapses").value(q.synapses())
          .key("weightExp").value(q.weightExp()).key("numWeightBits").value(q.numWeightBits())
          .key("signMode").value(q.signMode()).key("clipped").value(q.clipped())
          .key("zeroed").value(q.zeroed()).key("rmsRelError").value(q.rmsRelError())
          .key("maxRelError").value(q.maxRelError()).key("weightExpMin").value(q.weightExpMin())
          .key("weightExpMax").value(q.weightExpMax())
          .key("oneExponentRmsRelError").value(q.oneExponentRmsRelError());
      if (q.causes() != null) {
        WeightErrorCauses c = q.causes();
        j.key("causes").open('{').key("mantissa").value(c.mantissa())
            .key("sharedExponent").value(c.sharedExponent()).key("clipping").value(c.clipping())
            .key("foldedGain").value(c.foldedGain()).close('}');
      }
      j.close('}');
    }
    j.close(']');
    j.key("weightPrecision");
    if (weightPrecision == null) {
      j.nullValue();
    } else {
      WeightPrecision w = weightPrecision;
      j.open('{').key("targetRelError").value(finiteOrNull(w.target())).key("coresBefore")
          .value(w.coresBefore()).key("cores").value(w.cores()).key("projections").open('[');
      for (WeightFloor f : w.projections()) {
        j.open('{').key("projection").value(f.projection()).key("rmsRelError").value(f.rmsRelError())
            .key("floorRelError").value(f.floorRelError()).key("floorClipping").value(f.floorClipping())
            .close('}');
      }
      j.close(']').key("costsExact").value(w.costsExact()).key("costs").open('[');
      for (WeightCost c : w.costs()) {
        j.open('{').key("rmsRelError").value(c.rmsRelError()).key("cores");
        if (c.cores() < 0) {
          j.nullValue();
        } else {
          j.value(c.cores());
        }
        j.key("compileError");
        if (c.compileError() == null) {
          j.nullValue();
        } else {
          j.value(c.compileError());
        }
        j.close('}');
      }
      j.close(']').close('}');
    }
    j.key("traffic");
    if (traffic == null) {
      j.nullValue();
    } else {
      j.open('{').key("routes").value(traffic.routes()).key("interCoreRoutes").value(traffic.interCoreRoutes())
          .key("interChipRoutes").value(traffic.interChipRoutes())
          .key("expectedInterCoreSpikesPerStep")
          .value(traffic.expectedInterCoreSpikesPerStep() < 0 ? Double.NaN : traffic.expectedInterCoreSpikesPerStep())
          .close('}');
    }
    if (compensation != null) {
      compensation.toJson(j.key("compensation"));
    }
    j.key("neurons").open('[');
    for (NeuronValues v : neurons) {
      j.open('{').key("population").value(v.population());
      j.key("core").open('[');
      for (String c : v.core()) {
        j.value(c);
      }
      j.close(']');
      ints(j.key("decayProfile"), v.decayProfile());
      ints(j.key("thresholdProfile"), v.thresholdProfile());
      doubles(j.key("tauSynRequestedSeconds"), v.tauSynRequested());
      doubles(j.key("tauSynRealizedSeconds"), v.tauSynRealized());
      doubles(j.key("tauMemRequestedSeconds"), v.tauMemRequested());
      doubles(j.key("tauMemRealizedSeconds"), v.tauMemRealized());
      doubles(j.key("thresholdRequested"), v.thresholdRequested());
      doubles(j.key("thresholdRealized"), v.thresholdRealized());
      j.close('}');
    }
    j.close(']');
    j.key("timings").open('{');
    for (Map.Entry<String, Double> t : timings().entrySet()) {
      j.key(t.getKey()).value(t.getValue());
    }
    j.close('}');
    j.key("warnings").open('[');
    for (String w : warnings) {
      j.value(w);
    }
    j.close(']');
    j.key("decisions").open('[');
    for (String d : decisions) {
      j.value(d);
    }
    j.close(']');
    j.close('}');
    return j.toString();
  }

  private static double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : Double.NaN;
  }

  private static void ints(JsonText j, int[] values) {
    j.open('[');
    for (int v : values) {
      j.value(v);
    }
    j.close(']');
  }

  /** Infinite values (an integrator's tau_mem) are written as null like NaN. */
  private static void doubles(JsonText j, double[] values) {
    j.open('[');
    for (double v : values) {
      j.value(finiteOrNull(v));
    }
    j.close(']');
  }

  private static void stats(JsonText j, ErrorStats s) {
    j.open('{').key("count").value(s.count()).key("mean").value(s.mean()).key("p50").value(s.p50())
        .key("p95").value(s.p95()).key("max").value(s.max()).close('}');
  }

  /** A short readable summary (about a dozen lines) for the console. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    long neurons = 0;
    long synapses = 0;
    int maxDecay = 0;
    int maxThr = 0;
    for (CoreUsage c : cores) {
      neurons += c.neurons();
      synapses += c.synapses();
      maxDecay = Math.max(maxDecay, c.decayProfiles());
      maxThr = Math.max(maxThr, c.thresholdProfiles());
    }
    s.append(dtLine()).append('\n');
    s.append(String.format(Locale.ROOT, "%d neurons, %d synapses on %d core(s) of %d chip(s)%n",
        neurons, synapses, cores.size(), chips()));
    s.append(String.format(Locale.ROOT, "profiles per core: at most %d decay, %d threshold%n",
        maxDecay, maxThr));
    ErrorStats worstTau = ErrorStats.NONE;
    ErrorStats worstTh = ErrorStats.NONE;
    double minHead = Double.POSITIVE_INFINITY;
    String tauPop = "";
    for (PopulationQuality p : populations) {
      for (ErrorStats t : List.of(p.tauSyn(), p.tauMem())) {
        if (t.max() >= worstTau.max() && t.count() > 0) {
          worstTau = t;
          tauPop = p.population();
        }
      }
      if (p.threshold().max() >= worstTh.max()) {
        worstTh = p.threshold();
      }
      minHead = Math.min(minHead, Math.min(p.uHeadroomBits(), p.vHeadroomBits()));
    }
    s.append(String.format(Locale.ROOT, "tau rel. error: mean %.2g, p95 %.2g, max %.2g%s%n",
        worstTau.mean(), worstTau.p95(), worstTau.max(), tauPop.isEmpty() ? "" : " (in '" + tauPop + "')"));
    s.append(String.format(Locale.ROOT, "threshold rel. error: max %.2g%n", worstTh.max()));
    for (Precision p : precision) {
      if (p.tau().count() > 0) {
        s.append(precisionLine(p));
      }
    }
    double worstW = 0;
    int clipped = 0;
    int zeroed = 0;
    ProjectionQuality worstP = null;
    for (ProjectionQuality q : projections) {
      if (worstP == null || q.rmsRelError() > worstW) {
        worstW = q.rmsRelError();
        worstP = q;
      }
      clipped += q.clipped();
      zeroed += q.zeroed();
    }
    s.append(String.format(Locale.ROOT, "weights: worst RMS rel. error %.2g, %d clipped, %d zeroed%n",
        worstW, clipped, zeroed));
    if (worstP != null && worstP.causes() != null && worstW > 0) {
      WeightErrorCauses c = worstP.causes();
      s.append(String.format(Locale.ROOT, "  '%s' %s: mantissa %s, shared exponent %s, clipping %s;"
          + " folded per-neuron gain %s%s%n", worstP.projection(), percent(worstW), percent(c.mantissa()),
          percent(c.sharedExponent()), percent(c.clipping()), percent(c.foldedGain()),
          worstP.weightExpMin() == worstP.weightExpMax() ? ""
              : "; exponents " + worstP.weightExpMin() + ".." + worstP.weightExpMax() + " per core (one"
                  + " exponent: " + percent(worstP.oneExponentRmsRelError()) + ")"));
    }
    s.append(weightPrecisionLine());
    s.append(Double.isFinite(minHead)
        ? String.format(Locale.ROOT, "overflow headroom (worst case): %.1f bits%s%n", minHead,
            minHead < 0 ? " (negative: may overflow, see warnings)" : "")
        : "overflow headroom (worst case): unbounded (no input reaches a neuron)\n");
    if (traffic != null) {
      s.append(String.format(Locale.ROOT, "routes: %d, %d between cores, %d between chips%n",
          traffic.routes(), traffic.interCoreRoutes(), traffic.interChipRoutes()));
    }
    if (compensation != null) {
      s.append(compensation.summary());
    }
    s.append(warnings.size()).append(" warning(s)");
    for (int i = 0; i < Math.min(3, warnings.size()); i++) {
      s.append("\n  ").append(warnings.get(i));
    }
    s.append('\n');
    return s.toString();
  }

  /** "dt 0.0001 s = 0.1 ms per step (EXACT discretization)" or what a fixed-point model means. */
  public String dtLine() {
    if (Double.isNaN(dtSeconds)) {
      return "dt: none (fixed-point model: time is counted in chip steps)";
    }
    return String.format(Locale.ROOT, "dt %s s = %s ms per step (%s discretization)",
        shortNumber(dtSeconds), shortNumber(dtSeconds * 1e3), discretization);
  }

  private static String shortNumber(double v) {
    String g = String.format(Locale.ROOT, "%.6g", v);
    if (g.contains("e")) {
      return g.replaceAll("\\.?0+e", "e");
    }
    return g.contains(".") ? g.replaceAll("\\.?0+$", "") : g;
  }

  /** "precision 'pop': tau p95 14 % on 9 cores; <= 5 %: about 17 cores, ..." or the target met. */
  private String precisionLine(Precision p) {
    ErrorStats tau = ErrorStats.NONE;
    for (PopulationQuality q : populations) {
      if (q.population().equals(p.population())) {
        tau = q.tauMem().p95() >= q.tauSyn().p95() ? q.tauMem() : q.tauSyn();
      }
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "precision '%s': tau p95 %s on %d core(s)",
        p.population(), percent(tau.p95()), p.cores()));
    if (Double.isFinite(p.tauTarget())) {
      s.append(String.format(Locale.ROOT, ", target %s met by every time constant", percent(p.tauTarget())));
    }
    // Only targets tighter than what this compile already reaches tell the user something.
    List<TargetCost> tighter = new ArrayList<>();
    for (TargetCost c : p.costs()) {
      if (c.tauError() >= 0.02 && c.tauError() < tau.p95()) {
        tighter.add(c);
      }
    }
    if (!Double.isFinite(p.tauTarget()) && tighter.isEmpty() && p.resolutionLimited() == 0) {
      return "";
    }
    if (!tighter.isEmpty()) {
      s.append(';');
      for (TargetCost c : tighter) {
        s.append(String.format(Locale.ROOT, " <= %s needs about %d,", percent(c.tauError()), c.cores()));
      }
      s.setLength(s.length() - 1);
    }
    if (p.resolutionLimited() > 0) {
      s.append(String.format(Locale.ROOT, "; %d time constant(s) resolution-limited at this dt%s",
          p.resolutionLimited(), Double.isNaN(p.suggestedDt()) ? "" : " (--dt " + p.suggestedDt() + " fixes them)"));
    }
    return s.append('\n').toString();
  }

  /**
   * "weight precision: worst 'p' 3.7 % on 5 core(s); --max-weight-error 3.0 % needs 6, ..." (the
   * cores a compile with each target uses) without a target, "needs about 6, ..." and a note when
   * the costs are estimated; "weight target 2.0 % met on 12 core(s) (5 without it)" with one; ""
   * when there is nothing to say.
   */
  private String weightPrecisionLine() {
    WeightPrecision w = weightPrecision;
    if (w == null || w.projections().isEmpty()) {
      return "";
    }
    if (Double.isFinite(w.target())) {
      return String.format(Locale.ROOT, "weight target %s met by every projection on %d core(s)%s%n",
          percent(w.target()), w.cores(), w.cores() == w.coresBefore() ? " (no extra cores needed)"
              : " (" + w.coresBefore() + " without it)");
    }
    if (w.costs().isEmpty()) {
      return "";
    }
    WeightFloor worst = null;
    double floor = 0;
    for (WeightFloor f : w.projections()) {
      if (worst == null || f.rmsRelError() > worst.rmsRelError()) {
        worst = f;
      }
      floor = Math.max(floor, f.floorRelError());
    }
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "weight precision: worst '%s' %s on %d core(s); --max-weight-error", worst.projection(),
        percent(worst.rmsRelError()), w.cores()));
    for (WeightCost c : w.costs()) {
      if (c.compileError() != null) {
        s.append(String.format(Locale.ROOT, " %s: not priced, the compile with it fails (error: %s),",
            percent(c.rmsRelError()), c.compileError()));
      } else {
        s.append(c.cores() < 0 ? String.format(Locale.ROOT, " %s: not reachable,", percent(c.rmsRelError()))
            : String.format(Locale.ROOT, " %s needs %s%d,", percent(c.rmsRelError()),
                w.costsExact() ? "" : "about ", c.cores()));
      }
    }
    s.setLength(s.length() - 1);
    if (!w.costsExact()) {
      s.append(" (estimated without output axons, can be low: --weight-price exact or a compile with"
          + " the target gives the exact count)");
    }
    s.append(String.format(Locale.ROOT, "; an exponent per neuron leaves %s (mantissa and clipping:"
        + " no number of cores goes below)", percent(floor)));
    return s.append('\n').toString();
  }

  /** A relative error as a percentage for people: "19 %", "2.0 %", "0.45 %"; "none" if infinite. */
  public static String percent(double rel) {
    if (!Double.isFinite(rel)) {
      return "none";
    }
    double p = rel * 100;
    return (p >= 10 ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.2g", p)) + " %";
  }

  @Override
  public String toString() {
    return toText();
  }

  /** A population's entry while passes fill it in. */
  private static final class PopulationEntry {
    final String name;
    int neurons;
    double scale;
    ErrorStats tauSyn = ErrorStats.NONE;
    ErrorStats tauMem = ErrorStats.NONE;
    ErrorStats threshold = ErrorStats.NONE;
    ErrorStats bias = ErrorStats.NONE;
    int decaysRequested;
    int decaysRealized;
    int thresholdsRequested;
    int thresholdsRealized;
    int thresholdsClamped;
    int biasesClamped;
    double uHeadroom = Double.POSITIVE_INFINITY;
    double vHeadroom = Double.POSITIVE_INFINITY;

    PopulationEntry(String name) {
      this.name = name;
    }

    PopulationQuality build() {
      return new PopulationQuality(name, neurons, scale, tauSyn, tauMem, threshold, bias,
          decaysRequested, decaysRealized, thresholdsRequested, thresholdsRealized,
          thresholdsClamped, biasesClamped, uHeadroom, vHeadroom);
    }
  }

  /** Collects entries in the order passes add them. */
  public static final class Builder {
    private final List<CoreUsage> cores = new ArrayList<>();
    private final Map<String, Precision> precision = new LinkedHashMap<>();
    private WeightPrecision weightPrecision;
    private double[] weightTargetSpan = {0, Double.POSITIVE_INFINITY};
    private final List<String> decisions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, PopulationEntry> populations = new LinkedHashMap<>();
    private final Map<String, ProjectionQuality> projections = new LinkedHashMap<>();
    private Traffic traffic;
    private final Map<String, Long> timings = new LinkedHashMap<>();
    private CompensationReport compensation;
    private double dtSeconds = Double.NaN;
    private String discretization = "";
    private final List<NeuronValues> neurons = new ArrayList<>();

    private Builder() {}

    /** Records what calibration-aware compensation did. */
    public Builder compensation(CompensationReport c) {
      compensation = c;
      return this;
    }

    /** Updates the profile-table rows a core uses (a pass that rewrote its tables). */
    public Builder profileRows(int chip, int core, int decays, int thresholds) {
      for (int i = 0; i < cores.size(); i++) {
        CoreUsage c = cores.get(i);
        if (c.chip() == chip && c.core() == core) {
          cores.set(i, new CoreUsage(chip, core, c.neurons(), decays, thresholds, c.inputAxons(),
              c.outputAxons(), c.synapses(), c.synapseBytes()));
        }
      }
      return this;
    }

    /** The time step and convention the model's continuous dynamics were discretized at. */
    public Builder dt(double seconds, String convention) {
      dtSeconds = seconds;
      discretization = convention;
      return this;
    }

    /** Seconds per step, NaN until a discretization records it. */
    public double dtSeconds() {
      return dtSeconds;
    }

    /** The recorded convention, "" until a discretization records it. */
    public String discretization() {
      return discretization;
    }

    /** The scale a quantized population got (0 when none was recorded). */
    public double scale(String population) {
      PopulationEntry e = populations.get(population);
      return e == null ? 0 : e.scale;
    }

    /** Appends one population's per-neuron values. */
    public Builder neurons(NeuronValues values) {
      neurons.add(values);
      return this;
    }

    /** Wall time a stage took (nanoseconds); reported, never part of the image. */
    public Builder timing(String stage, long nanos) {
      timings.merge(stage, nanos, Long::sum);
      return this;
    }

    private PopulationEntry entry(String population) {
      return populations.computeIfAbsent(population, PopulationEntry::new);
    }

    /** Records (or replaces) a population's realised time-constant errors. */
    public Builder tauErrors(String population, ErrorStats tauSyn, ErrorStats tauMem) {
      PopulationEntry e = entry(population);
      e.tauSyn = tauSyn;
      e.tauMem = tauMem;
      return this;
    }

    /** Records a population's profile counts before and after clustering. */
    public Builder profiles(String population, int decaysRequested, int decaysRealized,
        int thresholdsRequested, int thresholdsRealized) {
      PopulationEntry e = entry(population);
      e.decaysRequested = decaysRequested;
      e.decaysRealized = decaysRealized;
      e.thresholdsRequested = thresholdsRequested;
      e.thresholdsRealized = thresholdsRealized;
      return this;
    }

    /**
     * Records a population's quantization: scale, threshold and bias errors, clamps. Its headroom
     * is recorded apart ({@link #headroom}), once the final weights are known.
     */
    public Builder quantized(String population, int neurons, double scale, ErrorStats threshold,
        ErrorStats bias, int thresholdsClamped, int biasesClamped) {
      PopulationEntry e = entry(population);
      e.neurons = neurons;
      e.scale = scale;
      e.threshold = threshold;
      e.bias = bias;
      e.thresholdsClamped = thresholdsClamped;
      e.biasesClamped = biasesClamped;
      return this;
    }

    /**
     * Replaces a population's realised threshold errors (a later pass quantized new thresholds at
     * the same scale, clamping as many).
     */
    public Builder thresholdErrors(String population, ErrorStats threshold) {
      entry(population).threshold = threshold;
      return this;
    }

    /** Records (or replaces) a population's precision entry. */
    public Builder precision(Precision p) {
      precision.put(p.population(), p);
      return this;
    }

    /** The precision entry recorded so far for {@code population}, or null. */
    public Precision precisionOf(String population) {
      return precision.get(population);
    }

    /**
     * Records a population's static worst-case headroom bits (see
     * {@link PopulationQuality#uHeadroomBits}); until then it is unbounded.
     */
    public Builder headroom(String population, double uHeadroomBits, double vHeadroomBits) {
      PopulationEntry e = entry(population);
      e.uHeadroom = uHeadroomBits;
      e.vHeadroom = vHeadroomBits;
      return this;
    }

    /**
     * Updates the cores a population's precision entry says it takes (a later pass that split its
     * cores); no change when the population has no entry.
     */
    public Builder precisionCores(String population, int cores) {
      Precision p = precision.get(population);
      if (p != null) {
        precision.put(population, new Precision(p.population(), p.tauTarget(), p.thresholdTarget(),
            cores, p.budgetLimited(), p.resolutionLimited(), p.tau(), p.tauFloor(), p.suggestedDt(),
            p.costs(), p.worst()));
      }
      return this;
    }

    /** Records (or replaces) what the weight target bought or would cost. */
    public Builder weightPrecision(WeightPrecision w) {
      weightPrecision = w;
      return this;
    }

    /**
     * Narrows the span of {@code --max-weight-error} values, {@code [lo, hi)}, over which the
     * network passes would decide exactly as they did (the quantize pass narrows it per population
     * by the weight errors of the scales it weighed). Pricing weight targets runs those passes once
     * for all targets within it.
     */
    public Builder weightTargetSpan(double lo, double hi) {
      weightTargetSpan = new double[] {Math.max(weightTargetSpan[0], lo), Math.min(weightTargetSpan[1], hi)};
      return this;
    }

    /** {lo, hi}: see {@link #weightTargetSpan(double, double)}; {0, infinity} until narrowed. */
    public double[] weightTargetSpan() {
      return weightTargetSpan.clone();
    }

    /** Records a projection's weight quality, replacing an earlier entry of the same name. */
    public Builder projection(ProjectionQuality q) {
      projections.put(q.projection(), q);
      return this;
    }

    /** The weight quality recorded so far for {@code projection}, or null. */
    public ProjectionQuality projectionQuality(String projection) {
      return projections.get(projection);
    }

    public Builder traffic(Traffic t) {
      traffic = t;
      return this;
    }

    public Builder core(CoreUsage usage) {
      cores.add(usage);
      return this;
    }

    /** Replaces all core entries (a pass that recomputes resources). */
    public Builder cores(List<CoreUsage> usage) {
      cores.clear();
      cores.addAll(usage);
      return this;
    }

    public Builder decision(String text) {
      decisions.add(text);
      return this;
    }

    public Builder warning(String text) {
      warnings.add(text);
      return this;
    }

    public CompileReport build() {
      return new CompileReport(this);
    }
  }
}
