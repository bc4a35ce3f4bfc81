package org.quench.runtime.board;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quench.runtime.board.BoardFixture.assertSameResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.proto.ChipImage;
import org.quench.board.BoardServer;
import org.quench.runtime.bench.RandomNetwork;
import org.quench.runtime.calibrate.Calibration;
import org.quench.runtime.calibrate.ProfileComparison;

/** Imperfect chips behind a real board on 127.0.0.1: same bits, same profile, same calibration. */
class VariabilityBoardTest {
  private static final ChipImage IMAGE = RandomNetwork.image(21, 3, 200);

  @TempDir
  Path dir;

  private static RunResult run(Device d) {
    d.load(IMAGE);
    d.attach(new Probe(ProbeKind.V, "lif", 0, 120));
    d.attach(Probe.of(ProbeKind.SPIKES, "lif"));
    return d.run(RandomNetwork.stimulus(4, 150, 80));
  }

  @Test
  void aRemoteImperfectChipGivesTheSameBitsAndReportsItsProfile() throws Exception {
    Path model = dir.resolve("noisy.json");
    Files.writeString(model, "{\"name\":\"noisy\",\"distribution\":\"LOGNORMAL\",\"threshold\":{\"neuron\":0.15},"
        + "\"voltageDecay\":{\"neuron\":0.1},\"weight\":{\"neuron\":0.1,\"synapse\":0.1},"
        + "\"faults\":{\"deadNeuron\":0.02,\"stuckOffSynapse\":0.02,\"hotNeuron\":0.01},\"noise\":{\"vSigma\":0.05}}");
    String local = "emu:loihi?serial=3&variability=" + model;
    BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device(local + "&threads=1").start();
    try (Device one = Devices.open(local + "&threads=1");
        Device two = Devices.open(local + "&threads=2");
        Device remote = Devices.open("grpc://127.0.0.1:" + board.port() + "/chip0");
        Device nominal = Devices.open("emu:loihi?threads=1")) {
      RunResult expected = run(one);
      assertSameResult(expected, run(two));
      assertSameResult(expected, run(remote));
      RunResult ideal = run(nominal);
      assertFalse(java.util.Arrays.equals(ideal.traces().values().iterator().next().values(),
          expected.traces().values().iterator().next().values()), "the chip deviates from nominal");
      DeviceProfile reported = remote.profile();
      assertEquals(one.profile(), reported);
      assertEquals("noisy", reported.model());
      assertEquals("3", reported.serial());
    } finally {
      board.close();
    }
  }

  @Test
  void calibrationThroughTheBoardRecoversTheChip() {
    BoardServer board = BoardServer.builder().host("127.0.0.1").port(0).graceMillis(500)
        .device("emu:loihi?serial=6&variability=analog&threads=1").start();
    List<int[]> cores = Calibration.parseCores("0-1", 0, 128);
    try (Device remote = Devices.open("grpc://127.0.0.1:" + board.port() + "/chip0")) {
      Calibration.Result r = Calibration.run(remote, new Calibration.Options(cores, 96, 16, 2), x -> { });
      ProfileComparison err = ProfileComparison.between(r.profile(), remote.profile(), cores, 96);
      assertEquals(0, err.faultMismatches());
      // Decays, threshold and bias to half an integer step of the calibration values (2x for the
      // realization's own rounding).
      assertTrue(err.max()[0] <= 1.0 / 2048 && err.max()[1] <= 1.0 / 2048, err.table("mean", "max"));
      assertTrue(err.max()[2] <= 2.0 / 1000 && err.max()[3] <= 1.0 / 2000, err.table("mean", "max"));
      assertEquals("6", r.profile().serial());
    } finally {
      board.close();
    }
  }
}
