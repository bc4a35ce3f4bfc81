package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.compiler.report.CompensationReport;
import org.quench.compiler.quant.WeightBits;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.DecayProfile;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.SignMode;
import org.quench.hal.proto.ThresholdProfile;

/** Compensation cancels known deviations where the formats allow and reports where not. */
class CompensateDeviationsTest {
  private static final ChipSpec SPEC = ChipSpec.loihi();

  /** One core of n neurons sharing one decay and one threshold row, one input axon to all. */
  private static ChipImage image(int n, int du, int dv, int vth, int bias, int weight) {
    Core.Builder c = Core.newBuilder().setAddress(CoreAddress.newBuilder().setChip(0).setCore(0))
        .addDecayProfiles(DecayProfile.newBuilder().setDu(du).setDv(dv))
        .addThresholdProfiles(ThresholdProfile.newBuilder().setVth(vth)).setNeuronCount(n);
    AxonGroup.Builder g = AxonGroup.newBuilder().setName("in").setAxonFirst(0).setAxonCount(1)
        .setSignMode(SignMode.EXCITATORY).setNumWeightBits(7).setWeightExp(0).addRowPtr(0).addRowPtr(n);
    for (int i = 0; i < n; i++) {
      c.addDecayIndex(0).addThresholdIndex(0).addBiasMant(bias).addBiasExp(0);
      g.addTarget(i).addWeight(weight);
    }
    return ChipImage.newBuilder().addCores(c.addAxonGroups(g)).build();
  }

  /** A measured profile of core (0,0): per neuron factor arrays (every parameter alike). */
  private static DeviceProfile profile(double[] factors, double weightFactor) {
    MeasuredCore.Builder m = MeasuredCore.newBuilder()
        .setAddress(CoreAddress.newBuilder().setChip(0).setCore(0)).setNeuronCount(factors.length);
    for (double f : factors) {
      m.addCurrentDecay(f).addVoltageDecay(f).addThreshold(f).addBias(f).addWeight(weightFactor);
    }
    return DeviceProfile.measured("9", "loihi", MeasuredProfile.newBuilder().addCores(m).build(), "test");
  }

  /** What the chip realizes for neuron i of the (possibly compensated) image. */
  private static int[] realized(ChipImage img, CoreDeviations dev, int i) {
    Core c = img.getCores(0);
    DecayProfile d = c.getDecayProfiles(c.getDecayIndex(i));
    int vth = c.getThresholdProfiles(c.getThresholdIndex(i)).getVth();
    AxonGroup g = c.getAxonGroups(0);
    int prepared = WeightBits.prepare(new int[] {g.getWeight(i)}, g.getSignMode(), g.getNumWeightBits(),
        SPEC)[0];
    return new int[] {
        ParameterDeviation.currentDecay(SPEC, d.getDu(), dev.gain(DeviceParameter.CURRENT_DECAY, i)),
        ParameterDeviation.voltageDecay(SPEC, d.getDv(), dev.gain(DeviceParameter.VOLTAGE_DECAY, i)),
        ParameterDeviation.threshold(SPEC, vth, dev.gain(DeviceParameter.THRESHOLD, i)),
        ParameterDeviation.biasMant(SPEC, c.getBiasMant(i), dev.gain(DeviceParameter.BIAS, i)),
        ParameterDeviation.weight(SPEC, prepared, dev.synapseGain(0, i), SignMode.EXCITATORY)};
  }

  @Test
  void knownDeviationsAreCancelledExactlyWhereTheFormatsAllow() {
    double[] f = {1.12, 0.9, 1.0, 0.85};
    DeviceProfile p = profile(f, 0.8);
    ChipImage nominal = image(4, 1023, 500, 3000, 1500, 100);
    CompensateDeviations.Outcome o = new CompensateDeviations(p).apply(nominal, SPEC);
    CoreDeviations dev = p.core(0, 0, 4);
    int[] want = {1023, 500, 3000, 1500, 100};
    for (int i = 0; i < 4; i++) {
      int[] before = realized(nominal, dev, i);
      int[] after = realized(o.image(), dev, i);
      for (int k = 0; k < want.length; k++) {
        assertEquals(want[k], after[k], "neuron " + i + " parameter " + k);
      }
      if (f[i] != 1.0) {
        assertTrue(before[2] != 3000, "threshold of neuron " + i + " deviates without compensation");
      }
    }
    // A 12 % high threshold gets a lower mantissa.
    Core c = o.image().getCores(0);
    assertEquals(2679, c.getThresholdProfiles(c.getThresholdIndex(0)).getVth());
    // Four neurons want four rows of each table: they fit, nothing is clustered.
    assertEquals(4, c.getThresholdProfilesCount());
    assertEquals(0, o.report().clusteredCores());
    assertEquals(0.0, o.report().after().get("threshold").max());
    assertTrue(o.report().before().get("threshold").max() > 0.1);
    // num_weight_bits was raised to the full mantissa: finer steps to compensate with.
    assertEquals(8, c.getAxonGroups(0).getNumWeightBits());
  }

  @Test
  void whatCannotBeCompensatedIsReported() {
    int n = 40;
    double[] f = new double[n];
    for (int i = 0; i < n; i++) {
      f[i] = 0.8 + 0.01 * i;
    }
    // Weight 250 on synapses running at 0.8 would need 312: beyond the 8-bit mantissa.
    CompensateDeviations.Outcome o = new CompensateDeviations(profile(f, 0.8))
        .apply(image(n, 1023, 500, 3000, 1500, 250), SPEC);
    CompensationReport r = o.report();
    Core c = o.image().getCores(0);
    assertEquals(SPEC.thresholdProfilesPerCore(), c.getThresholdProfilesCount());
    assertTrue(c.getDecayProfilesCount() <= SPEC.decayProfilesPerCore());
    assertEquals(1, r.clusteredCores());
    assertTrue(r.limits().get("thresholds shared in a clustered profile row (16 per core)") > 0, r.summary());
    assertEquals(n, r.limits().get("weights that would need more than the mantissa holds (saturated)"));
    // Clustering still beats doing nothing by a wide margin.
    assertTrue(r.after().get("threshold").mean() < r.before().get("threshold").mean() / 5, r.summary());
    // 40 values spread over 40 % share 16 rows: about half a row's width, 1.25 %, at worst.
    assertTrue(r.after().get("threshold").max() < 0.0125, r.summary());
    assertTrue(r.summary().contains("not compensated"), r.summary());
  }

  @Test
  void deadNeuronsAreReportedNotCompensated() {
    MeasuredCore m = MeasuredCore.newBuilder().setAddress(CoreAddress.newBuilder().setChip(0).setCore(0))
        .setNeuronCount(2).addDead(true).addDead(false).build();
    DeviceProfile p = DeviceProfile.measured("9", "loihi", MeasuredProfile.newBuilder().addCores(m).build(), "t");
    CompensationReport r = new CompensateDeviations(p).apply(image(2, 1023, 500, 3000, 1500, 100), SPEC).report();
    assertEquals(1L, r.limits().get("neurons on dead physical neurons (never fire)"));
  }
}
