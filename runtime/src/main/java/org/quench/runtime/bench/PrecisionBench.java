package org.quench.runtime.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
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
 * <p>It also prints the fewest-cores compile's "what a precision target would cost" line, the
 * weight error with an exponent per core against one per projection, the same with a weight target
 * (neurons ordered by folded gain), and writes the sweep's plot (as {@code quench compile
 * --precision-sweep} draws it) to {@code OUTDIR/precision-sweep-dt1e-4.png} and {@code -dt1e-3.png}.
 *
 * <p>With the single argument {@code weights} it measures instead what {@code --max-weight-error}
 * costs (cores and compile time per weight target).
 *
 * <p>Usage: {@code java -cp examples/target/quench.jar org.quench.runtime.bench.PrecisionBench
 * [steps] [inputRate] [OUTDIR]} (defaults 1000 steps; the input rate starts at 0.05 per channel and
 * step and rises until the float population fires at least 2 % per step; OUTDIR quench-out). Wall
 * times vary run to run; they are not asserted anywhere.
 */
public final class PrecisionBench {
  private static final int[] BUDGETS = {5, 10, 20, 40, 80};

  private PrecisionBench() {}

  /** The worst projection's RMS weight error with exponents per core and with one exponent. */
  private static String weights(CompileReport report, String what) {
    CompileReport.ProjectionQuality worst = null;
    for (CompileReport.ProjectionQuality q : report.projections()) {
      if (worst == null || q.rmsRelError() > worst.rmsRelError()) {
        worst = q;
      }
    }
    return what + ": weight RMS (worst projection '" + worst.projection() + "') "
        + CompileReport.percent(worst.rmsRelError()) + " with exponents " + worst.weightExpMin() + ".."
        + worst.weightExpMax() + " per core, " + CompileReport.percent(worst.oneExponentRmsRelError())
        + " with one exponent " + worst.weightExp();
  }

  /**
   * {@code PrecisionBench weights}: what {@code --max-weight-error} costs on the same network. Per
   * dt and weight target (none, 3, 2, 1 %; alone and with a tau target of 5 %): cores, the worst
   * projection's RMS weight error, tau p95 and the compile's wall time (the median of three
   * compiles, after one warm-up compile; the no-target compile's includes pricing), and the
   * no-target compile's price of each target.
   */
  private static void weightTargets() {
    Network net = HeterogeneousRecurrent.network(2000, 7);
    ChipSpec spec = ChipSpec.loihi();
    String[] targets = {null, "0.03", "0.02", "0.01"};
    Compiler.forNir(NirImportOptions.defaults()).compile(net, spec, CompileOptions.none());
    System.out.println("dt      tau target  weight target  cores  weight RMS  tau p95  compile_s (median of 3)");
    for (double dt : new double[] {1e-4, 1e-3}) {
      NirImportOptions nir = NirImportOptions.defaults().withDt(dt);
      for (String tau : new String[] {null, "0.05"}) {
        for (String w : targets) {
          CompileOptions o = CompileOptions.none().with(ProfileBudget.RESOLUTION_LIMIT, "warn");
          o = tau == null ? o : o.with(ProfileBudget.MAX_TAU_ERROR, tau);
          o = w == null ? o : o.with(org.quench.compiler.passes.Quantize.MAX_WEIGHT_ERROR, w);
          double[] seconds = new double[3];
          Compiler.Result r = null;
          String failure = null;
          for (int k = 0; k < seconds.length; k++) {
            long t0 = System.nanoTime();
            try {
              r = Compiler.forNir(nir).compile(net, spec, o);
            } catch (org.quench.hal.QuenchException e) {
              failure = e.getMessage();
            }
            seconds[k] = (System.nanoTime() - t0) / 1e9;
          }
          java.util.Arrays.sort(seconds);
          String label = String.format(Locale.ROOT, "%-7s %-11s %-14s", String.format(Locale.ROOT, "%.0e", dt),
              tau == null ? "none" : CompileReport.percent(Double.parseDouble(tau)),
              w == null ? "none" : CompileReport.percent(Double.parseDouble(w)));
          if (failure != null) {
            System.out.printf(Locale.ROOT, "%s fails in %.2f s: %s%n", label, seconds[1], failure);
            continue;
          }
          double worst = r.report().projections().stream()
              .mapToDouble(CompileReport.ProjectionQuality::rmsRelError).max().orElse(0);
          System.out.printf(Locale.ROOT, "%s %5d %11s %8s %10.2f%n", label, r.image().getCoresCount(),
              CompileReport.percent(worst), CompileReport.percent(PrecisionSweep.point(0, r, 0).tauP95()),
              seconds[1]);
          if (w == null) {
            r.report().summary().lines().filter(l -> l.startsWith("weight precision"))
                .forEach(l -> System.out.println("        " + l));
          }
        }
      }
    }
  }

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("weights")) {
      weightTargets();
      return;
    }
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 0.05;
    java.nio.file.Path outDir = java.nio.file.Path.of(args.length > 2 ? args[2] : "quench-out");
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
      System.out.printf(Locale.ROOT, "%ndt %.0e s%n", dt);
      CompileReport fewest = results.get(0).report();
      fewest.summary().lines().filter(l -> l.startsWith("precision '") || l.startsWith("  ") && l.contains("resolution-limited"))
          .forEach(l -> System.out.println("  " + l.strip()));
      System.out.println("  " + weights(fewest, "fewest cores"));
      try {
        Compiler.Result byGain = Compiler.forNir(nir).compile(net, spec,
            base.with(org.quench.compiler.passes.Quantize.MAX_WEIGHT_ERROR, "0.5"));
        System.out.println("  " + weights(byGain.report(), "--max-weight-error 0.5 (by gain), "
            + byGain.image().getCoresCount() + " cores, tau p95 "
            + CompileReport.percent(PrecisionSweep.point(0, byGain, 0).tauP95())));
      } catch (org.quench.hal.QuenchException e) {
        System.out.println("  --max-weight-error 0.5: " + e.getMessage());
      }
      List<PrecisionSweep.Point> sorted = new ArrayList<>(points);
      sorted.sort((a, b) -> Integer.compare(a.cores(), b.cores()));
      java.nio.file.Path png = outDir.resolve(String.format(Locale.ROOT, "precision-sweep-dt%.0e.png", dt)
          .replace("e-0", "e-"));
      org.quench.runtime.plot.PrecisionPlot.write(sorted, String.format(Locale.ROOT,
          "2,000 heterogeneous CubaLIF neurons, dt %.0e s", dt), png);
      System.out.println("  plot: " + png);
      System.out.println("core budget -> tightest target that fits");
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
