package org.quench.runtime.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.HeterogeneousRecurrent;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.hal.ChipSpec;
import org.quench.hal.Stimulus;
import org.quench.runtime.model.PrecisionSweep;
import org.quench.runtime.verify.Verification;
import org.quench.runtime.verify.VerificationInputs;
import org.quench.runtime.verify.VerificationReport;

/**
 * The precision / cores benchmark of docs/precision.md: the 2,000-neuron heterogeneous recurrent
 * population ({@link HeterogeneousRecurrent}) compiled at dt 1e-4 and 1e-3 s with tau targets from
 * 50 % down to 0.2 %; for each core budget (5, 10, 20, 40, 80) the tightest target that fits, its
 * tau errors and compile time; then float-vs-chip agreement ({@code quench verify}'s comparison, on
 * the emulator) at the cheapest and the most precise setting under seeded random input.
 *
 * <p>Usage: {@code java -cp runtime/target/quench.jar org.quench.runtime.bench.PrecisionBench
 * [steps] [inputRate]} (defaults 1000 steps; the input rate starts at 0.05 per channel and step and
 * rises until the float population fires at least 2 % per step). Wall times vary run to run; they are not asserted anywhere.
 */
public final class PrecisionBench {
  private static final int[] BUDGETS = {5, 10, 20, 40, 80};

  private PrecisionBench() {}

  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    Network net = HeterogeneousRecurrent.network(2000, 7);
    ChipSpec spec = ChipSpec.loihi();
    for (double dt : new double[] {1e-4, 1e-3}) {
      NirImportOptions nir = NirImportOptions.defaults().withDt(dt);
      List<PrecisionSweep.Point> points = new ArrayList<>();
      List<Compiler.Result> results = new ArrayList<>();
      CompileOptions base = CompileOptions.none().with(ProfileBudget.RESOLUTION_LIMIT, "warn")
          .with(ProfileBudget.MAX_CORES, "128");
      for (int k = 0; k <= 24; k++) {
        double target = k == 0 ? Double.POSITIVE_INFINITY : 0.5 * Math.pow(0.002 / 0.5, (k - 1) / 23.0);
        CompileOptions o = k == 0 ? base : base.with(ProfileBudget.MAX_TAU_ERROR, Double.toString(target));
        long t0 = System.nanoTime();
        try {
          Compiler.Result r = Compiler.forNir(nir).compile(net, spec, o);
          points.add(PrecisionSweep.point(target, r, (System.nanoTime() - t0) / 1e9));
          results.add(r);
        } catch (org.quench.hal.QuenchException e) {
          break; // beyond one chip: tighter targets need more cores still
        }
      }
      System.out.printf(Locale.ROOT, "%ndt %.0e s: core budget -> tightest target that fits%n", dt);
      System.out.println("budget  cores  target   tau p50   tau p95   tau max  weight RMS  compile_s");
      for (int budget : BUDGETS) {
        PrecisionSweep.Point best = null;
        for (PrecisionSweep.Point p : points) {
          if (p.cores() <= budget && (best == null || p.tauP95() < best.tauP95())) {
            best = p;
          }
        }
        if (best == null) {
          System.out.printf(Locale.ROOT, "%6d  (the fewest-cores compile needs %d)%n", budget, points.get(0).cores());
          continue;
        }
        System.out.printf(Locale.ROOT, "%6d %6d %7s %9s %9s %9s %11s %10.2f%n", budget, best.cores(),
            Double.isFinite(best.tauTarget()) ? CompileReport.percent(best.tauTarget()) : "none",
            CompileReport.percent(best.tauP50()), CompileReport.percent(best.tauP95()),
            CompileReport.percent(best.tauMax()), CompileReport.percent(best.weightRms()),
            best.compileSeconds());
      }
      Verification v = new Verification(net, dt, nir.discretization(), spec);
      // The lowest input rate (from the given one up) at which the float population fires 2-10 %
      // per step.
      Stimulus stimulus = null;
      double fired = 0;
      for (double r = rate; stimulus == null || (fired < 0.02 && r < 1.0); r = Math.min(1.0, r * 1.5)) {
        stimulus = VerificationInputs.poisson(net, steps, r, 1);
        fired = v.reference().run(stimulus).totalSpikes("pop") / (double) (steps * net.populations().get(0).size());
        System.out.printf(Locale.ROOT, "input %.3f per channel and step: the float population fires %.2f %% per step%n",
            r, 100 * fired);
      }
      for (int which : new int[] {0, results.size() - 1}) {
        VerificationReport rep = v.run(results.get(which), "emu:loihi", stimulus);
        VerificationReport.PopulationAgreement a = rep.population("pop");
        System.out.printf(Locale.ROOT, "verify %s (%d cores): reference rate %.4f, chip rate %.4f per step,"
            + " count correlation %.3f, spike agreement %.2f %%%n",
            which == 0 ? "cheapest" : "most precise", points.get(which).cores(), a.referenceRate(),
            a.deviceRate(), a.countCorrelation() == null ? Double.NaN : a.countCorrelation(),
            100 * a.agreement());
      }
    }
  }
}
