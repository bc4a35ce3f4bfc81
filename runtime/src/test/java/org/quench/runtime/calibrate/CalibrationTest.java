package org.quench.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.Device;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;

/** Calibration through the Device SPI recovers a known (generated) profile. */
class CalibrationTest {
  static final int NEURONS = 200;

  /** Largest |measured - true| factor per parameter over every calibrated live neuron. */
  static double[] worstError(DeviceProfile truth, DeviceProfile measured, List<int[]> cores, int neurons) {
    double[] worst = new double[DeviceParameter.values().length];
    for (int[] c : cores) {
      CoreDeviations t = truth.core(c[0], c[1], neurons);
      CoreDeviations m = measured.core(c[0], c[1], neurons);
      for (int i = 0; i < neurons; i++) {
        assertEquals(t.dead(i), m.dead(i), "dead flag of neuron " + i + " on core " + c[1]);
        assertEquals(t.hot(i), m.hot(i), "hot flag of neuron " + i + " on core " + c[1]);
        if (t.dead(i) || t.hot(i)) {
          continue;
        }
        for (DeviceParameter p : DeviceParameter.values()) {
          if (p == DeviceParameter.WEIGHT) {
            continue;
          }
          worst[p.ordinal()] = Math.max(worst[p.ordinal()], Math.abs(m.factor(p, i) - t.factor(p, i)));
        }
        // The gain measures the calibration synapses' mean realized gain.
        double sum = 0;
        int live = 0;
        for (int a = 0; a < 16; a++) {
          if (!t.stuckOff(a, i)) {
            sum += t.synapseGain(a, i) / 65536.0;
            live++;
          }
        }
        int w = DeviceParameter.WEIGHT.ordinal();
        worst[w] = Math.max(worst[w], Math.abs(m.factor(DeviceParameter.WEIGHT, i) - sum / live));
      }
    }
    return worst;
  }

  static String describe(double[] worst) {
    StringBuilder s = new StringBuilder();
    for (DeviceParameter p : DeviceParameter.values()) {
      s.append(String.format(Locale.ROOT, " %s %.4f%%", p.key(), 100 * worst[p.ordinal()]));
    }
    return s.toString();
  }

  static void assertWithinStatedError(double[] worst, CalibrationPlan plan) {
    // Half an integer step of each calibration value, plus the realization's own rounding of the
    // factor (half a step of the nominal value): 2 x resolution; the gain additionally rounds
    // each synapse's weight (1 % with Loihi's 150; two integer steps of a narrower chip's weight).
    assertTrue(worst[DeviceParameter.CURRENT_DECAY.ordinal()] <= 2 * 0.5 / plan.duAmount(), describe(worst));
    assertTrue(worst[DeviceParameter.VOLTAGE_DECAY.ordinal()] <= 2 * 0.5 / plan.dv(), describe(worst));
    assertTrue(worst[DeviceParameter.BIAS.ordinal()] <= 2 * 0.5 / plan.biasMant(), describe(worst));
    assertTrue(worst[DeviceParameter.THRESHOLD.ordinal()] <= 2 * 1.0 / plan.vth(), describe(worst));
    assertTrue(worst[DeviceParameter.WEIGHT.ordinal()] <= Math.max(0.01, 2.0 / plan.weight()), describe(worst));
  }

  @Test
  void loihisPlanIsTheDocumentedOne() {
    // The images Loihi is calibrated with stay exactly those of docs/variability.md, so a Loihi
    // chip's measured profile is the same, bit for bit, as before the plan came from the spec.
    CalibrationPlan p = CalibrationPlan.of(ChipSpec.loihi());
    assertEquals(new CalibrationPlan(12, 6, 6, 2000, 6, 2048, 1000, 2560, 0, 40, 2048, 150, 8, 131072), p);
    assertEquals(0.5 / 2048, Calibration.resolution(ChipSpec.loihi()).get("voltageDecay"));
  }

  @Test
  void recoversAnAnalogChipWithinTheStatedError() {
    List<int[]> cores = Calibration.parseCores("0-2", 0, 128);
    try (Device d = Devices.open("emu:loihi?serial=5&variability=analog&threads=2")) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 2), x -> { });
      double[] worst = worstError(d.profile(), r.profile(), cores, NEURONS);
      System.out.println("calibration worst error on emu:" + describe(worst));
      assertWithinStatedError(worst, CalibrationPlan.of(ChipSpec.loihi()));
      assertEquals("5", r.profile().serial());
      assertTrue(r.profile().isMeasured());
      assertEquals(0, r.unresolved());
    }
  }
}
