package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

/**
 * The threshold rows of every core are fitted to the neurons that finally sit on it and quantized
 * again, as the decay rows are (docs/precision.md, "Rows for the final cores"); populations whose
 * thresholds were never grouped keep exactly what Quantize gave them.
 */
class FinalCoreThresholdsTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);

  /**
   * FinalCoreProfilesTest's spread-tau network (512 neurons, tau_syn log-uniform over 1 to 128 ms,
   * shuffled) with thresholds that follow tau_syn: 0.5 at 1 ms up to 1.5 at 128 ms, each with a 1 %
   * jitter. A weight target's cores, cut by folded gain (about dt / tau_syn), then each hold a band
   * of the thresholds.
   */
  static Network spreadThresholds() {
    Network net = CoreWeightExponentsTest.network(512, 128, 0.001, 128, 5);
    Population p = net.populations().get(0);
    FloatNeurons f = (FloatNeurons) p.dynamics();
    double[] tau = f.tauSyn();
    double[] th = new double[tau.length];
    Random jitter = new Random(11);
    for (int i = 0; i < th.length; i++) {
      th[i] = (0.5 + Math.log(tau[i] / 0.001) / Math.log(128)) * (1 + 0.01 * jitter.nextGaussian());
    }
    FloatNeurons g = FloatNeurons.builder(tau.length).tauSyn(tau).tauMem(f.tauMem()).threshold(th).build("p");
    return net.toBuilder().replacePopulation(p.withDynamics(g)).build();
  }

  /**
   * The threshold mantissa Quantize gives each neuron of population {@code index}, before
   * partitioning: the profile budget's groups, run pass by pass as the compiler runs them.
   */
  static int[] quantizedVth(Network net, NirImportOptions dt, CompileOptions o, int index) {
    return vth(quantized(net, dt, o), net.populations().get(index).name());
  }

  /** The network as Quantize returns it, before partitioning (the passes run as the compiler runs them). */
  private static Network quantized(Network net, NirImportOptions dt, CompileOptions o) {
    PassContext context = new PassContext(LOIHI, o, CompileReport.builder());
    Network d = new Discretize(dt.dt(), dt.discretization()).apply(net, context);
    Network b = new ProfileBudget(dt.dt(), dt.discretization()).apply(d, context);
    return new Quantize(null).apply(b, context);
  }

  /** The threshold mantissas of population {@code name} in a fixed-point network. */
  private static int[] vth(Network q, String name) {
    Population p = q.population(name);
    int[] vth = new int[p.size()];
    for (int i = 0; i < vth.length; i++) {
      vth[i] = p.fixed().vth(i);
    }
    return vth;
  }

  /** Where each neuron of a population sits in the image: its core's position and its threshold mantissa. */
  private record Placed(int[] core, int[] vth, double scale, int offsets) {}

  private static Placed placed(ChipImage image, String population, int n) {
    int[] core = new int[n];
    int[] vth = new int[n];
    for (Symbol s : image.getSymbolsList()) {
      if (!s.getPopulation().equals(population)) {
        continue;
      }
      for (NeuronRange r : s.getRangesList()) {
        int c = FinalCoreProfilesTest.coreIndex(image, r.getCore().getChip(), r.getCore().getCore());
        Core cr = image.getCores(c);
        for (int k = 0; k < r.getCount(); k++) {
          int i = r.getOffset() + k;
          core[i] = c;
          vth[i] = cr.getThresholdProfiles(cr.getThresholdIndex(r.getNeuronFirst() + k)).getVth();
        }
      }
      return new Placed(core, vth, s.getModelScale(), s.getVOffsetCount());
    }
    throw new AssertionError("no symbol " + population);
  }

  /** |vth 2^T / scale - threshold| / |threshold| per neuron: the realised relative threshold error. */
  private static double[] errors(int[] vth, double scale, double[] threshold) {
    double[] err = new double[vth.length];
    for (int i = 0; i < vth.length; i++) {
      err[i] = Math.abs(Math.scalb((double) vth[i], LOIHI.thresholdShift()) / scale - threshold[i])
          / Math.abs(threshold[i]);
    }
    return err;
  }

  @Test
  void everySplitCoreFitsItsOwnThresholdsAndTheirErrorFalls() {
    Network net = spreadThresholds();
    double[] th = ((FloatNeurons) net.populations().get(0).dynamics()).threshold();
    Compiler.Result free = Compiler.forNir(DT).compile(net, LOIHI, CompileOptions.none());
    double floor = free.report().weightPrecision().projections().get(0).floorRelError();
    CompileOptions o = CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(1.5 * floor));
    Compiler.Result split = Compiler.forNir(DT).compile(net, LOIHI, o);
    ChipImage image = split.image();
    int cores = image.getCoresCount();
    assertTrue(cores > free.image().getCoresCount(), cores + " vs " + free.image().getCoresCount());

    Placed now = placed(image, "p", th.length);
    assertEquals(0, now.offsets(), "these neurons rest at 0: no voltage offset");
    int[] before = quantizedVth(net, DT, o, 0);
    double[] errNow = errors(now.vth(), now.scale(), th);
    double[] errBefore = errors(before, now.scale(), th);
    StringBuilder table = new StringBuilder();
    int gained = 0;
    for (int c = 0; c < cores; c++) {
      Set<Integer> rowsNow = new HashSet<>();
      Set<Integer> rowsBefore = new HashSet<>();
      Set<Double> own = new HashSet<>();
      double maxNow = 0;
      double maxBefore = 0;
      double sumNow = 0;
      double sumBefore = 0;
      for (int i = 0; i < th.length; i++) {
        if (now.core()[i] == c) {
          rowsNow.add(now.vth()[i]);
          rowsBefore.add(before[i]);
          own.add(th[i]);
          maxNow = Math.max(maxNow, errNow[i]);
          maxBefore = Math.max(maxBefore, errBefore[i]);
          sumNow += errNow[i];
          sumBefore += errBefore[i];
        }
      }
      table.append(String.format(Locale.ROOT, "core %d: %d neurons, rows %d -> %d, max %.5f -> %.5f; ", c,
          own.size(), rowsBefore.size(), rowsNow.size(), maxBefore, maxNow));
      // The core's whole table goes to its own neurons, up to as many rows as they have thresholds.
      assertEquals(Math.min(LOIHI.thresholdProfilesPerCore(), own.size()), rowsNow.size(), "core " + c);
      assertEquals(rowsNow.size(), image.getCores(c).getThresholdProfilesCount(), "core " + c);
      assertTrue(sumNow <= sumBefore + 1e-12, "core " + c + ": " + table);
      if (rowsNow.size() > rowsBefore.size()) {
        gained++;
        assertTrue(maxNow < maxBefore, "core " + c + " has more rows but no lower largest error: " + table);
      }
    }
    CompileReport.ErrorStats s = CompileReport.ErrorStats.of(errNow);
    CompileReport.ErrorStats b = CompileReport.ErrorStats.of(errBefore);
    System.out.printf(Locale.ROOT, "%son %d cores: threshold p95 %.5f -> %.5f, max %.5f -> %.5f%n", table,
        cores, b.p95(), s.p95(), b.max(), s.max());
    assertTrue(gained > 0, "no core needed more rows than it kept: " + table);
    assertTrue(s.p95() < b.p95(), s.p95() + " vs " + b.p95());
    assertTrue(s.mean() < b.mean(), s.mean() + " vs " + b.mean());

    // The report describes the image: its realised threshold errors are the image's.
    CompileReport.PopulationQuality q = split.report().populations().get(0);
    assertEquals(s.mean(), q.threshold().mean(), 1e-12);
    assertEquals(s.p95(), q.threshold().p95(), 1e-12);
    assertEquals(s.max(), q.threshold().max(), 1e-12);
    for (int c = 0; c < cores; c++) {
      assertEquals(image.getCores(c).getThresholdProfilesCount(), split.report().cores().get(c).thresholdProfiles());
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("final-core-profiles: population 'p': threshold"
        + " rows fitted again on (\\d+) of its (\\d+) final core\\(s\\).*; threshold p95 (.*) -> (.*), max (.*) -> (.*)")
        .matcher(String.join("\n", split.report().decisions()));
    assertTrue(m.find(), split.report().toText());
    assertTrue(Integer.parseInt(m.group(1)) >= gained, m.group());
    assertEquals(cores, Integer.parseInt(m.group(2)), m.group());
    assertEquals(List.of(CompileReport.percent(b.p95()), CompileReport.percent(s.p95()),
        CompileReport.percent(b.max()), CompileReport.percent(s.max())),
        List.of(m.group(3), m.group(4), m.group(5), m.group(6)), m.group());
    // Nothing a weight target judged moves: the weights are those the target was met with.
    double imageRms = CoreWeightExponentsTest.errors(split)[0];
    assertTrue(imageRms <= 1.5 * floor, imageRms + " vs " + 1.5 * floor);
    assertEquals(imageRms, split.report().weightPrecision().projections().get(0).rmsRelError(), 1e-12);
  }

  @Test
  void thresholdsThatWereNeverGroupedKeepWhatQuantizeGaveThem() {
    // The homogeneous spread-tau network split by a weight target: its decay rows are fitted again,
    // its one threshold stays as it was.
    Network homogeneous = CoreWeightExponentsTest.network(512, 128, 0.001, 128, 5);
    double floor = Compiler.forNir(DT).compile(homogeneous, LOIHI, CompileOptions.none()).report()
        .weightPrecision().projections().get(0).floorRelError();
    CompileOptions o = CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(1.5 * floor));
    Compiler.Result r = Compiler.forNir(DT).compile(homogeneous, LOIHI, o);
    assertTrue(r.report().toJson().contains("final-core-profiles: population 'p': decay rows"));
    assertFalse(r.report().toJson().contains("threshold rows fitted again"));
    assertArrayEquals(quantizedVth(homogeneous, DT, o, 0), placed(r.image(), "p", 512).vth());
    // The NIR models: every population's thresholds in the image are Quantize's, and untouched.
    for (String model : List.of("braille_noDelay_bias_zero.nir", "lif_norse.nir", "cnn_sinabs.nir")) {
      Path file = Path.of("src/test/resources/nir/real", model);
      Network net = Frontends.load(file, NirImportOptions.defaults());
      Compiler.Result c = Compiler.forNir(NirImportOptions.defaults()).compile(net, LOIHI, CompileOptions.none());
      assertFalse(c.report().toJson().contains("final-core-profiles"), model);
      // The passes up to Quantize once per model, not once per population (cnn_sinabs has five).
      Network q = quantized(net, NirImportOptions.defaults(), CompileOptions.none());
      for (Population pop : net.populations()) {
        if (pop.dynamics() instanceof FloatNeurons) {
          assertArrayEquals(vth(q, pop.name()), placed(c.image(), pop.name(), pop.size()).vth(), model + " " + pop.name());
        }
      }
    }
  }

  /** Small cores of 4 threshold rows, so populations share cores and split over many. */
  private static final ChipSpec SMALL = ChipSpec.of(LOIHI.data().toBuilder().setName("small-thresholds")
      .setNeuronsPerCore(48).setDecayProfilesPerCore(6).setThresholdProfilesPerCore(4).setCoresPerChip(128)
      .build());

  /** FinalCoreProfilesFuzzTest's random networks with thresholds spread over a random range. */
  private static Network spreadThresholds(long seed) {
    Network net = FinalCoreProfilesFuzzTest.network(seed);
    Random r = new Random(seed * 31 + 7);
    Network.Builder b = net.toBuilder();
    for (Population p : net.populations()) {
      FloatNeurons f = (FloatNeurons) p.dynamics();
      double lo = 0.2 + r.nextDouble();
      double span = r.nextInt(4) == 0 ? 0 : 0.1 + 2 * r.nextDouble();
      double[] th = new double[f.size()];
      for (int i = 0; i < th.length; i++) {
        th[i] = lo + span * r.nextDouble();
      }
      b.replacePopulation(p.withDynamics(FloatNeurons.builder(f.size()).tauSyn(f.tauSyn()).tauMem(f.tauMem())
          .threshold(th).build(p.name())));
    }
    return b.build();
  }

  @Test
  void randomNetworksReportTheThresholdErrorsTheirImagesRealise() {
    CompileOptions none = CompileOptions.none().with(ProfileBudget.RESOLUTION_LIMIT, "warn");
    List<CompileOptions> options = List.of(none, none.with(Quantize.MAX_WEIGHT_ERROR, "0.04"),
        none.with(ProfileBudget.MAX_THRESHOLD_ERROR, "0.05").with(Quantize.MAX_WEIGHT_ERROR, "0.04"),
        none.with(ProfileBudget.MAX_TAU_ERROR, "0.03").with(Quantize.MAX_WEIGHT_ERROR, "0.04"));
    NirImportOptions dt = NirImportOptions.defaults().withDt(1e-3);
    int compiled = 0;
    int refitted = 0;
    for (long seed = 1; seed <= 30; seed++) {
      Network net = spreadThresholds(seed);
      for (CompileOptions o : options) {
        String where = "seed " + seed + " " + o.values();
        Compiler.Result a;
        try {
          a = Compiler.forNir(dt).compile(net, SMALL, o);
        } catch (org.quench.hal.QuenchException e) {
          assertFalse(e.getMessage().contains("does not fit chip"), where + ": " + e.getMessage());
          continue;
        }
        compiled++;
        ChipImage image = a.image();
        assertEquals(List.of(), org.quench.hal.ImageValidator.problems(image, SMALL), where);
        if (seed % 5 == 0) {
          assertArrayEquals(image.toByteArray(), Compiler.forNir(dt).compile(net, SMALL, o).image().toByteArray(), where);
        }
        refitted += a.report().decisions().stream().anyMatch(d -> d.contains("threshold rows fitted again")) ? 1 : 0;
        double target = o.relativeError(ProfileBudget.MAX_THRESHOLD_ERROR);
        for (CompileReport.PopulationQuality q : a.report().populations()) {
          Population pop = net.population(q.population());
          double[] th = ((FloatNeurons) pop.dynamics()).threshold();
          Placed placed = placed(image, q.population(), th.length);
          assertEquals(0, placed.offsets(), where);
          double[] err = errors(placed.vth(), placed.scale(), th);
          CompileReport.ErrorStats s = CompileReport.ErrorStats.of(err);
          assertEquals(s.mean(), q.threshold().mean(), 1e-12, where + " " + q.population() + " threshold mean");
          assertEquals(s.p95(), q.threshold().p95(), 1e-12, where + " " + q.population() + " threshold p95");
          assertEquals(s.max(), q.threshold().max(), 1e-12, where + " " + q.population() + " threshold max");
          if (Double.isFinite(target)) {
            // The target is on the grouped values; the image adds at most half a mantissa step.
            for (int i = 0; i < th.length; i++) {
              double halfStep = Math.scalb(1.0, SMALL.thresholdShift()) / placed.scale() / 2 / th[i];
              assertTrue(err[i] <= target + halfStep + 1e-12, where + " neuron " + i + ": " + err[i]);
            }
          }
        }
      }
    }
    System.out.println("spread thresholds: compiled " + compiled + ", thresholds refitted in " + refitted);
    assertTrue(compiled > 80, "compiled " + compiled);
    assertTrue(refitted > 20, "refitted " + refitted);
  }
}
