package org.quench.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.NetxReader;
import org.quench.compiler.ir.Network;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.runtime.io.NpyArray;

/**
 * lava-dl's own published netx ground truth (golden/lavadl-tinynet/README.md): two conv layers
 * with periodic reset, run from the input layer's bias alone. Quench must produce the spikes
 * lava-dl recorded, every one of them; this pins down how netx conv kernels are oriented.
 */
class LavaDlTinyNetTest {
  private static final String DIR = "/golden/lavadl-tinynet/";
  private static final int SAMPLE_STEPS = 17;
  private static final int STEPS = 20;
  /** Steps 3..17 (1-based) of the run are columns 1..15 of lava-dl's recording. */
  private static final int FIRST_STEP = 3;
  private static final int COMPARED_STEPS = 15;

  private static byte[] resource(String name) {
    return TestResources.bytes(DIR + name);
  }

  @Test
  void outputSpikesEqualLavaDlsRecording() {
    Network net = NetxReader.read(resource("tiny.net"), "tiny.net",
        NetxReader.Options.defaults().withSampleSteps(SAMPLE_STEPS));
    ChipImage image = Compiler.standard().compile(net, ChipSpec.loihi()).image();
    String input = net.populations().get(0).name();
    String output = net.outputs().get(0);

    NpyArray biasFile = NpyArray.parse(resource("input_bias.npy"), "input_bias.npy");
    assertArrayEquals(new int[] {16, 16, 3}, biasFile.shape());
    int[] stored = biasFile.toInts();
    // The file is (W, H, C); the input population is (C, H, W).
    int[] bias = new int[3 * 16 * 16];
    for (int x = 0; x < 16; x++) {
      for (int y = 0; y < 16; y++) {
        for (int c = 0; c < 3; c++) {
          bias[(c * 16 + y) * 16 + x] = stored[(x * 16 + y) * 3 + c];
        }
      }
    }
    NpyArray expectedFile = NpyArray.parse(resource("output.npy"), "output.npy");
    assertArrayEquals(new int[] {1, 36, 1, 1, 16}, expectedFile.shape());
    int[] expected = expectedFile.toInts();

    RunResult result;
    try (Device device = Devices.open("emu:loihi")) {
      device.load(image);
      result = device.run(Stimulus.builder(STEPS).bias(0, input, bias).build());
    }
    RunResult.SpikeEvents events = result.output(output);
    assertEquals(36, events.width());
    int[][] got = events.dense(STEPS);
    int wanted = 0;
    int produced = 0;
    int differing = 0;
    StringBuilder first = new StringBuilder();
    for (int k = 0; k < COMPARED_STEPS; k++) {
      int step = FIRST_STEP + k;
      for (int i = 0; i < 36; i++) {
        int want = expected[i * 16 + 1 + k];
        int have = got[step - 1][i];
        wanted += want;
        produced += have;
        if (want != have) {
          differing++;
          if (first.length() == 0) {
            first.append("first at step ").append(step).append(", neuron ").append(i);
          }
        }
      }
    }
    assertEquals(92, wanted, "lava-dl's recording holds 92 spikes in the compared window");
    assertEquals(0, differing, differing + " of 540 values differ from lava-dl (" + first
        + "); Quench produced " + produced + " spikes, lava-dl " + wanted);
  }
}
