package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.compiler.reference.StateRanges;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;

/** Weight error attribution, clipping policy, the weight target and calibrated scales. */
class WeightPrecisionTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);

  private static Compiler.Result compile(Network net, CompileOptions o) {
    return Compiler.forNir(DT).compile(net, LOIHI, o);
  }

  /** n neurons, one input port of 64 channels, dense gaussian weights plus optional outliers. */
  private static Network network(int n, double[] tauSyn, double outlier, long seed) {
    double[] tauMem = new double[n];
    double[] th = new double[n];
    Arrays.fill(tauMem, 0.02);
    Arrays.fill(th, 1.0);
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("p");
    Random rng = new Random(seed);
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), 64, "p", n);
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < 64; s++) {
        double w = rng.nextGaussian();
        b.floatSynapse(s, t, s == 0 && t < 2 && outlier > 0 ? outlier : w, 0);
      }
    }
    return Network.builder("net").input(new InputPort("in", 64)).population(Population.of("p", f))
        .projection(b.build()).output("p").build();
  }

  private static double[] spread(int n, double lo, double hi) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = lo * Math.pow(hi / lo, i / (double) (n - 1));
    }
    return a;
  }

  @Test
  void theCausesOfWeightErrorAddUpAndNameTheGainSpread() {
    CompileReport.ProjectionQuality varied = compile(network(32, spread(32, 0.001, 0.03), 0, 1),
        CompileOptions.none()).report().projections().get(0);
    CompileReport.WeightErrorCauses c = varied.causes();
    double sum = c.mantissa() * c.mantissa() + c.sharedExponent() * c.sharedExponent()
        + c.clipping() * c.clipping();
    assertEquals(varied.rmsRelError() * varied.rmsRelError(), sum, 1e-9);
    // tau_syn from 1 to 30 ms spreads the folded gains 30-fold: one exponent cannot serve all rows.
    assertTrue(c.sharedExponent() > c.mantissa(), c.toString());
    assertTrue(c.foldedGain() > 0.5 * varied.rmsRelError(), c.toString());
    double[] same = new double[32];
    Arrays.fill(same, 0.005);
    CompileReport.WeightErrorCauses u = compile(network(32, same, 0, 1), CompileOptions.none())
        .report().projections().get(0).causes();
    assertEquals(0, u.foldedGain());
    assertTrue(u.sharedExponent() < c.sharedExponent(), u + " vs " + c);
  }

  /**
   * A MIXED projection whose rows are each of one sign: even targets receive only positive
   * weights, odd ones only negative. Alone, each row would be EXCITATORY or INHIBITORY, whose
   * mantissas are twice as fine as MIXED's even ones; the chip keeps the projection's MIXED.
   */
  private static Network signPureRows(int n, long seed) {
    return reweighted(n, seed, (t, w) -> (t % 2 == 0 ? 1 : -1) * (0.2 + Math.abs(w)));
  }

  /** Weight into target t as a function of the gaussian weight w. */
  private interface Reweight {
    double weight(int t, double w);
  }

  /** {@link #network} with tau_syn 5 ms and each input weight w into target t replaced. */
  private static Network reweighted(int n, long seed, Reweight f) {
    double[] tau = new double[n];
    Arrays.fill(tau, 0.005);
    Network net = network(n, tau, 0, seed);
    Projection p = net.projections().get(0);
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), 64, "p", n);
    double[] w = p.floatWeights();
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        b.floatSynapse(s, p.target(k), f.weight(p.target(k), w[k]), 0);
      }
    }
    return net.toBuilder().replaceProjection(b.build()).build();
  }

  @Test
  void theMantissaShareIsMeasuredInTheProjectionsSignMode() {
    Compiler.Result r = compile(signPureRows(32, 5), CompileOptions.none());
    CompileReport.ProjectionQuality q = r.report().projections().get(0);
    assertEquals("MIXED", q.signMode());
    assertEquals(0, q.clipped(), q.toString());
    // The mantissa cause is the error left with an exponent per target neuron in the chip's sign
    // mode: the floor the weight target compares with (every row is measured at 32 targets).
    CompileReport.WeightFloor f = r.report().weightPrecision().projections().get(0);
    double floorMantissa = Math.sqrt(f.floorRelError() * f.floorRelError()
        - f.floorClipping() * f.floorClipping());
    CompileReport.WeightErrorCauses c = q.causes();
    assertEquals(floorMantissa, c.mantissa(), 1e-9 * q.rmsRelError(), c + " vs " + f);
    // The fixture tells the modes apart: each row rounded in a sign mode of its own (EXCITATORY or
    // INHIBITORY) errs about half as much, which would have passed for the mantissa's limit.
    Projection p = r.network().projections().get(0);
    double[] req = p.requestedWeights();
    IncomingSynapses in = new IncomingSynapses(p);
    double ownModeSse = 0;
    double norm = 0;
    for (int t = 0; t < p.targetSize(); t++) {
      double[] row = new double[in.start[t + 1] - in.start[t]];
      for (int k = 0; k < row.length; k++) {
        row[k] = req[in.synapse[in.start[t] + k]];
        norm += row[k] * row[k];
      }
      WeightQuantizer.Result own = WeightQuantizer.quantize(row, 1.0, LOIHI);
      assertTrue(own.signMode() != org.quench.hal.proto.SignMode.MIXED, "row " + t);
      double rowNorm = Arrays.stream(row).map(x -> x * x).sum();
      ownModeSse += own.rmsRelError() * own.rmsRelError() * rowNorm;
    }
    assertTrue(Math.sqrt(ownModeSse / norm) < 0.6 * c.mantissa(),
        Math.sqrt(ownModeSse / norm) + " vs " + c.mantissa());
    // What is left over the floor is the shared exponent's, as the weight target's message says.
    assertEquals(Math.sqrt(q.rmsRelError() * q.rmsRelError() - f.floorRelError() * f.floorRelError()),
        c.sharedExponent(), 1e-9 * q.rmsRelError());
  }

  /** n neurons (threshold 1, tau_syn 5 ms), 64 inputs with gaussian weights of the given sd. */
  private static Network scaled(int n, double sd, long seed) {
    return reweighted(n, seed, (t, w) -> w * sd);
  }

  @Test
  void noWeightClipsWhenAScaleAvoidsIt() {
    double[] tau = new double[32];
    Arrays.fill(tau, 0.005);
    // Two outliers 60 times the other weights, and weights 30 times the threshold.
    for (Network net : new Network[] {network(32, tau, 60, 2), scaled(32, 30, 3)}) {
      Compiler.Result r = compile(net, CompileOptions.none());
      assertEquals(0, r.report().projections().get(0).clipped(), r.report().projections().toString());
      assertTrue(r.report().warnings().stream().noneMatch(w -> w.contains("clipped")));
    }
    assertThrows(QuenchException.class, () -> compile(network(32, tau, 60, 2),
        CompileOptions.none().with(Quantize.WEIGHT_CLIPPING, "maybe")));
  }

  @Test
  void unavoidableClippingIsAWarningWithItsEffect() {
    // Weights 1e9 times the threshold: no scale within the search keeps them and the threshold.
    Compiler.Result r = compile(scaled(32, 1e9, 4), CompileOptions.none());
    CompileReport.ProjectionQuality q = r.report().projections().get(0);
    assertTrue(q.clipped() > 0, q.toString());
    assertTrue(q.causes().clipping() > 0, q.toString());
    assertTrue(r.report().warnings().stream().anyMatch(w -> w.contains(q.clipped() + " weight(s) clipped")
        && w.contains("estimated effect") && w.contains("largest cut")), r.report().warnings().toString());
  }

  @Test
  void anUnreachableWeightTargetFailsWithItsCauses() {
    Network net = HeterogeneousRecurrent.network(300, 3);
    QuenchException e = assertThrows(QuenchException.class,
        () -> compile(net, CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, "0.001")));
    String m = e.getMessage();
    assertTrue(m.contains("--max-weight-error 0.001") && m.contains("shared exponent")
        && m.contains("folded per-neuron gain") && m.contains("'pop->pop'"), m);
    // A target the default already meets changes nothing.
    Compiler.Result free = compile(net, CompileOptions.none());
    double worst = free.report().projections().stream().mapToDouble(CompileReport.ProjectionQuality::rmsRelError).max().orElse(0);
    Compiler.Result met = compile(net, CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(worst * 1.01)));
    assertEquals(free.report().populations().get(0).scale(), met.report().populations().get(0).scale());
  }

  @Test
  void calibrationKeepsTheObservedStateWithinTheRegisters() {
    Network net = HeterogeneousRecurrent.network(300, 4);
    Stimulus.Builder sb = Stimulus.builder(200);
    Random rng = new Random(9);
    for (int k = 0; k < 200; k++) {
      for (int c = 0; c < HeterogeneousRecurrent.INPUT_WIDTH; c++) {
        if (rng.nextDouble() < 0.2) {
          sb.spike(k, "input", c);
        }
      }
    }
    StateRanges ranges = StateRanges.observe(net, DT.dt(), DT.discretization(), sb.build());
    assertTrue(ranges.maxAbsV("pop") >= 1.0, "v reaches at least the thresholds: " + ranges.maxAbsV("pop"));
    Compiler.Result r = Compiler.forNir(DT, ranges).compile(net, LOIHI, CompileOptions.none());
    double scale = r.report().populations().get(0).scale();
    double peak = Math.max(ranges.maxAbsU("pop"), ranges.maxAbsV("pop"));
    assertTrue(scale * peak <= Math.scalb(1.0, LOIHI.stateBits() - 2) * (1 + 1e-9), scale + " x " + peak);
    assertTrue(r.report().decisions().stream().anyMatch(d -> d.contains("calibrated on 200 step(s)")),
        r.report().decisions().toString());
    assertTrue(r.report().warnings().stream().noneMatch(w -> w.contains("every input spikes every step")));
  }
}
