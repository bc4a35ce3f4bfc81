package org.quench.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.board.BoardServer;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.runtime.calibrate.ProfileComparison;

/**
 * {@code quench calibrate} on a chip that is not Loihi: a spec file behind an emu: URI, the same
 * chip behind a board (its spec given with --spec), and the one-line refusals.
 */
class CalibrateCommandTest {
  @TempDir
  Path dir;

  /** 10-bit decays, threshold shift 5, activation shift 4, 20-bit state, 9-bit biases, 6-bit weights. */
  private static final ChipSpec NARROW = ChipSpec.of(ChipSpec.loihi().data().toBuilder()
      .setName("narrow-cli").setStateBits(20).setDecayBits(10).setThresholdMantBits(11)
      .setThresholdShift(5).setActivationShift(4).setBiasMantBits(9).setWeightMantBits(6)
      .setWeightInputBits(12).build());

  @Test
  void calibratesAnEmulatedChipOfASpecFile() throws IOException {
    Path spec = Files.writeString(dir.resolve("narrow-cli.json"), NARROW.toJson());
    String device = "emu:" + spec + "?serial=4&variability=analog&threads=2";
    Path out = dir.resolve("narrow.qprof");
    InProcessRun cal = InProcessRun.expecting(0, "calibrate", "--device", device, "-o", out.toString(),
        "--cores", "0-1", "--neurons", "100");
    assertTrue(cal.out().contains("check against the profile the device reports (analog): 0 fault flags differ"),
        cal.out());
    // The resolution is the narrow chip's: half a step of dv = 512, of vth = 256, of bias 127.
    assertTrue(cal.out().contains("voltageDecay   0.098 %"), cal.out());
    assertTrue(cal.out().contains("threshold      0.195 %"), cal.out());
    assertTrue(cal.out().contains("bias           0.394 %"), cal.out());

    DeviceProfile measured = DeviceProfile.read(out);
    assertEquals("narrow-cli", measured.data().getSpecName());
    List<int[]> cores = List.of(new int[] {0, 0}, new int[] {0, 1});
    try (Device d = Devices.open(device)) {
      ProfileComparison err = ProfileComparison.between(measured, d.profile(), cores, 100);
      assertEquals(0, err.faultMismatches());
      assertTrue(err.max()[DeviceParameter.VOLTAGE_DECAY.ordinal()] <= 1.0 / 512, err.table("mean", "max"));
      assertTrue(err.max()[DeviceParameter.CURRENT_DECAY.ordinal()] <= 1.0 / 512, err.table("mean", "max"));
      assertTrue(err.max()[DeviceParameter.THRESHOLD.ordinal()] <= 2.0 / 256, err.table("mean", "max"));
      assertTrue(err.max()[DeviceParameter.BIAS.ordinal()] <= 1.0 / 127, err.table("mean", "max"));
    }
  }

  /** The analog preset's spreads (docs/variability.md) plus temporal noise, as a model file. */
  private Path noisyAnalog(double vSigma) throws IOException {
    return Files.writeString(dir.resolve("noisy-" + vSigma + ".json"), """
        { "name": "noisy-analog", "distribution": "LOGNORMAL",
          "voltageDecay": { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "threshold": { "chip": 0.05, "core": 0.05, "neuron": 0.13 },
          "bias": { "neuron": 0.13 },
          "faults": { "deadNeuron": 0.002, "hotNeuron": 0.001 },
          "noise": { "vSigma": %s } }
        """.formatted(vSigma));
  }

  @Test
  void calibratesANoisyChipAndRefusesOneTooNoisy() throws IOException {
    Path out = dir.resolve("noisy.qprof");
    String device = "emu:loihi?serial=3&threads=2&variability=" + noisyAnalog(0.01);
    InProcessRun cal = InProcessRun.expecting(0, "calibrate", "--device", device, "-o", out.toString(),
        "--cores", "0-1", "--neurons", "200");
    assertTrue(cal.out().contains("temporal noise on v: 0.0099") || cal.out().contains("temporal noise on v: 0.0100"),
        cal.out());
    assertTrue(cal.out().contains("(noisy-analog): 0 fault flags differ"), cal.out());
    assertTrue(DeviceProfile.read(out).data().getMeasured().getMethod().contains("temporal noise on v"));

    String tooNoisy = "emu:loihi?serial=3&threads=2&variability=" + noisyAnalog(0.1);
    InProcessRun refused = InProcessRun.expecting(1, "calibrate", "--device", tooNoisy, "-o", out.toString(),
        "--cores", "0", "--neurons", "200");
    assertTrue(refused.err().startsWith("quench: calibration: core (0,0) is too noisy to calibrate: v's temporal"
        + " noise measured at 0.1"), refused.err());
    assertTrue(refused.err().contains("; calibration needs under 2 %"), refused.err());
    assertEquals(1, refused.errLines(), refused.err());
  }

  @Test
  void aBoardsChipOfASpecFileNeedsItsSpecGiven() throws IOException {
    Path spec = Files.writeString(dir.resolve("narrow-cli.json"), NARROW.toJson());
    BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device("emu:" + spec + "?serial=2&variability=mild&threads=1").start();
    try {
      String remote = "grpc://127.0.0.1:" + board.port() + "/chip0";
      Path out = dir.resolve("remote.qprof");
      InProcessRun unknown = InProcessRun.expecting(1, "calibrate", "--device", remote, "-o", out.toString(),
          "--cores", "0", "--neurons", "16");
      assertEquals("quench: calibration: device " + remote + " follows chip spec 'narrow-cli', which is not built in;"
          + " give its spec file with --spec FILE", unknown.err().strip());
      assertEquals(1, unknown.errLines(), unknown.err());

      InProcessRun wrong = InProcessRun.expecting(1, "calibrate", "--device", remote, "-o", out.toString(),
          "--spec", "loihi", "--cores", "0", "--neurons", "16");
      assertTrue(wrong.err().contains("--spec loihi (chip 'loihi') is not the spec device " + remote
          + " follows (chip 'narrow-cli'"), wrong.err());
      assertEquals(1, wrong.errLines(), wrong.err());

      InProcessRun given = InProcessRun.expecting(0, "calibrate", "--device", remote, "-o", out.toString(),
          "--spec", spec.toString(), "--cores", "0", "--neurons", "16");
      assertTrue(given.out().contains("0 fault flags differ"), given.out());
      assertEquals("narrow-cli", DeviceProfile.read(out).data().getSpecName());
    } finally {
      board.close();
    }
  }

  @Test
  void badSelectionsOnTheCommandLineAreOneLine() {
    // Every value of the calibrate command that reaches Calibration.Options or the core list; the
    // command line cannot make a null list or a short entry (parseCores makes every pair).
    String out = dir.resolve("never.qprof").toString();
    String[][] cases = {
        {"--chip", "-1", "quench: calibration: --chip -1 is negative; chips are numbered from 0"},
        {"--cores", ",", "quench: calibration: no cores selected"},
        {"--cores", "2-1", "quench: --cores '2-1': '2-1' is not a core or a range FROM-TO within 0..127"},
        {"--neurons", "0", "quench: calibration: --neurons must be at least 1, got 0"},
        {"--synapses", "0", "quench: calibration: --synapses must be in 1..256, got 0"},
        {"--batch", "-2", "quench: calibration: --batch must be at least 1, got -2"}};
    for (String[] c : cases) {
      InProcessRun refused = InProcessRun.expecting(1, "calibrate", "--device", "emu:loihi?threads=1", "-o", out,
          c[0], c[1]);
      assertEquals(c[2], refused.err().strip(), c[0] + " " + c[1]);
      assertEquals(1, refused.errLines(), refused.err());
    }
    assertTrue(Files.notExists(dir.resolve("never.qprof")));
  }
}
