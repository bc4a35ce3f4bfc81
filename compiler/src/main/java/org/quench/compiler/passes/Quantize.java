package org.quench.compiler.passes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.compiler.ir.WeightFormat;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.quant.FixedPoint;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.compiler.reference.StateRanges;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Discrete neurons and their float incoming projections to the chip's integers
 * ({@link FixedNeurons}, fixed-point projections). Populations and projections already fixed
 * (netx) pass through untouched.
 *
 * <p>Per population one scale {@code s} (chip voltage units per model voltage unit) ties its
 * thresholds, biases, starting voltages and incoming weights together, so their ratios survive. A
 * projection's float weight from j to neuron i becomes {@code w * gain_i} model volts per spike
 * (the discretized gain), i.e. {@code w * gain_i * s / 2^activationShift} chip activation units:
 * quantized per projection by {@link WeightQuantizer} (8-bit mantissa, one exponent, negative
 * exponents allowed), keeping those requested values in the projection so that
 * {@link CoreWeightExponents} can give each destination core its own exponent after partitioning. The scale is chosen to minimise functional error: the candidates put the
 * largest threshold at the top of the vth mantissa and at quarter-octave steps below it, down 16
 * octaves (weights larger than the threshold clip at the top: the largest weight the chip adds is
 * 255 * 2^7 activation units), and the candidate with the least
 * sum of squared relative errors of weights (RMS over a deterministic sample of at most 4096
 * synapses per projection), thresholds and biases wins. A population with no threshold (readouts)
 * takes the largest scale at which the static worst-case bound on |v| stays within a quarter of the
 * state range (or, without a finite bound, at which the largest weight fills the mantissa).
 * Thresholds round to {@link FixedPoint#thresholds}, biases to one shared exponent
 * ({@link FixedPoint#biasesSharedExponent}). The static overflow bound (every input spiking every
 * step) is reported later, on the final cores' weights ({@link StateHeadroom}).
 */
public final class Quantize implements NetworkPass {
  /**
   * Compile option: largest RMS relative weight error per projection: a goal for the scale, for
   * the order neurons are placed in (ProfileBudget orders by folded gain) and judged on the final
   * weights, after exponents per core ({@link CoreWeightExponents}).
   */
  public static final String MAX_WEIGHT_ERROR = "maxWeightError";
  /**
   * Compile option: {@code avoid} (default) chooses only scales and exponents at which no weight
   * clips, when one exists; {@code allow} takes the least-error scale even if it clips.
   */
  public static final String WEIGHT_CLIPPING = "weightClipping";
  private static final int SAMPLE = 4096;
  /** A projection with more than this fraction of its weights zeroed gets a warning. */
  static final double ZEROED_ALARM = 0.10;

  /** Observed state ranges (calibration), or null: then only the static worst case is reported. */
  private final StateRanges calibration;

  /** Quantization without calibration data. */
  public Quantize() {
    this(null);
  }

  /**
   * Quantization whose population scales keep the {@code calibration}'s observed u and v within
   * the state registers with a bit to spare (null: no calibration).
   */
  public Quantize(StateRanges calibration) {
    this.calibration = calibration;
  }
  /** How far below the top the scale search goes: weights too large for the top need room. */
  private static final int OCTAVES = 16;

  @Override
  public String name() {
    return "quantize";
  }

  @Override
  public Network apply(Network network, PassContext context) {
    Network.Builder out = network.toBuilder();
    List<Projection> projections = network.projections();
    for (Population p : network.populations()) {
      List<Projection> in = new ArrayList<>();
      for (Projection pr : projections) {
        if (pr.target().equals(p.name())) {
          in.add(pr);
        }
      }
      if (p.dynamics() instanceof DiscreteNeurons d) {
        quantize(p, d, in, out, context);
      } else {
        for (Projection pr : in) {
          if (!pr.isFixed()) {
            throw new QuenchException("projection '" + pr.name() + "' has float weights but its"
                + " target population '" + p.name() + "' is " + (p.isFixed() ? "already fixed point"
                : "not discretized") + "; build it with fixed weights or run the discretize pass");
          }
        }
      }
    }
    return out.build();
  }

  private void quantize(Population pop, DiscreteNeurons d, List<Projection> in,
      Network.Builder out, PassContext context) {
    ChipSpec spec = context.spec();
    String name = pop.name();
    String who = "population '" + name + "'";
    int n = d.size();
    double[] gain = d.gain();
    double[] thr = d.threshold();
    double[] bias = d.bias();
    double act = Math.scalb(1.0, spec.activationShift());
    // Effective float weights (model volts per spike) per projection, in synapse order.
    double[][] eff = new double[in.size()][];
    for (int j = 0; j < in.size(); j++) {
      Projection p = in.get(j);
      double[] w = p.floatWeights();
      for (int k = 0; k < w.length; k++) {
        w[k] *= gain[p.target(k)];
      }
      eff[j] = w;
    }
    double thMax = 0;
    boolean spiking = false;
    for (double t : thr) {
      if (Double.isFinite(t)) {
        spiking = true;
        thMax = Math.max(thMax, Math.abs(t));
      }
    }
    double[] finiteThr = new double[n];
    for (int i = 0; i < n; i++) {
      finiteThr[i] = Double.isFinite(thr[i]) ? thr[i] : 0;
    }
    double scale;
    if (spiking && thMax > 0) {
      double top = (spec.vthRange().max() - 1) * Math.scalb(1.0, spec.thresholdShift()) / thMax;
      double[][] samples = sample(eff);
      double[] thSample = sample(new double[][] {finiteThr})[0];
      double[] biasSample = sample(new double[][] {bias})[0];
      double maxWeight = weightTarget(context);
      boolean avoidClipping = avoidClipping(context);
      double[][] extremes = extremes(eff);
      double stateCap = calibratedCap(name, spec);
      // Whole octaves first, then quarter octaves around the best one. A candidate is admissible
      // when no weight need clip at it (unless clipping is allowed) and every projection meets the
      // weight target; the least error among admissible ones wins, else among all.
      scale = top;
      double best = Double.POSITIVE_INFINITY;
      int bestQ = 0;
      int bestRank = -1;
      double bestWorstRms = Double.POSITIVE_INFINITY;
      // The weight targets that would weigh every candidate as this one does: the same choice.
      double spanLo = 0;
      double spanHi = Double.POSITIVE_INFINITY;
      for (int pass = 0; pass < 2; pass++) {
        int centre = bestQ;
        int from = pass == 0 ? 0 : Math.max(0, centre - 3);
        int to = pass == 0 ? 4 * OCTAVES - 4 : centre + 3;
        for (int q = from; q <= to; q += pass == 0 ? 4 : 1) {
          if (pass == 1 && q == centre) {
            continue;
          }
          double sq = top * Math.pow(2, -q / 4.0);
          double[] ew = scaleError(sq, samples, thSample, biasSample, who, spec);
          // What a scale must satisfy, most important first: the observed state fits (overflow
          // wrecks a neuron), no weight clips, the weight target holds.
          int rank = (sq <= stateCap ? 4 : 0) + (!avoidClipping || !clips(extremes, sq / act, spec) ? 2 : 0)
              + (ew[1] <= maxWeight ? 1 : 0);
          if (ew[1] <= maxWeight) {
            spanLo = Math.max(spanLo, ew[1]);
          } else {
            spanHi = Math.min(spanHi, ew[1]);
          }
          boolean better = rank > bestRank
              || rank == bestRank && (ew[0] < best * (1 - 1e-9)
                  || (pass == 1 && Math.abs(ew[0] - best) <= best * 1e-9 && q < bestQ));
          if (better) {
            best = ew[0];
            bestQ = q;
            bestRank = rank;
          }
          bestWorstRms = Math.min(bestWorstRms, ew[1]);
        }
      }
      scale = top * Math.pow(2, -bestQ / 4.0);
      context.report().weightTargetSpan(spanLo, spanHi);
      if ((bestRank & 1) == 0 && Double.isFinite(maxWeight)) {
        // Exponents per core (after partitioning) may still meet it; CoreWeightExponents judges.
        context.report().decision("quantize: " + who + ": with one exponent per projection no scale"
            + " meets --max-weight-error " + maxWeight + " (the best reaches " + (float) bestWorstRms
            + "); exponents per core are chosen after partitioning");
      }
    } else {
      scale = Math.min(readoutScale(d, in, eff, bias, spec), calibratedCap(name, spec));
    }
    // Weights.
    List<Projection> fixedIn = new ArrayList<>();
    for (int j = 0; j < in.size(); j++) {
      Projection p = in.get(j);
      WeightQuantizer.Result r;
      try {
        // The exponent is chosen on the same deterministic sample the scale search used (for
        // large projections); the full weights are then rounded at that exponent.
        double[] smp = sample(new double[][] {eff[j]})[0];
        WeightQuantizer.Options fixedExp = null;
        if (smp.length < eff[j].length) {
          fixedExp = new WeightQuantizer.Options(false,
              WeightQuantizer.quantize(smp, scale / act, spec).weightExp());
        }
        r = fixedExp == null ? WeightQuantizer.quantize(eff[j], scale / act, spec)
            : WeightQuantizer.quantize(eff[j], scale / act, spec, fixedExp);
        if (r.clipped() > 0 && avoidClipping(context)) {
          // The least-squares exponent may sacrifice a few large weights for the many small ones;
          // the smallest exponent at which none clips keeps every weight's sign and size.
          for (int e = r.weightExp() + 1; e <= spec.weightExpMax() && r.clipped() > 0; e++) {
            WeightQuantizer.Result higher = WeightQuantizer.quantize(eff[j], scale / act, spec,
                new WeightQuantizer.Options(false, e));
            if (higher.clipped() < r.clipped()) {
              r = higher;
            }
          }
        }
      } catch (QuenchException e) {
        throw new QuenchException("projection '" + p.name() + "': " + e.getMessage());
      }
      SignMode mode = switch (r.signMode()) {
        case EXCITATORY -> SignMode.EXCITATORY;
        case INHIBITORY -> SignMode.INHIBITORY;
        default -> SignMode.MIXED;
      };
      WeightFormat f = new WeightFormat(r.weightExp(), r.numWeightBits(), mode, ConnectionKind.DENSE);
      int[] m = r.weights();
      double[] requested = new double[eff[j].length];
      for (int k = 0; k < requested.length; k++) {
        requested[k] = eff[j][k] * (scale / act);
      }
      fixedIn.add(p.withFixedWeights(m, f, requested, null));
      CompileReport.WeightErrorCauses causes = WeightErrorAttribution.of(p, eff[j], r, scale / act,
          d.gain(), spec);
      context.report().projection(new CompileReport.ProjectionQuality(p.name(), p.synapseCount(),
          r.weightExp(), r.numWeightBits(), mode.name(), r.clipped(), r.zeroed(), r.rmsRelError(),
          r.maxRelError(), causes));
      if (r.clipped() > 0) {
        context.report().warning("projection '" + p.name() + "': " + r.clipped() + " weight(s) clipped"
            + " at the mantissa range (scale " + (float) scale + " chip units per model unit"
            + (avoidClipping(context) ? ", the smallest that keeps thresholds and biases in range" : "")
            + "); estimated effect: the clipped weights alone make " + CompileReport.percent(causes.clipping())
            + " RMS error of the projection's weights, largest cut " + CompileReport.percent(
                WeightErrorAttribution.largestClipCut(eff[j], r)) + (avoidClipping(context) ? ""
                : "; drop " + WEIGHT_CLIPPING + "=allow to avoid it"));
      }
    }
    // Thresholds, biases, starting voltages.
    FixedPoint.Thresholds t = FixedPoint.thresholds(who, finiteThr, scale, false, spec);
    int[] vth = t.vth();
    // An infinite threshold gets the top of vthRange: on Loihi (2^17 << 6 = 2^23) no voltage
    // exceeds it, so the neuron never fires; a spec with fewer threshold bits has no such value,
    // and this is the highest threshold it offers.
    int neverFires = spec.vthRange().max();
    double[] thReq = d.thresholdRequested();
    double[] thErr = new double[n];
    int nt = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(thr[i])) {
        vth[i] = neverFires;
      } else if (thReq[i] != 0) {
        thErr[nt++] = (Math.scalb((double) vth[i], spec.thresholdShift()) / scale - thReq[i]) / thReq[i];
      }
    }
    FixedPoint.Biases b = FixedPoint.biasesSharedExponent(who, bias, scale, false, spec);
    double[] biasErr = new double[n];
    double maxBias = 0;
    for (double v : bias) {
      maxBias = Math.max(maxBias, Math.abs(v));
    }
    for (int i = 0; i < n; i++) {
      biasErr[i] = maxBias == 0 ? 0 : (b.realised()[i] - bias[i]) / maxBias;
    }
    double[] vInitModel = d.vInit();
    int[] vInit = new int[n];
    ChipSpec.Range voltage = spec.voltageRange();
    for (int i = 0; i < n; i++) {
      vInit[i] = voltage.clamp(Math.round(vInitModel[i] * scale));
    }
    int[] du = d.du();
    int[] dv = d.dv();
    FixedNeurons fixed = FixedNeurons.builder(n).du(du).dv(dv).vth(vth).biasMant(b.mant())
        .biasExp(b.exp()).refractory(d.refractory()).resetMode(d.resetMode()).vInit(vInit)
        .build(name);
    // The worst-case headroom and its warnings come later, from the weights, decays and
    // thresholds the image holds (StateHeadroom).
    context.report().quantized(name, n, scale, CompileReport.ErrorStats.of(Arrays.copyOf(thErr, nt)),
        CompileReport.ErrorStats.of(biasErr), t.clamped(), b.clamped());
    boolean calibrated = calibrated(name);
    if (calibrated) {
      // The overflow risk from the same data the scale came from.
      double stateRange = Math.scalb(1.0, spec.stateBits() - 1);
      double uBits = Math.log(stateRange / Math.max(1e-300, calibration.maxAbsU(name) * scale)) / Math.log(2);
      double vBits = Math.log(stateRange / Math.max(1e-300, calibration.maxAbsV(name) * scale)) / Math.log(2);
      String text = String.format(Locale.ROOT, "%s: calibrated on %d step(s): observed |u| up to"
          + " %.3g and |v| up to %.3g model units leave %.1f and %.1f bits of headroom at scale %.4g",
          who, calibration.steps(), calibration.maxAbsU(name), calibration.maxAbsV(name),
          Math.min(uBits, 99), Math.min(vBits, 99), scale);
      if (Math.min(uBits, vBits) < 1) {
        context.report().warning(text + ": inputs beyond the calibration data may overflow");
      } else {
        context.report().decision("quantize: " + text);
      }
    }
    if (t.clamped() > 0 || b.clamped() > 0) {
      context.report().warning(who + ": " + t.clamped() + " threshold(s) and " + b.clamped()
          + " bias(es) clamped to the chip's range at scale " + (float) scale);
    }
    out.replacePopulation(pop.withDynamics(fixed));
    for (Projection p : fixedIn) {
      out.replaceProjection(p);
    }
    context.report().decision("quantize: population '" + name + "' scale " + (float) scale
        + " chip units per model unit" + (spiking ? "" : " (readout: no threshold)"));
  }

  /**
   * {sum of squared relative errors of weights (RMS per projection), thresholds and biases; the
   * worst projection's RMS}.
   */
  private static double[] scaleError(double s, double[][] weights, double[] thresholds,
      double[] biases, String who, ChipSpec spec) {
    double act = Math.scalb(1.0, spec.activationShift());
    double err = 0;
    double worst = 0;
    for (double[] w : weights) {
      if (w.length > 0) {
        double e = WeightQuantizer.quantize(w, s / act, spec).rmsRelError();
        err += e * e;
        worst = Math.max(worst, e);
      }
    }
    double te = FixedPoint.thresholds(who, thresholds, s, false, spec).maxRelError();
    FixedPoint.Biases b = FixedPoint.biasesSharedExponent(who, biases, s, false, spec);
    double be = relToMax(b.maxAbsError(), biases);
    return new double[] {err + te * te + be * be, worst};
  }

  /**
   * The largest scale at which the calibration's observed |u| and |v| of {@code population} stay a
   * bit below the state registers' range; infinite without calibration data for it.
   */
  private double calibratedCap(String population, ChipSpec spec) {
    if (calibration == null || Double.isNaN(calibration.maxAbsV(population))) {
      return Double.POSITIVE_INFINITY;
    }
    double room = Math.scalb(1.0, spec.stateBits() - 2);
    double peak = Math.max(calibration.maxAbsU(population), calibration.maxAbsV(population));
    return peak > 0 ? room / peak : Double.POSITIVE_INFINITY;
  }

  private static double weightTarget(PassContext context) {
    return context.options().relativeError(MAX_WEIGHT_ERROR);
  }

  private static boolean avoidClipping(PassContext context) {
    String v = context.options().get(WEIGHT_CLIPPING, "avoid");
    if (!v.equals("avoid") && !v.equals("allow")) {
      throw new QuenchException("option " + WEIGHT_CLIPPING + " = '" + v + "' must be avoid or allow");
    }
    return v.equals("avoid");
  }

  /** Per projection its largest and smallest effective weight (clipping happens at the extremes). */
  private static double[][] extremes(double[][] eff) {
    double[][] out = new double[eff.length][];
    for (int j = 0; j < eff.length; j++) {
      double lo = 0;
      double hi = 0;
      for (double w : eff[j]) {
        lo = Math.min(lo, w);
        hi = Math.max(hi, w);
      }
      out[j] = new double[] {lo, hi};
    }
    return out;
  }

  /** Whether some weight clips at this scale even at the largest exponent. */
  private static boolean clips(double[][] extremes, double scale, ChipSpec spec) {
    for (double[] e : extremes) {
      if (e[0] != 0 || e[1] != 0) {
        // The extremes decide the sign mode as the full projection's do.
        if (WeightQuantizer.quantize(e, scale, spec, new WeightQuantizer.Options(false,
            spec.weightExpMax())).clipped() > 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** Largest scale at which the worst-case |v| stays within a quarter of the state range. */
  private static double readoutScale(DiscreteNeurons d, List<Projection> in, double[][] eff,
      double[] bias, ChipSpec spec) {
    int n = d.size();
    double[] drive = new double[n];
    double maxW = 0;
    for (int j = 0; j < in.size(); j++) {
      Projection p = in.get(j);
      for (int k = 0; k < eff[j].length; k++) {
        drive[p.target(k)] += Math.abs(eff[j][k]);
        maxW = Math.max(maxW, Math.abs(eff[j][k]));
      }
    }
    int[] du = d.du();
    int[] dv = d.dv();
    double worst = 0;
    for (int i = 0; i < n; i++) {
      double fu = Discretization.keptFraction(Discretization.Variable.CURRENT, du[i], spec);
      double fv = Discretization.keptFraction(Discretization.Variable.VOLTAGE, dv[i], spec);
      double u = drive[i] == 0 ? 0 : drive[i] / (1 - fu);
      double v = (u + Math.abs(bias[i])) == 0 ? 0 : (u + Math.abs(bias[i])) / (1 - fv);
      worst = Math.max(worst, v);
    }
    double act = Math.scalb(1.0, spec.activationShift());
    double fill = maxW > 0 ? ((1 << spec.weightMantBits()) - 2) * act / maxW : 1.0;
    if (worst > 0 && Double.isFinite(worst)) {
      return Math.min(fill, Math.scalb(1.0, spec.stateBits() - 3) / worst);
    }
    return fill;
  }

  private static double[][] sample(double[][] eff) {
    double[][] out = new double[eff.length][];
    for (int j = 0; j < eff.length; j++) {
      double[] w = eff[j];
      if (w.length <= SAMPLE) {
        out[j] = w;
      } else {
        out[j] = new double[SAMPLE];
        double step = (double) w.length / SAMPLE;
        for (int q = 0; q < SAMPLE; q++) {
          out[j][q] = w[(int) (q * step)];
        }
      }
    }
    return out;
  }

  private static double relToMax(double abs, double[] values) {
    double m = 0;
    for (double v : values) {
      m = Math.max(m, Math.abs(v));
    }
    return m == 0 ? 0 : abs / m;
  }

  /** Whether a population's scale came from observed state ranges (then u is not warned about). */
  public boolean calibrated(String population) {
    return calibration != null && !Double.isNaN(calibration.maxAbsV(population));
  }
}
