package org.quench.runtime.model;

import java.util.ArrayList;
import java.util.List;
import org.quench.compiler.CompileOptions;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.passes.ProfileBudget;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * The precision / cores trade-off of one network: compiled once with no target (fewest cores) and
 * once per tau target, each point the cores used and the realised errors. Time constants the decay
 * resolution keeps from a target are warned about, not failed on, so every target gives a point;
 * a target that needs more cores than allowed gives none. See docs/precision.md.
 */
public final class PrecisionSweep {
  /** The tau targets swept (relative). */
  public static final double[] TARGETS = {0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005};

  /**
   * One compile of the sweep.
   *
   * @param tauTarget the --max-tau-error asked for (infinite for the fewest-cores compile)
   * @param cores cores used
   * @param tauP50 median relative tau error over all time constants (tau_syn and tau_mem; the
   *     worst population's when there are several)
   * @param tauP95 95th percentile
   * @param tauMax largest
   * @param weightRms the worst projection's RMS relative weight error
   * @param compileSeconds wall time of the compile
   */
  public record Point(double tauTarget, int cores, double tauP50, double tauP95, double tauMax,
      double weightRms, double compileSeconds) {}

  /** Told after each compile (progress bars). */
  @FunctionalInterface
  public interface Listener {
    void compiled(int done, int total);
  }

  private PrecisionSweep() {}

  /** The sweep over {@link #TARGETS}; points in order of increasing cores. */
  public static List<Point> run(Network network, ChipSpec spec, NirImportOptions nir,
      CompileOptions base, Listener listener) {
    List<Point> points = new ArrayList<>();
    int total = TARGETS.length + 1;
    CompileOptions o = base.with(ProfileBudget.RESOLUTION_LIMIT, "warn");
    for (int k = 0; k < total; k++) {
      double target = k == 0 ? Double.POSITIVE_INFINITY : TARGETS[k - 1];
      CompileOptions ok = k == 0 ? o : o.with(ProfileBudget.MAX_TAU_ERROR, Double.toString(target));
      long t0 = System.nanoTime();
      try {
        Compiler.Result r = Compiler.forNir(nir).compile(network, spec, ok);
        points.add(point(target, r, (System.nanoTime() - t0) / 1e9));
      } catch (QuenchException e) {
        if (k == 0) {
          throw e;
        }
        // Not reachable on the cores allowed: the curve ends here.
      }
      listener.compiled(k + 1, total);
    }
    points.sort((a, b) -> Integer.compare(a.cores(), b.cores()));
    return points;
  }

  /** The errors a compile realised (all populations with float dynamics together). */
  public static Point point(double target, Compiler.Result r, double seconds) {
    CompileReport report = r.report();
    double p50 = 0;
    double p95 = 0;
    double max = 0;
    for (CompileReport.Precision p : report.precision()) {
      p50 = Math.max(p50, p.tau().p50());
      p95 = Math.max(p95, p.tau().p95());
      max = Math.max(max, p.tau().max());
    }
    double weight = 0;
    for (CompileReport.ProjectionQuality q : report.projections()) {
      weight = Math.max(weight, q.rmsRelError());
    }
    return new Point(target, r.image().getCoresCount(), p50, p95, max, weight, seconds);
  }
}
