package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quench.emulator.ImageFixture.dense;
import static org.quench.emulator.ImageFixture.lifCore;

import org.junit.jupiter.api.Test;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.Route;
import org.quench.hal.proto.SignMode;

/** Routes between chips behave as within a chip; stats count what happened. */
class MultiChipTest {
  /**
   * A relay: input -> neuron on chip 0 -> neuron on chip 1. Both neurons fire on one strong input
   * (weight 255, du = 4095, vth 1: 255 << 6 > 64), so each hop adds exactly one step.
   */
  private static ChipImage relay() {
    Core.Builder first = lifCore(0, 5, 1, 4095, 4096, 1, 0, 0)
        .addAxonGroups(dense("in", 0, new int[][] {{255}}, null, SignMode.EXCITATORY, 8, 0))
        .addRoutes(Route.newBuilder().setNeuronFirst(0).setNeuronCount(1).setDest(ImageFixture.at(1, 3))
            .setAxonFirst(0));
    Core.Builder second = lifCore(1, 3, 1, 4095, 4096, 1, 0, 0)
        .addAxonGroups(dense("hop", 0, new int[][] {{255}}, null, SignMode.EXCITATORY, 8, 0));
    return ImageFixture.image(2).addCores(first).addCores(second)
        .addInputs(ImageFixture.input("in", 1, 0, 5, 0))
        .addOutputs(ImageFixture.output("a", 0, 5, 1))
        .addOutputs(ImageFixture.output("b", 1, 3, 1))
        .addSymbols(ImageFixture.symbol("a", 0, 5, 1))
        .addSymbols(ImageFixture.symbol("b", 1, 3, 1))
        .build();
  }

  @Test
  void spikeCrossesChipsWithTheSameLatencyAsWithinOne() {
    for (int threads = 1; threads <= 2; threads++) {
      try (EmulatorDevice dev = ImageFixture.device(threads)) {
        dev.load(relay());
        RunResult r = dev.run(Stimulus.builder(6).spike(0, "in", 0).spike(2, "in", 0).build());
        // Host event at k reaches chip 0's neuron at k+1, chip 1's at k+2.
        assertArrayEquals(new int[] {1, 3}, r.output("a").steps());
        assertArrayEquals(new int[] {2, 4}, r.output("b").steps());
        assertEquals(2, dev.interChipSpikes());
        EmulatorDevice.Stats s = dev.stats();
        assertEquals(6, s.steps());
        assertEquals(12, s.neuronUpdates());
        assertEquals(4, s.spikes());
        assertEquals(4, s.synapticEvents(), "two host events and two relayed spikes, one synapse each");
        assertEquals(2, s.synapseCount());
        assertTrue(s.synapseBytes() >= 8 && s.stateBytes() > 0);
      }
    }
  }
}
