package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

class FloatPipelineTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final double DT = 1e-3;

  private static PassContext context(CompileOptions o) {
    return new PassContext(LOIHI, o, CompileReport.builder());
  }

  /** n neurons fed by an input port of width {@code in}, random weights, given tau_mem. */
  private static Network network(double[] tauMem, double[] tauSyn, double[] th, int in, long seed) {
    int n = tauMem.length;
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("p");
    Random rng = new Random(seed);
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), in, "p", n);
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < in; s++) {
        b.floatSynapse(s, t, rng.nextGaussian(), 0);
      }
    }
    return Network.builder("net").input(new InputPort("in", in)).population(Population.of("p", f))
        .projection(b.build()).output("p").build();
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }

  @Test
  void discretizeGivesTheNearestDecaysAndGainsUnderBothConventions() {
    double tauSyn = 0.004;
    double tauMem = 0.02;
    FloatNeurons f = FloatNeurons.builder(1).tauSyn(new double[] {tauSyn}).tauMem(new double[] {tauMem})
        .threshold(new double[] {1}).r(new double[] {3}).vLeak(new double[] {0.5})
        .bias(new double[] {0.2}).build("p");
    for (Discretization.Convention c : Discretization.Convention.values()) {
      DiscreteNeurons d = new Discretize(DT, c).discretize("p", f, context(CompileOptions.none()));
      boolean exact = c == Discretization.Convention.EXACT;
      double keepU = exact ? Math.exp(-DT / tauSyn) : 1 - DT / tauSyn;
      double keepV = exact ? Math.exp(-DT / tauMem) : 1 - DT / tauMem;
      assertEquals(Math.round(4096 * (1 - keepU)) - 1, d.du()[0], c.name());
      assertEquals(Math.round(4096 * (1 - keepV)), d.dv()[0], c.name());
      double gs = 1 - keepU;
      double km = 1 - keepV;
      assertEquals(gs * 3 * km, d.gain()[0], 1e-12, c.name());
      assertEquals(3 * km * 0.2 + km * 0.5, d.bias()[0], 1e-12, c.name());
    }
  }

  @Test
  void snnTorchExportsGetUnitGainsUnderForwardEuler() {
    // snnTorch: r = tau_mem/dt; w_in (folded into weights by the importer) = tau_syn/dt
    double tauSyn = 0.002;
    double tauMem = 0.01;
    FloatNeurons f = FloatNeurons.builder(1).tauSyn(new double[] {tauSyn}).tauMem(new double[] {tauMem})
        .threshold(new double[] {1}).r(new double[] {tauMem / DT}).build("p");
    DiscreteNeurons d = new Discretize(DT, Discretization.Convention.FORWARD_EULER)
        .discretize("p", f, context(CompileOptions.none()));
    assertEquals(1.0, d.gain()[0] * (tauSyn / DT), 1e-12);
  }

  @Test
  void nonZeroResetVoltageBecomesAnOffset() {
    FloatNeurons f = FloatNeurons.builder(1).tauSyn(new double[] {0}).tauMem(new double[] {0.01})
        .threshold(new double[] {1}).vReset(new double[] {0.25}).build("p");
    DiscreteNeurons d = new Discretize(DT, Discretization.Convention.EXACT)
        .discretize("p", f, context(CompileOptions.none()));
    assertEquals(0.75, d.threshold()[0], 1e-12);
    assertEquals(-0.25, d.vInit()[0], 1e-12);
    assertEquals(-(1 - Math.exp(-DT / 0.01)) * 0.25, d.bias()[0], 1e-12);
    FloatNeurons bad = FloatNeurons.builder(1).tauSyn(new double[] {0}).tauMem(new double[] {0.01})
        .threshold(new double[] {1}).vReset(new double[] {2}).build("q");
    String m = assertThrows(QuenchException.class, () -> new Discretize(DT,
        Discretization.Convention.EXACT).discretize("q", bad, context(CompileOptions.none()))).getMessage();
    assertTrue(m.contains("'q'") && m.contains("v_reset") && m.contains("SUBTRACT"), m);
  }

  @Test
  void quantizedWeightsThresholdsAndBiasesStayWithinTheirRoundingBounds() {
    int n = 16; // at most 16 distinct thresholds: no clustering, only rounding
    Random rng = new Random(3);
    double[] th = new double[n];
    for (int i = 0; i < n; i++) {
      th[i] = 0.5 + rng.nextDouble();
    }
    Network net = network(filled(n, 0.02), filled(n, 0.005), th, 30, 9);
    Compiler.Result r = Compiler.forNir(org.quench.compiler.frontend.nir.NirImportOptions.defaults()
        .withDt(DT)).compile(net, LOIHI);
    double scale = r.report().populations().get(0).scale();
    FixedNeurons f = r.network().population("p").fixed();
    // Independent: the gain from weight to v per step, exact convention.
    double gain = (1 - Math.exp(-DT / 0.005)) * (1 - Math.exp(-DT / 0.02));
    Projection fp = r.network().projections().get(0);
    Projection orig = net.projections().get(0);
    double maxReq = 0;
    for (int k = 0; k < orig.synapseCount(); k++) {
      maxReq = Math.max(maxReq, Math.abs(orig.floatWeight(k)));
    }
    int e = fp.format().weightExp();
    double step = Math.scalb(2.0, e) / (scale * gain / 64); // MIXED keeps even mantissas: step 2^(e+1)
    for (int k = 0; k < orig.synapseCount(); k++) {
      double realised = Math.scalb((double) fp.fixedWeight(k), e) / (scale * gain / 64);
      double err = Math.abs(realised - orig.floatWeight(k));
      assertTrue(err <= step / 2 + 1e-12 || fp.fixedWeight(k) == 254 || fp.fixedWeight(k) == -256,
          "synapse " + k + ": " + orig.floatWeight(k) + " -> " + realised);
    }
    for (int i = 0; i < n; i++) {
      double realised = f.vth(i) * 64.0 / scale;
      assertTrue(Math.abs(realised - th[i]) <= 32.0 / scale + 1e-12, "threshold " + i);
    }
    assertTrue(maxReq > 0);
  }

  /** 1000 neurons with 1000 distinct tau_mem, log-uniform over a decade. */
  private static Network heterogeneous() {
    return heterogeneous(1000);
  }

  private static Network heterogeneous(int n) {
    double[] tau = new double[n];
    Random rng = new Random(17);
    for (int i = 0; i < n; i++) {
      tau[i] = 0.01 * Math.pow(10, rng.nextDouble());
    }
    return network(tau, filled(n, 0.0), filled(n, 1.0), 4, 1);
  }

  @Test
  void aThousandDistinctTausCompileWithinTheClusteringBound() {
    Network net = heterogeneous();
    double[] tau = ((FloatNeurons) net.population("p").dynamics()).tauMem();
    Compiler.Result r = Compiler.forNir(org.quench.compiler.frontend.nir.NirImportOptions.defaults()
        .withDt(DT)).compile(net, LOIHI);
    FixedNeurons f = r.network().population("p").fixed();
    // Per core at most 32 groups; the chunk of a core spans at most the whole log range (one
    // decade), so min-max clustering promises |log error| <= ln(10) / (2 * 32); the chip's decay
    // grid adds at most half a step: |d tau / tau| <= 0.5 / (4096 * keep * |ln keep|) at tau.
    double promised = Math.expm1(Math.log(10) / 64);
    double worst = 0;
    for (int i = 0; i < tau.length; i++) {
      double realised = Discretization.realisedTau(Discretization.Variable.VOLTAGE, f.dv(i), DT,
          Discretization.Convention.EXACT, LOIHI);
      double keep = Math.exp(-DT / tau[i]);
      double grid = 0.5 / (4096 * keep * Math.abs(Math.log(keep)));
      double err = Math.abs(realised - tau[i]) / tau[i];
      assertTrue(err <= promised + grid * 1.1, "neuron " + i + ": " + err);
      worst = Math.max(worst, err);
    }
    CompileReport.PopulationQuality q = r.report().populations().get(0);
    assertEquals(worst, q.tauMem().max(), 1e-12);
    assertTrue(q.distinctDecaysRequested() > 32 && q.distinctDecaysRealized() < q.distinctDecaysRequested());
    for (CompileReport.CoreUsage c : r.report().cores()) {
      assertTrue(c.decayProfiles() <= 32);
    }
    String m = assertThrows(QuenchException.class, () -> Compiler.forNir(
        org.quench.compiler.frontend.nir.NirImportOptions.defaults().withDt(DT)).compile(net, LOIHI,
        CompileOptions.none().with(ProfileBudget.MAX_TAU_ERROR, "0.0001"))).getMessage();
    assertTrue(m.contains("population 'p'") && m.contains("tau_mem requested") && m.contains("realised")
        && m.contains("--max-tau-error"), m);
  }

  @Test
  void coLocationNeedsFewerProfilesPerCoreThanIndexOrder() {
    // Three cores' worth: each core's chunk is clustered to its own 32 values, ~96 in all.
    Network net = heterogeneous(3000);
    PassContext c = context(CompileOptions.none());
    Network d = new Discretize(DT, Discretization.Convention.EXACT).apply(net, c);
    Network sorted = new Quantize().apply(new ProfileBudget(DT, Discretization.Convention.EXACT).apply(d, c), c);
    // The same clustered values, placed in index order.
    Population p = sorted.population("p");
    Network unsorted = sorted.toBuilder().replacePopulation(Population.of("p", p.dynamics())).build();
    int sortedCores = new GreedyPartition().apply(sorted, c).cores().size();
    int unsortedCores = new GreedyPartition().apply(unsorted, c).cores().size();
    int sortedProfiles = maxProfilesPerCore(sorted, c);
    // In index order the clustered values are scattered: cores fill their 32 decay rows early.
    assertTrue(unsortedCores > sortedCores, unsortedCores + " vs " + sortedCores);
    assertTrue(sortedProfiles <= 32);
    assertEquals(3, sortedCores);
  }

  private static int maxProfilesPerCore(Network n, PassContext c) {
    Mapping m = new GreedyPartition().apply(n, c);
    int max = 0;
    for (Mapping.MappedCore core : m.cores()) {
      java.util.Set<Integer> dv = new java.util.HashSet<>();
      for (Mapping.Slice s : core.slices()) {
        Population p = n.population(s.population());
        for (int k = 0; k < s.count(); k++) {
          dv.add(p.fixed().dv(p.neuronAt(s.first() + k)));
        }
      }
      max = Math.max(max, dv.size());
    }
    return max;
  }
}
