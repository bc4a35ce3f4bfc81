package org.quench.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;

/**
 * End to end on the golden netx network (golden/netx-random-1001/README.md): import random.net,
 * compile for loihi, run 300 steps on the emulator with the input layer's bias set, and require
 * the output layer's spikes to equal expected.npy bit for bit.
 */
class NetxGoldenTest {
  private static final String DIR = "/golden/netx-random-1001/";
  private static final int STEPS = 300;

  private static byte[] resource(String name) {
    return TestResources.bytes(DIR + name);
  }

  @Test
  void outputSpikesMatchExpectedBitForBit() {
    runAndCompare(ChipSpec.loihi(), "emu:loihi");
  }

  /**
   * The same network spread over 16 cores on 4 chips (7 neurons per core, 4 cores per chip):
   * routes, axon groups and multi-chip addressing must not change a single spike.
   */
  @Test
  void splitOverManyCoresAndChipsStillMatches(@TempDir Path dir) throws IOException {
    String json = ChipSpec.loihi().toJson().replace("\"name\": \"loihi\"", "\"name\": \"loihi-small\"")
        .replaceFirst("\"coresPerChip\": \\d+", "\"coresPerChip\": 4")
        .replaceFirst("\"neuronsPerCore\": \\d+", "\"neuronsPerCore\": 7");
    Path file = dir.resolve("loihi-small.json");
    Files.writeString(file, json);
    ChipSpec small = ChipSpec.load(file);
    assertEquals(7, small.neuronsPerCore());
    ChipImage image = runAndCompare(small, "emu:" + file.toAbsolutePath() + "?threads=3");
    assertEquals(16, image.getCoresCount());
    assertEquals(4, image.getHeader().getChipCount());
  }

  private static ChipImage runAndCompare(ChipSpec spec, String uri) {
    Network net = NetxReader.read(resource("random.net"), "random.net", NetxReader.Options.defaults());
    ChipImage image = Compiler.standard().compile(net, spec).image();
    String input = net.populations().get(0).name();
    String output = net.outputs().get(0);
    int[] bias = NpyArray.parse(resource("input_bias.npy"), "input_bias.npy").toInts();
    NpyArray expected = NpyArray.parse(resource("expected.npy"), "expected.npy");
    assertArrayEquals(new int[] {STEPS, 10}, expected.shape());
    int[] want = expected.toInts();

    RunResult result;
    try (Device device = Devices.open(uri)) {
      device.load(image);
      result = device.run(Stimulus.builder(STEPS).bias(0, input, bias).build());
    }
    RunResult.SpikeEvents events = result.output(output);
    assertEquals(10, events.width());
    int[][] got = events.dense(STEPS);
    for (int t = 0; t < STEPS; t++) {
      for (int i = 0; i < 10; i++) {
        if (got[t][i] != want[t * 10 + i]) {
          fail("first difference at step " + (t + 1) + ", output neuron " + i + ": expected "
              + want[t * 10 + i] + ", got " + got[t][i] + " (on " + uri + ")");
        }
      }
    }
    return image;
  }

  /**
   * A lowered convolution on the chip: input neurons pushed to spike at step 1 by their bias
   * (pattern from conv.net's check/input), the conv layer's u at step 2 must be the activation
   * NumPy computed independently (check/activation: cross-correlation with the kernel as
   * stored) shifted left by 6.
   */
  @Test
  void convLayerActivationMatchesNumpyOnTheEmulator() throws IOException {
    byte[] bytes = TestResources.bytes("/netx/conv.net");
    long[][][] x;
    long[][][] act;
    try (HdfFile f = HdfFile.fromBytes(bytes)) {
      x = (long[][][]) f.getDatasetByPath("check/input").getData();
      act = (long[][][]) f.getDatasetByPath("check/activation").getData();
    }
    Network net = NetxReader.read(bytes, "conv.net", NetxReader.Options.defaults());
    ChipImage image = Compiler.standard().compile(net, ChipSpec.loihi()).image();
    FixedNeurons in = net.population("layer0").fixed();
    int[] bias = new int[60];
    for (int c = 0; c < 2; c++) {
      for (int h = 0; h < 5; h++) {
        for (int w = 0; w < 6; w++) {
          // bias > vth makes the neuron cross its threshold on the first step.
          bias[(c * 5 + h) * 6 + w] = x[c][h][w] != 0 ? in.vth(0) + 1 : 0;
        }
      }
    }
    Probe u = Probe.of(ProbeKind.U, "layer1");
    RunResult r;
    try (Device device = Devices.open("emu:loihi")) {
      device.load(image);
      device.attach(u);
      r = device.run(Stimulus.builder(2).bias(0, "layer0", bias).build());
    }
    RunResult.Trace trace = r.trace(u);
    for (int o = 0; o < 4; o++) {
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 4; w++) {
          int i = (o * 3 + h) * 4 + w;
          assertEquals(0, trace.at(0, i), "no activation before the one-step lag");
          assertEquals(act[o][h][w] << 6, trace.at(1, i), "conv output " + o + "," + h + "," + w);
        }
      }
    }
  }
}
