package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.NeuronRange;

/**
 * Compensation cannot raise a threshold beyond the top of the mantissa: a neuron whose nominal
 * threshold sits high in the mantissa (Quantize's scale puts a population's largest there) on a
 * physical threshold with too low a gain stays low. The compile report warns, with the count and
 * the worst residual error, exactly when that happens (docs/variability.md, "Compensation").
 */
class CompensationAtTheTopOfTheMantissaTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);
  private static final double[] THRESHOLDS = {1.0, 0.9, 0.6, 0.5};

  private static Network network() {
    int n = THRESHOLDS.length;
    double[] tau = new double[n];
    Arrays.fill(tau, 0.01);
    FloatNeurons f = FloatNeurons.builder(n).tauSyn(tau).tauMem(tau).threshold(THRESHOLDS).build("p");
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), 2, "p", n);
    for (int t = 0; t < n; t++) {
      b.floatSynapse(0, t, 0.3 + 0.1 * t, 0).floatSynapse(1, t, -0.2, 0);
    }
    return Network.builder("top").input(new InputPort("in", 2)).population(Population.of("p", f))
        .projection(b.build()).output("p").build();
  }

  /** Core (0, 0) measured with these threshold factors per neuron, every other parameter nominal. */
  private static DeviceProfile profile(double[] thresholdFactor) {
    MeasuredCore.Builder m = MeasuredCore.newBuilder()
        .setAddress(CoreAddress.newBuilder().setChip(0).setCore(0)).setNeuronCount(thresholdFactor.length);
    for (double f : thresholdFactor) {
      m.addCurrentDecay(1).addVoltageDecay(1).addThreshold(f).addBias(1).addWeight(1);
    }
    return DeviceProfile.measured("5", "loihi", MeasuredProfile.newBuilder().addCores(m).build(), "test");
  }

  private static String topWarning(CompileReport r) {
    return r.warnings().stream().filter(w -> w.contains("too weak for the threshold mantissa"))
        .findFirst().orElse(null);
  }

  @Test
  void theReportWarnsExactlyWhenAPhysicalThresholdIsTooWeakForTheMantissa() {
    Network net = network();
    ChipImage nominal = Compiler.forNir(DT).compile(net, LOIHI, CompileOptions.none()).image();
    assertEquals(1, nominal.getCoresCount());
    Core core = nominal.getCores(0);
    NeuronRange range = nominal.getSymbols(0).getRanges(0);
    assertEquals(0, range.getNeuronFirst());
    assertEquals(0, range.getOffset());
    int vthMax = ParameterDeviation.vthMax(LOIHI);
    int top = core.getThresholdProfiles(core.getThresholdIndex(0)).getVth();
    // The largest threshold leaves room below the mantissa's top, but less than a gain of 0.5 needs.
    assertTrue(top < vthMax && 2 * top > vthMax, top + " of " + vthMax);
    double limit = top / (double) vthMax;
    int n = THRESHOLDS.length;
    int warned = 0;
    int quiet = 0;
    for (double g : new double[] {1.0, 0.5, limit * 0.98, limit * 1.02, 0.99}) {
      for (int weak = 0; weak < n; weak++) {
        double[] factors = new double[n];
        Arrays.fill(factors, 1.0);
        factors[weak] = g;
        DeviceProfile p = profile(factors);
        Compiler.Result r = Compiler.forNir(DT).compensatingFor(p).compile(net, LOIHI, CompileOptions.none());
        // Judged on the compensated image: the weak neuron's realized threshold against its nominal.
        Core c = r.image().getCores(0);
        int want = core.getThresholdProfiles(core.getThresholdIndex(weak)).getVth();
        int gain = p.core(0, 0, n).gain(DeviceParameter.THRESHOLD, weak);
        int realized = ParameterDeviation.threshold(LOIHI, c.getThresholdProfiles(c.getThresholdIndex(weak)).getVth(), gain);
        double error = Math.abs(realized - want) / (double) want;
        String warning = topWarning(r.report());
        String where = String.format(Locale.ROOT, "gain %.4f on neuron %d (nominal %d): realized %d", g, weak, want, realized);
        if (error > 1e-4) {
          assertTrue(realized < want, where);
          assertTrue(warning != null, where + ": no warning in " + r.report().warnings());
          assertTrue(warning.contains(" 1 neuron(s) "), warning);
          assertTrue(warning.contains("worst residual threshold error " + CompileReport.percent(error)
              + ", population 'p' neuron " + weak + " on core (0,0))"), where + ": " + warning);
          assertEquals(1L, r.report().compensation().limits().get(CompensateDeviations.THRESHOLDS_AT_TOP));
          warned++;
        } else {
          assertNull(warning, where);
          assertNull(r.report().compensation().limits().get(CompensateDeviations.THRESHOLDS_AT_TOP), where);
          quiet++;
        }
      }
    }
    // Gain 0.5 is too weak for the two largest thresholds, 2 % below the limit for the largest only.
    assertEquals(3, warned);
    assertEquals(5 * n - 3, quiet);
  }
}
