package org.quench.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.Device;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;

/**
 * Calibration of chips with temporal noise on v (docs/variability.md, "Calibration on a noisy
 * chip"): an analog chip plus noise is calibrated without refusal on Loihi and on a narrower spec,
 * its fault flags are all found, the noise level is measured, and every recovered factor lies
 * within a tolerance derived from the noise level.
 *
 * <p>The tolerance. The noise on v has standard deviation {@code sigma = nu x theta}, theta the
 * bias image's realized effective threshold: the image's threshold (one for the core) is lowered
 * to 1.5 x the 98th percentile of the peaks v reaches, about {@code 2 B Q} with Q the 98th
 * percentile of {@code f_b / f_dv} over the neurons (dv = U / 2), so for a neuron with bias, decay
 * and threshold factors f_b, f_dv, f_th: {@code sigma / B_i = 3 nu Q f_th / f_b}. The fit
 * {@code v_t = decay(v_(t-1)) + on_t B} over 4096 steps with the bias switched every 8 steps has
 * standard errors {@code se(B) = 0.034..0.043 sigma} and {@code se(a) / (1 - a) = 0.040..0.045
 * sigma / B} for a = 1 - dv / U in 0.3..0.75 (from the regressor's moments: the square wave sweeps
 * v over 0..2B). So three standard errors of the bias and decay factors are at most
 * {@code 3 x 0.045 x 3 nu Q f_th / f_b = 0.4 nu Q f_th / f_b}; on an analog chip (per-neuron
 * spreads about 15 %, lognormal) Q is about 1.5 and f_th / f_b at most 2 over 600 neurons
 * (3.3 standard deviations of a 21 % spread), so the expected error stays below {@code 1.5 nu}.
 * The calibration reports its own per-neuron expected error (three standard errors
 * from the residuals of each trace); the test checks every error against it and the reported
 * error against {@code nu} (plus half an integer step of the calibration value and of the chip's
 * rounding of the factor, as in {@link CalibrationTest}).
 */
class NoisyCalibrationTest {
  static final int NEURONS = 200;

  @TempDir
  Path dir;

  /** The analog preset (docs/variability.md) as a model file, plus temporal noise. */
  private Path analogWithNoise(double vSigma) throws IOException {
    Path file = dir.resolve("analog-noise-" + vSigma + ".json");
    Files.writeString(file, String.format(Locale.ROOT, """
        { "name": "analog-noise", "distribution": "LOGNORMAL",
          "currentDecay": { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "voltageDecay": { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "threshold":    { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "bias":         { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "weight":       { "chip": 0.05, "core": 0.05, "neuron": 0.1, "synapse": 0.08 },
          "faults": { "deadNeuron": 0.002, "stuckOffSynapse": 0.005, "hotNeuron": 0.001 },
          "noise": { "vSigma": %s } }
        """, vSigma));
    return file;
  }

  private String uri(String chip, double vSigma, String serial) throws IOException {
    return "emu:" + chip + "?serial=" + serial + "&variability=" + analogWithNoise(vSigma) + "&threads=2";
  }

  /** Calibrates 3 cores x 200 neurons and checks flags, the measured noise and every error. */
  private void calibratesWithin(String chip, ChipSpec spec, double vSigma, String serial) throws IOException {
    List<int[]> cores = Calibration.parseCores("0-2", 0, spec.coresPerChip());
    try (Device d = Devices.open(uri(chip, vSigma, serial))) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 3), x -> { });
      // Flags: worstError asserts that every dead and hot flag matches the truth.
      double[] worst = CalibrationTest.worstError(d.profile(), r.profile(), cores, NEURONS);
      System.out.printf(Locale.ROOT, "noisy calibration on %s, vSigma %s: measured noise %.5f, expected"
          + " error %s, worst error%s%n", spec.name(), vSigma, r.noise(), r.expectedError(),
          CalibrationTest.describe(worst));
      assertEquals(0, r.unresolved());
      assertEquals(vSigma, r.noise(), 0.05 * vSigma, "the noise measured in the residuals");
      CalibrationPlan plan = CalibrationPlan.of(spec);
      for (DeviceParameter p : List.of(DeviceParameter.BIAS, DeviceParameter.VOLTAGE_DECAY,
          DeviceParameter.THRESHOLD)) {
        double expected = r.expectedError().get(p.key());
        double resolution = plan.resolution().get(p.key());
        assertTrue(worst[p.ordinal()] <= expected + resolution,
            p.key() + " worst error " + worst[p.ordinal()] + " over the expected " + expected);
        if (p != DeviceParameter.THRESHOLD) {
          // The derivation above: three standard errors stay below 1.5 nu (plus half a step).
          assertTrue(expected <= 1.5 * vSigma + resolution, p.key() + " expected error " + expected);
        }
        assertEquals(expected, r.profile().data().getMeasured().getResolutionOrThrow(p.key()), 0);
      }
      // The threshold: every v recorded without a spike bounds it from below, so the estimate
      // never lies above the realized integer; each approach of a ramp ends a random distance of
      // the order of sigma = nu theta below it, and the best of about 160 coarse and 4 fine
      // approaches ends within a fraction of sigma: 0.5 nu.
      assertTrue(worst[DeviceParameter.THRESHOLD.ordinal()] <= 0.5 * vSigma + 2 * plan.resolution().get("threshold"),
          CalibrationTest.describe(worst));
      // u carries no noise: current decay and gain are as exact as on a noiseless chip.
      assertTrue(worst[DeviceParameter.CURRENT_DECAY.ordinal()] <= 2 * 0.5 / plan.duAmount());
    }
  }

  @Test
  void calibratesANoisyAnalogLoihi() throws IOException {
    calibratesWithin("loihi", ChipSpec.loihi(), 0.002, "7");
    calibratesWithin("loihi", ChipSpec.loihi(), 0.01, "7");
  }

  @Test
  void calibratesANoisyAnalogChipOfANarrowerSpec() throws IOException {
    Path file = dir.resolve("narrow-cal.json");
    Files.writeString(file, CalibrationTest.narrowChip().toJson());
    calibratesWithin(file.toString(), CalibrationTest.narrowChip(), 0.002, "5");
    calibratesWithin(file.toString(), CalibrationTest.narrowChip(), 0.01, "5");
  }

  @Test
  void tooMuchNoiseIsRefusedInOneLineWithWhatWasMeasured() throws IOException {
    List<int[]> cores = Calibration.parseCores("0", 0, 128);
    try (Device d = Devices.open(uri("loihi", 0.1, "7"))) {
      QuenchException e = assertThrows(QuenchException.class,
          () -> Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 1), x -> { }));
      assertTrue(e.getMessage().startsWith("calibration: core (0,0) is too noisy to calibrate: v's temporal"
          + " noise measured at 0.09"), e.getMessage());
      assertTrue(e.getMessage().contains("leaves the voltage decay known to only"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"));
    }
  }

  @Test
  void aNoiselessChipKeepsTheExactFitsAndItsResolution() {
    List<int[]> cores = Calibration.parseCores("0-1", 0, 128);
    try (Device d = Devices.open("emu:loihi?serial=5&variability=analog&threads=2")) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 2), x -> { });
      assertEquals(0, r.noise());
      assertEquals(CalibrationPlan.of(ChipSpec.loihi()).resolution(), r.expectedError());
    }
  }

  @Test
  void theNoisyFitOnANoiselessChipFindsTheExactValues() {
    // The switched-bias least squares, run on a chip without noise, has zero residuals and lands on
    // the integers the exact fits find: the model it fits is the chip's arithmetic.
    ChipSpec spec = ChipSpec.loihi();
    CalibrationPlan plan = CalibrationPlan.of(spec);
    List<int[]> cores = Calibration.parseCores("0-1", 0, 128);
    try (Device d = Devices.open("emu:loihi?serial=5&variability=analog&threads=2")) {
      DeviceProfile exact = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 2), x -> { }).profile();
      boolean[][] hot = new boolean[2][NEURONS];
      boolean[][] dead = new boolean[2][NEURONS];
      double[][] bias = new double[2][NEURONS];
      double[][] dv = new double[2][NEURONS];
      double[][] sigma = new double[2][NEURONS];
      for (int c = 0; c < 2; c++) {
        CoreDeviations m = exact.core(0, c, NEURONS);
        for (int i = 0; i < NEURONS; i++) {
          hot[c][i] = m.hot(i);
        }
      }
      NoisyCalibration.Report report = new NoisyCalibration.Report();
      NoisyCalibration.biasAndDecay(d, spec, plan, cores, NEURONS, hot, bias, dv, dead, sigma, report, new int[4]);
      for (int c = 0; c < 2; c++) {
        CoreDeviations m = exact.core(0, c, NEURONS);
        for (int i = 0; i < NEURONS; i++) {
          assertEquals(m.dead(i), dead[c][i], "dead flag of neuron " + i);
          if (!hot[c][i] && !dead[c][i]) {
            // The profile keeps factors as Q16 gains.
            assertEquals(m.gain(DeviceParameter.BIAS, i), Math.round(bias[c][i] * 65536), "bias of neuron " + i);
            assertEquals(m.gain(DeviceParameter.VOLTAGE_DECAY, i), Math.round(dv[c][i] * 65536), "dv of neuron " + i);
          }
        }
        assertArrayEquals(new double[NEURONS], sigma[c]);
      }
    }
  }

  @Test
  void neuronsWhoseBiasTraceCannotBeFittedAddNothingToTheMeasuredNoise() throws IOException {
    // A chip whose per-core threshold factor spreads widely: on a core whose thresholds sit far
    // below the bias image's (one threshold for all calibrated cores, set from the peaks v
    // reaches), every neuron fires on every step its bias is on, so no bias trace there can be
    // fitted and no residual spread is measured. Two such cores and one ordinary core: had each
    // unfitted neuron counted as a noise of 0, two thirds of the samples would be 0 and so would
    // their median.
    double vSigma = 0.01;
    Path model = dir.resolve("core-thresholds.json");
    Files.writeString(model, String.format(Locale.ROOT, """
        { "name": "core-thresholds", "distribution": "LOGNORMAL",
          "voltageDecay": { "neuron": 0.13 },
          "threshold":    { "core": 1.5 },
          "bias":         { "neuron": 0.13 },
          "noise": { "vSigma": %s } }
        """, vSigma));
    String uri = "emu:loihi?serial=3&variability=" + model + "&threads=2";
    List<Integer> low = new java.util.ArrayList<>();
    Integer ordinary = null;
    try (Device d = Devices.open(uri)) {
      for (int c = 0; c < ChipSpec.loihi().coresPerChip(); c++) {
        double f = d.profile().core(0, c, 1).gain(DeviceParameter.THRESHOLD, 0) / 65536.0;
        if (f < 0.1 && low.size() < 2) {
          low.add(c);
        } else if (f > 0.8 && f < 1.25 && ordinary == null) {
          ordinary = c;
        }
      }
    }
    assertTrue(low.size() == 2 && ordinary != null, "cores " + low + " and " + ordinary);
    // Options lists the cores in (chip, core) order, as the calibration images need them.
    List<int[]> cores = new Calibration.Options(List.of(new int[] {0, low.get(0)}, new int[] {0, low.get(1)},
        new int[] {0, ordinary}), NEURONS, 16, 3).cores();
    try (Device d = Devices.open(uri)) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 3), x -> { });
      assertEquals(vSigma, r.noise(), 0.05 * vSigma, "the noise measured on the ordinary core alone");
      // The premise: the bias traces of most neurons (those of the low cores) could not be
      // fitted, so zeros in their place would outnumber the real samples.
      boolean[][] hot = new boolean[3][NEURONS];
      for (int c = 0; c < 3; c++) {
        CoreDeviations found = r.profile().core(0, cores.get(c)[1], NEURONS);
        for (int i = 0; i < NEURONS; i++) {
          hot[c][i] = found.hot(i);
        }
      }
      double[][] sigma = new double[3][NEURONS];
      NoisyCalibration.biasAndDecay(d, ChipSpec.loihi(), CalibrationPlan.of(ChipSpec.loihi()), cores, NEURONS,
          hot, new double[3][NEURONS], new double[3][NEURONS], new boolean[3][NEURONS], sigma,
          new NoisyCalibration.Report(), new int[4]);
      int unfitted = 0;
      int fitted = 0;
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < NEURONS; i++) {
          if (!hot[c][i]) {
            unfitted += Double.isNaN(sigma[c][i]) ? 1 : 0;
            fitted += sigma[c][i] > 0 ? 1 : 0;
          }
        }
      }
      assertTrue(unfitted > fitted && fitted > NEURONS / 2, unfitted + " unfitted, " + fitted + " fitted");
    }
  }
}
