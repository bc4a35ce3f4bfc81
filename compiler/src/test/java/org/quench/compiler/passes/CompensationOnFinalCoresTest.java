package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.report.CompensationReport;
import org.quench.compiler.report.CompileOptions;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.NeuronRange;
import org.quench.hal.proto.Symbol;

/**
 * Calibration-aware compiling compensates the thresholds the image finally holds: those fitted
 * again to each final core's neurons (ProfileBudget#fitFinalCores), not those Quantize gave
 * before the partition (docs/variability.md, "Compensation"; docs/precision.md, "Rows for the
 * final cores").
 */
class CompensationOnFinalCoresTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);

  /** Where each neuron of a population sits: image core index and neuron index on that core. */
  private record Sites(int[] core, int[] neuron) {
    static Sites of(ChipImage image, String population, int n) {
      int[] core = new int[n];
      int[] neuron = new int[n];
      for (Symbol s : image.getSymbolsList()) {
        if (s.getPopulation().equals(population)) {
          for (NeuronRange r : s.getRangesList()) {
            int c = FinalCoreProfilesTest.coreIndex(image, r.getCore().getChip(), r.getCore().getCore());
            for (int k = 0; k < r.getCount(); k++) {
              core[r.getOffset() + k] = c;
              neuron[r.getOffset() + k] = r.getNeuronFirst() + k;
            }
          }
        }
      }
      return new Sites(core, neuron);
    }

    int vth(ChipImage image, int i) {
      Core c = image.getCores(core[i]);
      return c.getThresholdProfiles(c.getThresholdIndex(neuron[i])).getVth();
    }
  }

  /**
   * A chip whose thresholds realize low by a factor of its own on each core (0.90, 0.92, ...; every
   * other parameter nominal): below 1 every mantissa is reachable, and a core's neurons all want
   * their rows divided by one factor, so each core's compensated rows fit its table exactly.
   */
  private static DeviceProfile lowThresholds(ChipImage image) {
    MeasuredProfile.Builder m = MeasuredProfile.newBuilder();
    for (int c = 0; c < image.getCoresCount(); c++) {
      Core core = image.getCores(c);
      MeasuredCore.Builder mc = MeasuredCore.newBuilder().setAddress(core.getAddress())
          .setNeuronCount(core.getNeuronCount());
      for (int i = 0; i < core.getNeuronCount(); i++) {
        mc.addCurrentDecay(1).addVoltageDecay(1).addThreshold(0.90 + 0.02 * c).addBias(1).addWeight(1)
            .addDead(false).addHot(false);
      }
      m.addCores(mc);
    }
    return DeviceProfile.measured("41", "loihi", m.build(), "thresholds low by a factor per core");
  }

  @Test
  void theRefittedThresholdsAreWhatTheChipRealizesAfterCompensation() {
    Network net = FinalCoreThresholdsTest.spreadThresholds();
    int n = net.populations().get(0).size();
    Compiler.Result free = Compiler.forNir(DT).compile(net, LOIHI, CompileOptions.none());
    double floor = free.report().weightPrecision().projections().get(0).floorRelError();
    CompileOptions o = CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(1.5 * floor));
    Compiler.Result nominal = Compiler.forNir(DT).compile(net, LOIHI, o);
    ChipImage image = nominal.image();
    assertTrue(nominal.report().decisions().stream().anyMatch(d -> d.startsWith(
        "final-core-profiles: population 'p': threshold rows fitted again")), "the thresholds were refitted");
    // The table before the refit (Quantize's) and the image's final one differ on many neurons:
    // compensating the wrong one would aim those neurons at the wrong threshold.
    int[] beforeRefit = FinalCoreThresholdsTest.quantizedVth(net, DT, o, 0);
    Sites sites = Sites.of(image, "p", n);
    int moved = 0;
    for (int i = 0; i < n; i++) {
      moved += sites.vth(image, i) != beforeRefit[i] ? 1 : 0;
    }
    assertTrue(moved > n / 10, moved + " of " + n + " thresholds changed by the refit");

    DeviceProfile chip = lowThresholds(image);
    Compiler.Result compensated = Compiler.forNir(DT).compensatingFor(chip).compile(net, LOIHI, o);
    ChipImage c = compensated.image();
    assertEquals(image.getCoresCount(), c.getCoresCount());
    Sites after = Sites.of(c, "p", n);
    int[] neuronsOn = new int[image.getCoresCount()];
    for (int k = 0; k < image.getCoresCount(); k++) {
      neuronsOn[k] = image.getCores(k).getNeuronCount();
    }
    for (int i = 0; i < n; i++) {
      assertEquals(sites.core()[i], after.core()[i], "neuron " + i + " stays on its core");
      assertEquals(sites.neuron()[i], after.neuron()[i], "neuron " + i + " keeps its place");
      Core core = c.getCores(after.core()[i]);
      CoreDeviations dev = chip.core(core.getAddress().getChip(), core.getAddress().getCore(),
          neuronsOn[after.core()[i]]);
      int realized = ParameterDeviation.threshold(LOIHI, after.vth(c, i),
          dev.gain(DeviceParameter.THRESHOLD, after.neuron()[i]));
      assertEquals(sites.vth(image, i), realized, "neuron " + i + ": the chip realizes the final threshold"
          + " (before the refit it was " + beforeRefit[i] + ")");
    }
    CompensationReport r = compensated.report().compensation();
    assertEquals(0, r.clusteredCores(), "each core's compensated rows fit its table");
    assertTrue(r.before().get("threshold").mean() > 0.05, r.summary());
    assertEquals(0.0, r.after().get("threshold").max(), r.summary());
  }
}
