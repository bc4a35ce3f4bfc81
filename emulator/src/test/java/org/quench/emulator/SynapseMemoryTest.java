package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;

/** Synapses are packed: one int each plus the CSR rows, delays included. */
class SynapseMemoryTest {
  @Test
  void packedSynapsesCostAtMostSixBytesEach() {
    ChipSpec roomy = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("loihi-roomy")
        .setSynapseMemoryBytesPerCore(1 << 24).build());
    ChipImage image = ThroughputCheck.network(3, 1000, 2, 40, true, 9);
    image = image.toBuilder().setHeader(image.getHeader().toBuilder().setSpecName(roomy.name())
        .setSpecHash(roomy.hash())).build();
    try (EmulatorDevice dev = new EmulatorDevice(roomy, "mem", 1)) {
      dev.load(image);
      EmulatorDevice.Stats s = dev.stats();
      assertEquals(3L * 2 * 1000 * 40, s.synapseCount());
      double perSynapse = (double) s.synapseBytes() / s.synapseCount();
      assertTrue(perSynapse >= 4 && perSynapse <= 6, "bytes per synapse: " + perSynapse);
      assertFalse(dev.coreForTest(0).usesWideWeights());
    }
  }
}
