package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.CoreAddress;
import org.quench.hal.proto.MeasuredCore;
import org.quench.hal.proto.MeasuredProfile;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;

/** A chip instance's profile acts on the integer parameters at load, exactly and reproducibly. */
class VariabilityEmulationTest {
  @TempDir
  Path dir;

  /** A measured profile of core (0,0): the given factors on every neuron, faults as listed. */
  static DeviceProfile uniformProfile(int neurons, double du, double dv, double vth, double bias,
      double weight, int deadNeuron, int hotNeuron) {
    MeasuredCore.Builder c = MeasuredCore.newBuilder()
        .setAddress(CoreAddress.newBuilder().setChip(0).setCore(0)).setNeuronCount(neurons);
    for (int i = 0; i < neurons; i++) {
      c.addCurrentDecay(du).addVoltageDecay(dv).addThreshold(vth).addBias(bias).addWeight(weight)
          .addDead(i == deadNeuron).addHot(i == hotNeuron);
    }
    return DeviceProfile.measured("x", "loihi", MeasuredProfile.newBuilder().addCores(c).build(), "test");
  }

  @Test
  void aKnownDeviationActsOnTheIntegersExactly() {
    // du 1023, dv 512, vth 200, bias 37 << 6, weight 100; factors 1.2, 0.9, 1.125, 1.1, 0.8 give
    // (worked by hand, rounding half away from zero): du + 1 = 1229, dv 461, vth 225, bias 41, w 80.
    ChipImage img = ImageFixture.single(ImageFixture.lifCore(0, 0, 2, 1023, 512, 200, 37, 6),
        ImageFixture.dense("in", 0, new int[][] {{100}, {100}}, null, SignMode.EXCITATORY, 8, 0));
    DeviceProfile profile = uniformProfile(2, 1.2, 0.9, 1.125, 1.1, 0.8, -1, -1);
    int steps = 60;
    Stimulus.Builder sb = Stimulus.builder(steps);
    for (int k = 0; k < steps; k += 7) {
      sb.spike(k, "in", 0);
    }
    Stimulus stim = sb.build();
    int[] expectedV = reference(steps, stim, 1229, 461, 225, 41 << 6, 80);
    int[] nominalV = reference(steps, stim, 1024, 512, 200, 37 << 6, 100);
    for (int threads = 1; threads <= 2; threads++) {
      try (EmulatorDevice dev = new EmulatorDevice(ImageFixture.SPEC, profile, threads)) {
        dev.load(img);
        Probe v = new Probe(ProbeKind.V, "pop", 0, 1);
        dev.attach(v);
        RunResult r = dev.run(stim);
        assertArrayEquals(expectedV, r.trace(v).values(), "threads " + threads);
        assertFalse(java.util.Arrays.equals(nominalV, r.trace(v).values()));
        assertEquals(profile, dev.profile());
      }
    }
  }

  /** SEMANTICS.md's neuron step for one neuron fed by one synapse, written out plainly. */
  private static int[] reference(int steps, Stimulus stim, int duPlus1, int dv, int vth, int bias,
      int w) {
    int[] trace = new int[steps];
    long u = 0;
    long v = 0;
    int[] spikeSteps = stim.events().get("in").steps();
    for (int k = 0; k < steps; k++) {
      int a = 0;
      for (int s : spikeSteps) {
        if (s == k - 1) {
          a += w;
        }
      }
      long tu = u * (4096 - duPlus1);
      u = Long.signum(tu) * (Math.abs(tu) >> 12) + ((long) a << 6);
      long tv = v * (4096 - dv);
      v = Long.signum(tv) * (Math.abs(tv) >> 12) + u + bias;
      if (v > (long) vth << 6) {
        v = 0;
      }
      trace[k] = (int) v;
    }
    return trace;
  }

  @Test
  void deadNeuronsStaySilentAndHotNeuronsFireEveryStep() {
    ChipImage img = ImageFixture.single(ImageFixture.lifCore(0, 0, 3, 0, 0, 100, 50, 6),
        ImageFixture.dense("in", 0, new int[][] {{200}, {200}, {200}}, null, SignMode.EXCITATORY, 8, 0));
    try (EmulatorDevice dev = new EmulatorDevice(ImageFixture.SPEC,
        uniformProfile(3, 1, 1, 1, 1, 1, 1, 2), 1)) {
      dev.load(img);
      Probe spikes = Probe.of(ProbeKind.SPIKES, "pop");
      Probe v = Probe.of(ProbeKind.V, "pop");
      dev.attach(spikes);
      dev.attach(v);
      Stimulus.Builder sb = Stimulus.builder(40);
      for (int k = 0; k < 40; k++) {
        sb.spike(k, "in", 0);
      }
      sb.bias(5, "pop", new int[] {4000, 4000, 0});
      RunResult r = dev.run(sb.build());
      int healthy = 0;
      for (int k = 0; k < 40; k++) {
        healthy += r.trace(spikes).at(k, 0);
        assertEquals(0, r.trace(spikes).at(k, 1), "dead neuron at step " + k);
        assertEquals(0, r.trace(v).at(k, 1), "dead neuron's v at step " + k);
        assertEquals(1, r.trace(spikes).at(k, 2), "hot neuron at step " + k);
      }
      assertTrue(healthy > 5);
    }
  }

  /** Two cores, the second fed by the first, random weights: enough to show any ordering effect. */
  static ChipImage twoCores(long seed) {
    Random rnd = new Random(seed);
    int n = 64;
    int[][] win = new int[n][16];
    int[][] wrec = new int[n][n];
    for (int[] row : win) {
      for (int j = 0; j < row.length; j++) {
        row[j] = rnd.nextInt(200);
      }
    }
    for (int[] row : wrec) {
      for (int j = 0; j < row.length; j++) {
        row[j] = rnd.nextInt(160) - 60;
      }
    }
    Core.Builder c0 = ImageFixture.lifCore(0, 0, n, 400, 300, 300, 20, 6)
        .addAxonGroups(ImageFixture.dense("in", 0, win, null, SignMode.EXCITATORY, 8, 0))
        .addRoutes(Route.newBuilder().setNeuronFirst(0).setNeuronCount(n)
            .setDest(ImageFixture.at(0, 1)).setAxonFirst(0));
    Core.Builder c1 = ImageFixture.lifCore(0, 1, n, 800, 200, 250, 10, 6)
        .addAxonGroups(ImageFixture.dense("rec", 0, wrec, null, SignMode.MIXED, 8, 0));
    return ImageFixture.image(1).addCores(c0).addCores(c1)
        .addInputs(ImageFixture.input("in", 16, 0, 0, 0))
        .addSymbols(ImageFixture.symbol("a", 0, 0, n)).addSymbols(ImageFixture.symbol("b", 0, 1, n))
        .addOutputs(ImageFixture.output("out", 0, 1, n)).build();
  }

  static Stimulus randomInput(int steps, long seed) {
    Random rnd = new Random(seed);
    Stimulus.Builder sb = Stimulus.builder(steps);
    for (int k = 0; k < steps; k++) {
      for (int j = 0; j < 16; j++) {
        if (rnd.nextInt(4) == 0) {
          sb.spike(k, "in", j);
        }
      }
    }
    return sb.build();
  }

  private static int[][] run(String uri, ChipImage img, Stimulus stim) {
    try (Device d = Devices.open(uri)) {
      d.load(img);
      Probe va = Probe.of(ProbeKind.V, "a");
      Probe vb = Probe.of(ProbeKind.V, "b");
      d.attach(va);
      d.attach(vb);
      RunResult r = d.run(stim);
      return new int[][] {r.trace(va).values(), r.trace(vb).values()};
    }
  }

  @Test
  void sameChipSameBitsOnOneAndTwoThreadsWithNoise() throws Exception {
    Path model = dir.resolve("noisy.json");
    Files.writeString(model, VariabilityModelJson.ANALOG_WITH_NOISE);
    ChipImage img = twoCores(5);
    Stimulus stim = randomInput(150, 6);
    int[][] one = run("emu:loihi?serial=3&threads=1&variability=" + model, img, stim);
    int[][] two = run("emu:loihi?serial=3&threads=2&variability=" + model, img, stim);
    assertArrayEquals(one[0], two[0]);
    assertArrayEquals(one[1], two[1]);
    int[][] nominal = run("emu:loihi?threads=1", img, stim);
    int[][] analog = run("emu:loihi?serial=3&threads=2&variability=analog", img, stim);
    assertFalse(java.util.Arrays.equals(nominal[1], analog[1]));
    assertFalse(java.util.Arrays.equals(one[1], analog[1]), "noise changes the trace");
    assertArrayEquals(nominal[1], run("emu:loihi?serial=0&variability=analog", img, stim)[1],
        "serial 0 is nominal");
  }

  @Test
  void aProfileFileReproducesTheChipItWasWrittenFrom() {
    ChipImage img = twoCores(8);
    Stimulus stim = randomInput(100, 9);
    Path file = dir.resolve("chip3.qprof");
    try (Device d = Devices.open("emu:loihi?serial=3&variability=analog")) {
      d.profile().write(file);
    }
    assertArrayEquals(run("emu:loihi?serial=3&variability=analog", img, stim)[1],
        run("emu:loihi?profile=" + file, img, stim)[1]);
  }

  @Test
  void badUriParametersAreOneLine() {
    QuenchException e = assertThrows(QuenchException.class,
        () -> Devices.open("emu:loihi?serial=3&variability=analogue"));
    assertTrue(e.getMessage().contains("unknown variability preset 'analogue'"), e.getMessage());
    e = assertThrows(QuenchException.class,
        () -> Devices.open("emu:loihi?profile=" + dir.resolve("none.qprof")));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    e = assertThrows(QuenchException.class,
        () -> Devices.open("emu:loihi?profile=x.qprof&variability=analog"));
    assertTrue(e.getMessage().contains("not both"), e.getMessage());
  }

  /** Model text shared by tests. */
  static final class VariabilityModelJson {
    static final String ANALOG_WITH_NOISE = "{\"name\":\"noisy\",\"distribution\":\"LOGNORMAL\","
        + "\"threshold\":{\"neuron\":0.15},\"voltageDecay\":{\"core\":0.05,\"neuron\":0.1},"
        + "\"weight\":{\"neuron\":0.1,\"synapse\":0.1},\"bias\":{\"neuron\":0.1},"
        + "\"faults\":{\"deadNeuron\":0.02,\"stuckOffSynapse\":0.02,\"hotNeuron\":0.02},"
        + "\"noise\":{\"vSigma\":0.05}}";

    private VariabilityModelJson() {}
  }
}
