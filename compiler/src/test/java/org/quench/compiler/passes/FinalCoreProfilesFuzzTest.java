package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.ImageValidator;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

/**
 * Random networks of several populations with spread time constants, on small cores (so
 * populations share cores and split over many), under the tau and weight targets alone and
 * together: every image is valid, compiling twice gives the same bytes, and the report's tau
 * statistics, rows per core, precision entries and overflow warnings are the image's
 * (docs/precision.md, "Rows for the final cores").
 */
class FinalCoreProfilesFuzzTest {
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);
  private static final ChipSpec SMALL = ChipSpec.of(ChipSpec.loihi().data().toBuilder()
      .setName("small-rows").setNeuronsPerCore(48).setDecayProfilesPerCore(6).setCoresPerChip(128)
      .build());

  /** Up to four populations in a chain from one input port, sizes and tau spreads at random. */
  static Network network(long seed) {
    Random r = new Random(seed);
    int pops = 1 + r.nextInt(4);
    int width = 8 + r.nextInt(24);
    Network.Builder b = Network.builder("fuzz" + seed).input(new InputPort("in", width));
    String prev = null;
    int prevSize = width;
    for (int p = 0; p < pops; p++) {
      int n = 5 + r.nextInt(r.nextBoolean() ? 40 : 150);
      double[] tauSyn = spread(r, n, 0.001 + 0.01 * r.nextDouble(), r.nextInt(3) == 0 ? 1 : 2 + 100 * r.nextDouble());
      double[] tauMem = spread(r, n, 0.005 + 0.02 * r.nextDouble(), r.nextInt(2) == 0 ? 1 : 2 + 20 * r.nextDouble());
      double[] th = new double[n];
      Arrays.fill(th, 1.0);
      String name = "p" + p;
      b.population(Population.of(name, FloatNeurons.builder(n).tauSyn(tauSyn).tauMem(tauMem)
          .threshold(th).build(name)));
      Projection.Source src = prev == null ? Projection.Source.inputPort("in") : Projection.Source.population(prev);
      Projection.Builder pb = Projection.builder((prev == null ? "in" : prev) + "->" + name, src, prevSize, name, n);
      double density = 0.3 + 0.7 * r.nextDouble();
      for (int t = 0; t < n; t++) {
        for (int s = 0; s < prevSize; s++) {
          if (r.nextDouble() < density) {
            pb.floatSynapse(s, t, 0.3 * r.nextGaussian(), 0);
          }
        }
      }
      b.projection(pb.build());
      prev = name;
      prevSize = n;
    }
    return b.output(prev).build();
  }

  private static double[] spread(Random r, int n, double lo, double span) {
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = lo * Math.pow(span, r.nextDouble());
    }
    return t;
  }

  /** The image's relative tau errors of one population (0: syn, 1: mem), per neuron. */
  private static double[][] imageTauErrors(ChipImage image, String population, FloatNeurons f) {
    double[][] err = new double[2][f.size()];
    for (Symbol s : image.getSymbolsList()) {
      if (!s.getPopulation().equals(population)) {
        continue;
      }
      for (NeuronRange r : s.getRangesList()) {
        Core core = image.getCores(FinalCoreProfilesTest.coreIndex(image, r.getCore().getChip(), r.getCore().getCore()));
        for (int k = 0; k < r.getCount(); k++) {
          int i = r.getOffset() + k;
          var row = core.getDecayProfiles(core.getDecayIndex(r.getNeuronFirst() + k));
          double syn = Discretization.realisedTau(Discretization.Variable.CURRENT, row.getDu(), DT.dt(),
              DT.discretization(), SMALL);
          double mem = Discretization.realisedTau(Discretization.Variable.VOLTAGE, row.getDv(), DT.dt(),
              DT.discretization(), SMALL);
          err[0][i] = Math.abs(syn - f.tauSyn()[i]) / f.tauSyn()[i];
          err[1][i] = Math.abs(mem - f.tauMem()[i]) / f.tauMem()[i];
        }
      }
    }
    return err;
  }

  private static String warning(CompileReport report, String prefix) {
    for (String w : report.warnings()) {
      if (w.startsWith(prefix)) {
        return w;
      }
    }
    return null;
  }

  private static String withoutTimings(String json) {
    return json.replaceAll("\"timings\":\\{[^}]*\\}", "");
  }

  private static List<CompileOptions> options() {
    CompileOptions none = CompileOptions.none().with(ProfileBudget.RESOLUTION_LIMIT, "warn");
    return List.of(none,
        none.with(ProfileBudget.MAX_TAU_ERROR, "0.03"),
        none.with(Quantize.MAX_WEIGHT_ERROR, "0.04"),
        none.with(ProfileBudget.MAX_TAU_ERROR, "0.03").with(Quantize.MAX_WEIGHT_ERROR, "0.04"));
  }

  @Test
  void randomNetworksCompileToValidDeterministicImagesTheReportDescribes() {
    int compiled = 0;
    int refitted = 0;
    List<String> refused = new ArrayList<>();
    for (long seed = 1; seed <= 40; seed++) {
      Network net = network(seed);
      for (CompileOptions o : options()) {
        String where = "seed " + seed + " " + o;
        Compiler.Result a;
        try {
          a = Compiler.forNir(DT).compile(net, SMALL, o);
        } catch (QuenchException e) {
          assertTrue(!e.getMessage().contains("does not fit chip"), where + ": " + e.getMessage());
          refused.add(where + ": " + e.getMessage());
          continue;
        }
        compiled++;
        ChipImage image = a.image();
        assertEquals(List.of(), ImageValidator.problems(image, SMALL), where);
        Compiler.Result b = Compiler.forNir(DT).compile(net, SMALL, o);
        assertArrayEquals(image.toByteArray(), b.image().toByteArray(), where);
        assertEquals(withoutTimings(a.report().toJson()), withoutTimings(b.report().toJson()), where);
        for (int c = 0; c < image.getCoresCount(); c++) {
          assertEquals(image.getCores(c).getDecayProfilesCount(), a.report().cores().get(c).decayProfiles(),
              where + " core " + c);
        }
        refitted += a.report().toJson().contains("final-core-profiles: ") ? 1 : 0;
        for (CompileReport.PopulationQuality q : a.report().populations()) {
          // The overflow warnings state the headroom the report gives, and are there when it is short.
          String who = "population '" + q.population() + "': ";
          String u = warning(a.report(), who + "u may wrap");
          String v = warning(a.report(), who + "v may saturate");
          assertEquals(q.uHeadroomBits() < 0, u != null, where + " " + who + q.uHeadroomBits() + " " + u);
          assertEquals(q.vHeadroomBits() < 0, v != null, where + " " + who + q.vHeadroomBits() + " " + v);
          if (u != null) {
            assertTrue(u.contains(String.format(java.util.Locale.ROOT, "headroom %.1f bits", q.uHeadroomBits())), where + " " + u);
          }
          if (v != null) {
            assertTrue(v.contains(String.format(java.util.Locale.ROOT, "headroom %.1f bits", q.vHeadroomBits())), where + " " + v);
          }
          FloatNeurons f = (FloatNeurons) net.populations().get(net.indexOf(q.population())).dynamics();
          double[][] err = imageTauErrors(image, q.population(), f);
          CompileReport.ErrorStats syn = CompileReport.ErrorStats.of(err[0]);
          CompileReport.ErrorStats mem = CompileReport.ErrorStats.of(err[1]);
          assertEquals(syn.p95(), q.tauSyn().p95(), 1e-12, where + " " + q.population() + " tau_syn p95");
          assertEquals(syn.max(), q.tauSyn().max(), 1e-12, where + " " + q.population() + " tau_syn max");
          assertEquals(syn.mean(), q.tauSyn().mean(), 1e-12, where + " " + q.population() + " tau_syn mean");
          assertEquals(mem.p95(), q.tauMem().p95(), 1e-12, where + " " + q.population() + " tau_mem p95");
          assertEquals(mem.max(), q.tauMem().max(), 1e-12, where + " " + q.population() + " tau_mem max");
          Set<List<Integer>> rows = new HashSet<>();
          for (Symbol s : image.getSymbolsList()) {
            if (s.getPopulation().equals(q.population())) {
              for (NeuronRange r : s.getRangesList()) {
                Core core = image.getCores(FinalCoreProfilesTest.coreIndex(image, r.getCore().getChip(), r.getCore().getCore()));
                for (int k = 0; k < r.getCount(); k++) {
                  var row = core.getDecayProfiles(core.getDecayIndex(r.getNeuronFirst() + k));
                  rows.add(List.of(row.getDu(), row.getDv()));
                }
              }
            }
          }
          assertEquals(rows.size(), q.distinctDecaysRealized(), where + " " + q.population() + " decays");
        }
        for (CompileReport.Precision p : a.report().precision()) {
          FloatNeurons f = (FloatNeurons) net.populations().get(net.indexOf(p.population())).dynamics();
          double[][] err = imageTauErrors(image, p.population(), f);
          double[] all = new double[err[0].length * 2];
          System.arraycopy(err[0], 0, all, 0, err[0].length);
          System.arraycopy(err[1], 0, all, err[0].length, err[1].length);
          assertEquals(CompileReport.ErrorStats.of(all).p95(), p.tau().p95(), 1e-12, where + " precision p95");
          assertEquals(CompileReport.ErrorStats.of(all).max(), p.tau().max(), 1e-12, where + " precision max");
        }
      }
    }
    System.out.println("compiled " + compiled + ", refitted " + refitted + ", refused " + refused.size() + ": " + refused);
    assertTrue(compiled > 80, "compiled " + compiled);
    assertTrue(refitted > 20, "refitted " + refitted);
  }
}
