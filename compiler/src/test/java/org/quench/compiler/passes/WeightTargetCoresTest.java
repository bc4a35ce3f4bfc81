package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/** A weight target buys cores when the shared exponent limits, and fails at once when it cannot. */
class WeightTargetCoresTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);
  private static final int WIDTH = 128;

  /**
   * n CubaLIF neurons whose tau_syn spreads log-uniformly over 1 to 128 ms in shuffled order, so
   * their folded input gains (about dt/tau_syn) differ 128-fold; every neuron receives all WIDTH
   * input channels with gaussian weights (sd 0.2).
   */
  private static Network spreadGains(int n, long seed) {
    return CoreWeightExponentsTest.network(n, WIDTH, 0.001, 128, seed);
  }

  /**
   * n identical neurons (one folded gain) whose weights into each neuron span six decades
   * (log-uniform magnitudes, random signs): the 8-bit mantissa, not the exponent, limits them.
   */
  private static Network wideRows(int n, long seed) {
    double[] tauSyn = new double[n];
    double[] tauMem = new double[n];
    double[] th = new double[n];
    Arrays.fill(tauSyn, 0.005);
    Arrays.fill(tauMem, 0.02);
    Arrays.fill(th, 1.0);
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("p");
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), WIDTH, "p", n);
    Random g = new Random(seed);
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < WIDTH; s++) {
        b.floatSynapse(s, t, (g.nextBoolean() ? 1 : -1) * Math.pow(10, -6 * g.nextDouble()), 0);
      }
    }
    return Network.builder("wide").input(new InputPort("in", WIDTH)).population(Population.of("p", f))
        .projection(b.build()).output("p").build();
  }

  private static Compiler.Result compile(Network net, CompileOptions o) {
    return Compiler.forNir(DT).compile(net, LOIHI, o);
  }

  private static CompileOptions target(double t) {
    return CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(t));
  }

  /**
   * The RMS relative error of the image's input weights against the projection's requested
   * weights, read back from the axon groups of every core: independent of the compiler's own
   * bookkeeping.
   */
  private static double imageRms(Compiler.Result r) {
    return CoreWeightExponentsTest.errors(r)[0];
  }

  /** The RMS relative error with each target neuron's row at its own best exponent (test's own). */
  private static double perNeuronFloor(Compiler.Result r) {
    Projection p = r.network().projections().get(0);
    double[] req = p.requestedWeights();
    double[][] rows = new double[p.targetSize()][WIDTH];
    int[] fill = new int[p.targetSize()];
    for (int k = 0; k < req.length; k++) {
      rows[p.target(k)][fill[p.target(k)]++] = req[k];
    }
    org.quench.hal.proto.SignMode mode = org.quench.hal.proto.SignMode.valueOf(p.format().signMode().name());
    double sse = 0;
    double norm = 0;
    for (double[] row : rows) {
      double rn = 0;
      for (double w : row) {
        rn += w * w;
      }
      double best = Double.POSITIVE_INFINITY;
      for (int e = LOIHI.weightExpMin(); e <= LOIHI.weightExpMax(); e++) {
        WeightQuantizer.Result q = WeightQuantizer.quantize(row, 1.0, mode, e, LOIHI);
        if (q.clipped() == 0) {
          best = Math.min(best, q.rmsRelError() * q.rmsRelError() * rn);
        }
      }
      sse += best;
      norm += rn;
    }
    return Math.sqrt(sse / norm);
  }

  @Test
  void aTargetTheSharedExponentMissesOnFewCoresIsMetOnMore() {
    Network net = spreadGains(512, 5);
    Compiler.Result free = compile(net, CompileOptions.none());
    int fewest = free.image().getCoresCount();
    double floor = perNeuronFloor(free);
    CompileReport.WeightPrecision price = free.report().weightPrecision();
    assertNotNull(price);
    // Without a target nothing is bought, and the report's floor is the per-neuron exponent error.
    assertEquals(fewest, price.cores());
    assertEquals(price.coresBefore(), price.cores());
    assertEquals(floor, price.projections().get(0).floorRelError(), 1e-6);
    double target = 1.5 * floor;
    // With the target's own neuron order but no more cores than the fewest, it is missed: the
    // shared exponent of each core is the limit.
    QuenchException tight = assertThrows(QuenchException.class, () -> compile(net,
        target(target).with(ProfileBudget.MAX_CORES, Integer.toString(fewest))));
    String m = tight.getMessage();
    assertTrue(m.contains("needs more cores than --max-cores " + fewest + " allows")
        && m.contains("projection 'in->p'") && m.contains("the shared exponent limits it (cores fix it)")
        && m.contains("raise --max-cores to "), m);
    int about = Integer.parseInt(m.replaceAll(".*raise --max-cores to (\\d+),.*", "$1"));
    assertTrue(about > fewest, m);
    Compiler.Result met = compile(net, target(target));
    int cores = met.image().getCoresCount();
    assertTrue(cores > fewest, cores + " cores vs " + fewest);
    // The cores the failure named are exactly the cores the unlimited compile uses, and are enough.
    assertEquals(about, cores, m);
    assertEquals(cores, compile(net, target(target).with(ProfileBudget.MAX_CORES,
        Integer.toString(about))).image().getCoresCount());
    double rms = imageRms(met);
    assertTrue(rms <= target, "image weights " + rms + " vs target " + target);
    assertTrue(imageRms(free) > target, "the fewest-cores image misses it: " + imageRms(free));
    assertEquals(rms, met.report().projections().get(0).rmsRelError(), 1e-9);
    CompileReport.WeightPrecision bought = met.report().weightPrecision();
    assertEquals(cores, bought.cores());
    assertTrue(bought.coresBefore() < cores);
    assertTrue(met.report().summary().contains("met by every projection on " + cores + " core(s)"),
        met.report().summary());
    assertTrue(met.report().toJson().contains("\"weightPrecision\":{\"targetRelError\":"), met.report().toJson());
    System.out.printf("weight target %.4f (floor %.4f): %d -> %d cores (failure named %d), image RMS %.4f"
        + " (fewest cores %.4f)%n", target, floor, fewest, cores, about, rms, imageRms(free));
  }

  @Test
  void splitCoresHoldOnlyTheProfileRowsTheirOwnNeuronsUse() {
    // 512 neurons with 512 distinct tau_syn: the profile budget clusters each core's chunk to the
    // spec's decay rows; a weight target then splits those cores by weight size. Each part's
    // tables must list only the rows its own neurons use (the budget of a split core is not spent
    // on its sibling's rows), each row once. (That each part then fills its budget with rows
    // fitted to its own neurons is FinalCoreProfilesTest's.)
    Network net = spreadGains(512, 5);
    Compiler.Result free = compile(net, CompileOptions.none());
    Compiler.Result split = compile(net, target(1.5 * perNeuronFloor(free)));
    assertTrue(split.image().getCoresCount() > free.image().getCoresCount(),
        split.image().getCoresCount() + " vs " + free.image().getCoresCount());
    for (org.quench.hal.proto.Core core : split.image().getCoresList()) {
      java.util.Set<Integer> decays = new java.util.HashSet<>(core.getDecayIndexList());
      java.util.Set<Integer> thresholds = new java.util.HashSet<>(core.getThresholdIndexList());
      assertEquals(core.getDecayProfilesCount(), decays.size(), core.getAddress() + " decay rows " + decays);
      assertEquals(core.getThresholdProfilesCount(), thresholds.size(), core.getAddress() + " thresholds " + thresholds);
      assertEquals(core.getDecayProfilesCount(), new java.util.HashSet<>(core.getDecayProfilesList()).size());
      assertTrue(core.getDecayProfilesCount() <= LOIHI.decayProfilesPerCore());
    }
  }

  @Test
  void onlyMantissaLimitsSoTheCompileFailsOnThePartitionsCores() {
    Network net = wideRows(256, 3);
    Compiler.Result free = compile(net, CompileOptions.none());
    double floor = free.report().weightPrecision().projections().get(0).floorRelError();
    double now = free.report().projections().get(0).rmsRelError();
    assertTrue(floor > 0.5 * now, "the mantissa dominates: floor " + floor + " of " + now);
    QuenchException e = assertThrows(QuenchException.class,
        () -> compile(net, target(0.8 * floor).with(ProfileBudget.MAX_CORES, "128")));
    String m = e.getMessage();
    assertTrue(m.contains("cannot be met with more cores") && m.contains("projection 'in->p'")
        && m.contains("the 8-bit mantissa limits it") && m.contains("prune weights")
        && m.contains("relax --max-weight-error to"), m);
    // It says so on the partition's cores, without growing towards the limit first.
    assertTrue(m.contains("on the partition's " + free.image().getCoresCount() + " core(s)"), m);
    double relaxed = Double.parseDouble(m.replaceAll(".*relax --max-weight-error to ([0-9.eE-]+).*", "$1"));
    assertTrue(relaxed >= floor, relaxed + " vs floor " + floor);
    // The relaxed target the message gives compiles.
    compile(net, target(relaxed));
  }

  /** {@link #wideRows} of 32 neurons with weights 1e9 times the threshold: they clip at every scale. */
  private static Network clippedAtEveryScale() {
    Network base = wideRows(32, 4);
    Projection p = base.projections().get(0);
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), WIDTH, "p", 32);
    double[] w = p.floatWeights();
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        b.floatSynapse(s, p.target(k), Math.signum(w[k]) * 1e9, 0);
      }
    }
    return base.toBuilder().replaceProjection(b.build()).build();
  }

  @Test
  void unavoidableClippingIsNamedAsTheLimit() {
    Network net = clippedAtEveryScale();
    QuenchException e = assertThrows(QuenchException.class, () -> compile(net, target(0.05)));
    assertTrue(e.getMessage().contains("clipping limits it") && e.getMessage().contains("cannot be met with more cores"),
        e.getMessage());
  }

  @Test
  void withoutATargetThePartitionIsKeptAndTheReportPricesTargets() {
    Network net = spreadGains(512, 6);
    Compiler.Result free = compile(net, CompileOptions.none());
    CompileReport.WeightPrecision w = free.report().weightPrecision();
    assertTrue(!w.costs().isEmpty(), w.toString());
    assertTrue(free.report().summary().contains("weight precision: worst 'in->p'"), free.report().summary());
    // A network this small is priced exactly: each price is what the compile with that target uses,
    // and a target priced as not reachable fails to compile.
    assertTrue(w.costsExact(), w.toString());
    assertTrue(free.report().toJson().contains("\"costsExact\":true"), free.report().toJson());
    int last = 0;
    for (CompileReport.WeightCost c : w.costs()) {
      assertTrue(c.rmsRelError() < w.projections().get(0).rmsRelError());
      if (c.cores() >= 0) {
        assertTrue(c.cores() >= last, w.costs().toString());
        last = c.cores();
        assertEquals(c.cores(), compile(net, target(c.rmsRelError())).image().getCoresCount(), w.costs().toString());
      } else {
        assertThrows(QuenchException.class, () -> compile(net, target(c.rmsRelError())), w.costs().toString());
      }
    }
    CompileReport.WeightCost reachable = w.costs().stream().filter(c -> c.cores() > 0).reduce((a, b) -> b)
        .orElseThrow();
    int bought = reachable.cores();
    assertTrue(free.report().summary().contains(" needs " + reachable.cores()), free.report().summary());
    // Asked for the estimate, the summary says so, and it stays near the compile's count.
    Compiler.Result cheap = compile(net, CompileOptions.none().with(WeightTargetCores.WEIGHT_PRICE, "estimate"));
    CompileReport.WeightPrecision e = cheap.report().weightPrecision();
    assertTrue(!e.costsExact(), e.toString());
    assertTrue(cheap.report().toJson().contains("\"costsExact\":false"));
    assertTrue(cheap.report().summary().contains("needs about ")
        && cheap.report().summary().contains("(estimated without output axons, can be low: --weight-price exact"),
        cheap.report().summary());
    CompileReport.WeightCost estimated = e.costs().stream()
        .filter(c -> c.rmsRelError() == reachable.rmsRelError()).findFirst().orElseThrow();
    assertTrue(bought <= 2 * estimated.cores() && estimated.cores() <= 2 * bought,
        "estimate " + estimated + " vs " + bought);
  }

  /** The partition a compile of {@code net} with {@code context}'s options makes (forNir's passes). */
  private static Mapping partition(Network net, PassContext context) {
    Network n = net;
    for (NetworkPass p : java.util.List.of(new Discretize(DT.dt(), DT.discretization()),
        new ProfileBudget(DT.dt(), DT.discretization()), new Quantize(), new LocalityOrder())) {
      n = p.apply(n, context);
    }
    return new TrafficPartition().apply(n, context);
  }

  @Test
  void exactPricingAsksTheCompileWithEachTargetWhetherItCanBeMet() {
    // A compile's floor holds for its own scales only; a compile with a target may choose others.
    // Here the compile with each target is, to make the difference plain, one of a network whose
    // weights do not clip.
    Network coarse = clippedAtEveryScale();
    Compiler.Result free = compile(coarse, CompileOptions.none());
    CompileReport.WeightFloor f = free.report().weightPrecision().projections().get(0);
    assertTrue(f.floorRelError() > WeightTargetCores.COST_TARGETS[0], f.toString());
    Network fine = spreadGains(64, 3);
    PassContext none = new PassContext(LOIHI, CompileOptions.none(), CompileReport.builder());
    new WeightTargetCores().apply(free.mapping(), none, withTarget -> partition(fine, withTarget));
    java.util.List<CompileReport.WeightCost> costs = none.report().build().weightPrecision().costs();
    assertTrue(costs.get(0).cores() > 0, costs.toString());
    for (CompileReport.WeightCost c : costs) {
      if (c.cores() >= 0) {
        assertEquals(c.cores(), compile(fine, target(c.rmsRelError())).image().getCoresCount(), costs.toString());
      }
    }
    // The estimate knows only this compile's floor.
    PassContext estimated = new PassContext(LOIHI, CompileOptions.none(), CompileReport.builder());
    new WeightTargetCores().apply(free.mapping(), estimated, null);
    assertEquals(java.util.List.of(new CompileReport.WeightCost(WeightTargetCores.COST_TARGETS[0], -1)),
        estimated.report().build().weightPrecision().costs());
  }

  @Test
  void aCompileThatFailsWhilePricingIsShownAsItsErrorNotAsUnreachable() {
    // The compile with a target can fail before its splitting for reasons that say nothing about
    // the weights (here: the first priced target's compile fails in a pass). The report must carry
    // that failure's message, labelled as an error, not call the target unreachable.
    Network net = spreadGains(64, 3);
    Compiler.Result free = compile(net, CompileOptions.none());
    double first = free.report().weightPrecision().costs().get(0).rmsRelError();
    String failure = "population 'p': 3 time constant(s) cannot reach --max-tau-error 0.01 at dt 0.001 s";
    PassContext none = new PassContext(LOIHI, CompileOptions.none(), CompileReport.builder());
    new WeightTargetCores().apply(free.mapping(), none, withTarget -> {
      throw new QuenchException(failure);
    });
    CompileReport report = none.report().build();
    java.util.List<CompileReport.WeightCost> costs = report.weightPrecision().costs();
    assertEquals(java.util.List.of(new CompileReport.WeightCost(first, -1, failure)), costs);
    String summary = report.summary();
    assertTrue(summary.contains("--max-weight-error " + CompileReport.percent(first)
        + ": not priced, the compile with it fails (error: " + failure + ")"), summary);
    assertTrue(!summary.contains("not reachable"), summary);
    assertTrue(report.toJson().contains("\"costs\":[{\"rmsRelError\":" + first + ",\"cores\":null,\"compileError\":\""
        + failure + "\"}]"), report.toJson());
    // A target that is really out of reach still reads so, with no error.
    PassContext estimated = new PassContext(LOIHI, CompileOptions.none(), CompileReport.builder());
    new WeightTargetCores().apply(compile(clippedAtEveryScale(), CompileOptions.none()).mapping(), estimated, null);
    CompileReport unreachable = estimated.report().build();
    assertEquals(null, unreachable.weightPrecision().costs().get(0).compileError());
    assertTrue(unreachable.summary().contains(": not reachable"), unreachable.summary());
    assertTrue(unreachable.toJson().contains("\"cores\":null,\"compileError\":null"), unreachable.toJson());
  }

  @Test
  void pricingIsExactUpToTheSynapseBudgetUnlessAskedOtherwise() {
    long n = WeightTargetCores.EXACT_PRICE_SYNAPSES;
    CompileOptions auto = CompileOptions.none();
    assertTrue(WeightTargetCores.pricesExactly(auto, n));
    assertTrue(!WeightTargetCores.pricesExactly(auto, n + 1));
    assertTrue(WeightTargetCores.pricesExactly(auto.with(WeightTargetCores.WEIGHT_PRICE, "exact"), 10 * n));
    assertTrue(!WeightTargetCores.pricesExactly(auto.with(WeightTargetCores.WEIGHT_PRICE, "estimate"), 1));
    QuenchException bad = assertThrows(QuenchException.class,
        () -> compile(spreadGains(64, 1), auto.with(WeightTargetCores.WEIGHT_PRICE, "exactly")));
    assertEquals("--weight-price 'exactly' is not one of auto, exact, estimate", bad.getMessage());
  }

  @Test
  void autoPricesExactlyUpToTheSynapseBudgetAndEstimatesAbove() {
    // 300 and 301 neurons, each receiving all of 1,000 input channels.
    int width = 1000;
    long budget = WeightTargetCores.EXACT_PRICE_SYNAPSES;
    int atBudget = Math.toIntExact(budget / width);
    Network at = CoreWeightExponentsTest.network(atBudget, width, 0.001, 128, 2);
    Network above = CoreWeightExponentsTest.network(atBudget + 1, width, 0.001, 128, 2);
    assertEquals(budget, at.projections().get(0).synapseCount());
    CompileReport.WeightPrecision exact = compile(at, CompileOptions.none()).report().weightPrecision();
    CompileReport.WeightPrecision estimated = compile(above, CompileOptions.none()).report().weightPrecision();
    assertTrue(!exact.costs().isEmpty() && !estimated.costs().isEmpty(), exact + " / " + estimated);
    assertTrue(exact.costsExact(), exact.toString());
    assertTrue(!estimated.costsExact(), estimated.toString());
  }

  @Test
  void aTightTargetOnTheRecurrentFixtureKeepsEveryCoreWithinItsOutputAxonsAndCostsWhatWasPriced() {
    // Every neuron reaches about 100 others at random: as cores multiply, each neuron reaches more
    // of them, and the big cores' output axons fill up before the weights meet 1 %.
    Network net = HeterogeneousRecurrent.network(2000, 7);
    Compiler.Result free = compile(net, CompileOptions.none());
    java.util.List<CompileReport.WeightCost> costs = free.report().weightPrecision().costs();
    CompileReport.WeightCost onePercent = costs.stream().filter(c -> c.rmsRelError() == 0.01).findFirst()
        .orElseThrow(() -> new AssertionError("1 % not priced: " + costs));
    // Every priced target costs exactly the cores its compile uses (or, unreachable, fails).
    for (CompileReport.WeightCost c : costs) {
      if (c.cores() < 0) {
        assertThrows(QuenchException.class, () -> compile(net, target(c.rmsRelError())), c.toString());
      } else if (c != onePercent) {
        assertEquals(c.cores(), compile(net, target(c.rmsRelError())).image().getCoresCount(), c.toString());
      }
    }
    Compiler.Result r = compile(net, target(0.01));
    assertEquals(onePercent.cores(), r.image().getCoresCount(), costs.toString());
    assertTrue(free.report().summary().contains("1.0 % needs " + onePercent.cores()),
        free.report().summary());
    for (CompileReport.ProjectionQuality q : r.report().projections()) {
      assertTrue(q.rmsRelError() <= 0.01, q.toString());
    }
    long most = r.report().cores().stream().mapToLong(CompileReport.CoreUsage::outputAxons).max().orElse(0);
    assertTrue(most <= LOIHI.outputAxonsPerCore(), most + " output axons");
    String bought = r.report().decisions().stream().filter(d -> d.startsWith("weight-target-cores:"))
        .findFirst().orElseThrow();
    assertTrue(bought.matches(".*; \\d+ of the splits only keep output axons within the spec's 4096 per core"),
        bought);
    System.out.printf("recurrent 2000 at 1 %%: %d cores, at most %d output axons per core: %s; priced %s%n",
        r.image().getCoresCount(), most, bought, costs);
  }

  /** What the quantize pass chose for one target (formats and weights), and the span it reported. */
  private record Quantized(double[] span, String chosen) {}

  private static Quantized quantizeWith(Network discrete, double t) {
    PassContext c = new PassContext(LOIHI, target(t), CompileReport.builder());
    Network q = new Quantize().apply(discrete, c);
    StringBuilder chosen = new StringBuilder();
    for (Projection p : q.projections()) {
      chosen.append(p.format()).append(Arrays.hashCode(p.fixedWeights())).append(';');
    }
    return new Quantized(c.report().weightTargetSpan(), chosen.toString());
  }

  @Test
  void quantizeReportsTheSpanOfTargetsItWeighsAlike() {
    // Exact pricing reuses one partition for every target within the span the quantize pass
    // reports: between the weight errors of the scales it weighed, the nearest that meets the
    // target and the nearest that misses it.
    Network net = HeterogeneousRecurrent.network(300, 7);
    PassContext any = new PassContext(LOIHI, target(0.05), CompileReport.builder());
    // The passes before quantize ask only whether there is a target, so they run once.
    Network discrete = new ProfileBudget(DT.dt(), DT.discretization()).apply(
        new Discretize(DT.dt(), DT.discretization()).apply(net, any), any);
    int checked = 0;
    for (double t = 0.004; t < 0.3; t *= 1.6) {
      Quantized at = quantizeWith(discrete, t);
      double[] span = at.span();
      assertTrue(span[0] <= t && t < span[1], t + " outside " + Arrays.toString(span));
      // Anywhere within it the pass chooses alike.
      assertEquals(at.chosen(), quantizeWith(discrete, span[0]).chosen(), t + ": " + Arrays.toString(span));
      assertEquals(at.chosen(), quantizeWith(discrete, Math.nextDown(span[1])).chosen(),
          t + ": " + Arrays.toString(span));
      // Just outside it one scale is weighed otherwise: the neighbouring span starts or ends there.
      if (span[0] > 0) {
        assertEquals(span[0], quantizeWith(discrete, Math.nextDown(span[0])).span()[1], t);
        checked++;
      }
      if (Double.isFinite(span[1])) {
        assertEquals(span[1], quantizeWith(discrete, span[1]).span()[0], t);
        checked++;
      }
    }
    assertTrue(checked > 4, checked + " span ends checked");
  }
}
