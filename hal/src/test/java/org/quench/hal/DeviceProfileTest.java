package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;

class DeviceProfileTest {
  private static final VariabilityModel ANALOG = VariabilityModel.preset("analog");

  @TempDir
  Path dir;

  @Test
  void aNeuronsDeviationDoesNotDependOnWhichOtherNeuronsAreRealized() {
    DeviceProfile chip = DeviceProfile.generated(ANALOG, "7");
    CoreDeviations small = chip.core(0, 3, 10);
    CoreDeviations large = DeviceProfile.generated(ANALOG, "7").core(0, 3, 1000);
    for (DeviceParameter p : DeviceParameter.values()) {
      for (int i = 0; i < 10; i++) {
        assertEquals(large.gain(p, i), small.gain(p, i), p + " of neuron " + i);
      }
    }
    assertEquals(large.synapseGain(17, 4), small.synapseGain(17, 4));
  }

  @Test
  void chipsDifferAndSerialZeroIsNominal() {
    CoreDeviations a = DeviceProfile.generated(ANALOG, "7").core(0, 0, 50);
    CoreDeviations b = DeviceProfile.generated(ANALOG, "8").core(0, 0, 50);
    assertNotEquals(a.gain(DeviceParameter.THRESHOLD, 0), b.gain(DeviceParameter.THRESHOLD, 0));
    assertTrue(DeviceProfile.generated(ANALOG, "0").isNominal());
    assertTrue(DeviceProfile.generated(ANALOG, "0").core(0, 0, 50).isNominal());
    assertEquals("nominal", DeviceProfile.nominal("3").model());
    assertEquals("analog", DeviceProfile.generated(ANALOG, "3").model());
  }

  @Test
  void analogFactorsHaveTheModelsSpreadAndFaultRates() {
    DeviceProfile chip = DeviceProfile.generated(ANALOG, "11");
    double sum = 0;
    double sumSq = 0;
    int count = 0;
    int dead = 0;
    int hot = 0;
    for (int core = 0; core < 64; core++) {
      CoreDeviations d = chip.core(0, core, 1024);
      for (int i = 0; i < 1024; i++) {
        double ln = Math.log(d.factor(DeviceParameter.THRESHOLD, i));
        sum += ln;
        sumSq += ln * ln;
        count++;
        dead += d.dead(i) ? 1 : 0;
        hot += d.hot(i) ? 1 : 0;
      }
    }
    double mean = sum / count;
    double sd = Math.sqrt(sumSq / count - mean * mean);
    // Core level 0.05 and neuron level 0.13 around this chip's own offset: sqrt(0.05^2 + 0.13^2).
    assertEquals(Math.hypot(0.05, 0.13), sd, 0.01);
    assertEquals(0.002 * count, dead, 4 * Math.sqrt(0.002 * count));
    assertEquals(0.001 * count, hot, 4 * Math.sqrt(0.001 * count));
    int stuck = 0;
    CoreDeviations d = chip.core(0, 0, 1024);
    for (int a = 0; a < 200; a++) {
      for (int i = 0; i < 1024; i++) {
        stuck += d.stuckOff(a, i) ? 1 : 0;
      }
    }
    assertEquals(0.005 * 200 * 1024, stuck, 4 * Math.sqrt(0.005 * 200 * 1024));
  }

  @Test
  void ruleRoundsHalfAwayFromZeroAndClampsToTheWidths() {
    ChipSpec spec = ChipSpec.loihi();
    int g = ParameterDeviation.gain(1.5);
    assertEquals(3, ParameterDeviation.scale(2, g));
    assertEquals(-3, ParameterDeviation.scale(-2, g));
    assertEquals(spec.vthRange().max(), ParameterDeviation.threshold(spec, 100000, g));
    assertEquals(4095, ParameterDeviation.biasMant(spec, 4000, g));
    assertEquals(-1, ParameterDeviation.currentDecay(spec, -1, g));
    assertEquals(4095, ParameterDeviation.currentDecay(spec, 4000, g));
    assertEquals(255, ParameterDeviation.weight(spec, 200, g, org.quench.hal.proto.SignMode.EXCITATORY));
    assertEquals(-256, ParameterDeviation.weight(spec, -200, g, org.quench.hal.proto.SignMode.MIXED));
    assertEquals(0, ParameterDeviation.weight(spec, -200, g, org.quench.hal.proto.SignMode.EXCITATORY));
  }

  @Test
  void bothFileFormsReadBackTheSameProfile() {
    DeviceProfile gen = DeviceProfile.generated(ANALOG, "7");
    Path bin = dir.resolve("chip7.qprof");
    Path json = dir.resolve("chip7.json");
    gen.write(bin);
    gen.write(json);
    assertEquals(gen, DeviceProfile.read(bin));
    assertEquals(gen, DeviceProfile.read(json));
    DeviceProfile m = measured();
    m.write(bin);
    DeviceProfile back = DeviceProfile.read(bin);
    assertEquals(m, back);
    assertEquals(ParameterDeviation.gain(1.125), back.core(0, 2, 3).gain(DeviceParameter.THRESHOLD, 1));
    assertTrue(back.core(0, 2, 3).dead(2));
    assertTrue(back.core(0, 5, 3).isNominal(), "a core the calibration did not cover is nominal");
    assertArrayEquals(gen.toBytes(), DeviceProfile.read(json).toBytes());
  }

  static DeviceProfile measured() {
    MeasuredCore core = MeasuredCore.newBuilder()
        .setAddress(CoreAddress.newBuilder().setChip(0).setCore(2)).setNeuronCount(3)
        .addThreshold(0.9).addThreshold(1.125).addThreshold(1.0)
        .addDead(false).addDead(false).addDead(true).build();
    return DeviceProfile.measured("chip7", "loihi", MeasuredProfile.newBuilder()
        .setDeviceUri("emu:loihi?serial=7").addCores(core).build(), "test");
  }

  @Test
  void badProfileFilesGiveOneLine() throws Exception {
    Path f = dir.resolve("bad.qprof");
    Files.write(f, new byte[] {'Q', 'P', 'R', 'F', 0, 1, 0, 0, 42, 42, 42});
    assertOneLine(f, "truncated or corrupt");
    Files.write(f, new byte[] {'Q', 'P', 'R', 'F', 0, 9, 0, 0});
    assertOneLine(f, "file version 9");
    Files.writeString(f, "not a profile");
    assertOneLine(f, "neither a Quench profile");
    Files.writeString(f, "{\"formatVersion\":1,\"serial\":\"3\",\"measured\":{\"cores\":[{\"neuronCount\":2,"
        + "\"threshold\":[1.0]}]}}");
    assertOneLine(f, "measured.cores[0]: threshold has 1 values for 2 neurons");
    Files.writeString(f, "{\"formatVersion\":1,\"serial\":\"3\",\"generated\":{\"bias\":{\"core\":-2}}}");
    assertOneLine(f, "bias.core: -2");
    Files.writeString(f, "{\"formatVersion\":1,\"serial\":\"3\"}");
    assertOneLine(f, "neither 'generated'");
    assertOneLine(dir.resolve("missing.qprof"), "does not exist");
  }

  private static void assertOneLine(Path f, String expected) {
    QuenchException e = assertThrows(QuenchException.class, () -> DeviceProfile.read(f));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void integerNoiseHasUnitSpreadAndDependsOnlyOnItsCoordinates() {
    CoreDeviations d = DeviceProfile.generated(VariabilityModel.parse(
        "{\"noise\":{\"vSigma\":0.01}}", "test"), "4").core(0, 1, 8);
    long key = d.noiseKey(5);
    double sumSq = 0;
    for (long t = 1; t <= 20000; t++) {
      int x = CoreDeviations.noise(key, t, 1000);
      sumSq += (double) x * x;
    }
    assertEquals(1000, Math.sqrt(sumSq / 20000), 30);
    assertEquals(CoreDeviations.noise(key, 77, 1000), CoreDeviations.noise(d.noiseKey(5), 77, 1000));
    assertEquals(640, d.noiseAmplitude(64000));
  }
}
