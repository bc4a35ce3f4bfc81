package org.quench.compiler;

import java.util.HashMap;
import java.util.Map;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.passes.Discretize;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

/**
 * After emission, reads back what the image realises for every neuron of a population that came
 * from float dynamics: its decay and threshold profile rows, the time constants those rows mean at
 * the compile's dt, and the threshold in model units. The requested side is the model as imported.
 * It also writes each such population's scale and voltage offset into its symbol, so that
 * recordings of the image can be read in model units without the compile report.
 */
final class RealizedParameters {
  private RealizedParameters() {}

  /** The image with model units in its symbols; the per-neuron table goes to {@code report}. */
  static ChipImage annotate(Network imported, ChipImage image, ChipSpec spec, CompileReport.Builder report) {
    double dt = report.dtSeconds();
    if (Double.isNaN(dt)) {
      return image;
    }
    Discretization.Convention convention = Discretization.Convention.valueOf(report.discretization());
    Map<String, Core> cores = new HashMap<>();
    for (Core c : image.getCoresList()) {
      cores.put(key(c.getAddress().getChip(), c.getAddress().getCore()), c);
    }
    Map<String, Population> byName = new HashMap<>();
    for (Population p : imported.populations()) {
      byName.put(p.name(), p);
    }
    ChipImage.Builder out = image.toBuilder();
    for (int s = 0; s < out.getSymbolsCount(); s++) {
      Symbol symbol = out.getSymbols(s);
      Population pop = byName.get(symbol.getPopulation());
      if (pop == null || !(pop.dynamics() instanceof FloatNeurons f)) {
        continue;
      }
      double scale = report.scale(pop.name());
      double[] offset = Discretize.voltageOffsets(f);
      Symbol.Builder annotated = symbol.toBuilder().setModelScale(scale);
      if (!allZero(offset)) {
        for (double o : offset) {
          annotated.addVOffset(o);
        }
      }
      out.setSymbols(s, annotated);
      report.neurons(values(pop.name(), f, symbol, cores, offset, scale, dt, convention, spec));
    }
    return out.build();
  }

  private static CompileReport.NeuronValues values(String name, FloatNeurons f, Symbol symbol,
      Map<String, Core> cores, double[] offset, double scale, double dt,
      Discretization.Convention convention, ChipSpec spec) {
    int n = f.size();
    String[] core = new String[n];
    int[] decayRow = new int[n];
    int[] thresholdRow = new int[n];
    double[] tauSyn = f.tauSyn();
    double[] tauMem = f.tauMem();
    double[] threshold = f.threshold();
    double[] synRealized = new double[n];
    double[] memRealized = new double[n];
    double[] thRealized = new double[n];
    for (NeuronRange r : symbol.getRangesList()) {
      String address = key(r.getCore().getChip(), r.getCore().getCore());
      Core c = cores.get(address);
      for (int k = 0; k < r.getCount(); k++) {
        int i = r.getOffset() + k;
        int local = r.getNeuronFirst() + k;
        core[i] = address;
        decayRow[i] = c.getDecayIndex(local);
        thresholdRow[i] = c.getThresholdIndex(local);
        var decay = c.getDecayProfiles(decayRow[i]);
        synRealized[i] = real(tauSyn[i]) ? Discretization.realisedTau(Discretization.Variable.CURRENT,
            decay.getDu(), dt, convention, spec) : Double.NaN;
        memRealized[i] = real(tauMem[i]) ? Discretization.realisedTau(Discretization.Variable.VOLTAGE,
            decay.getDv(), dt, convention, spec) : tauMem[i] == Double.POSITIVE_INFINITY ? tauMem[i] : Double.NaN;
        double vth = Math.scalb((double) c.getThresholdProfiles(thresholdRow[i]).getVth(), spec.thresholdShift());
        thRealized[i] = Double.isFinite(threshold[i]) && scale > 0 ? vth / scale + offset[i] : Double.NaN;
      }
    }
    for (int i = 0; i < n; i++) {
      if (!Double.isFinite(threshold[i])) {
        threshold[i] = Double.NaN;
      }
    }
    return new CompileReport.NeuronValues(name, core, decayRow, thresholdRow, tauSyn, synRealized,
        tauMem, memRealized, threshold, thRealized);
  }

  private static boolean real(double tau) {
    return tau > 0 && tau != Double.POSITIVE_INFINITY;
  }

  private static boolean allZero(double[] v) {
    for (double x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String key(int chip, int core) {
    return chip + "." + core;
  }
}
